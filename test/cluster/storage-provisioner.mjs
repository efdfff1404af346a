// The harness's stand-in for minikube's `storage-provisioner` addon (test harness code, never the
// action's). Like minikube's (sig-storage-lib-external-provisioner, name k8s.io/minikube-hostpath)
// it WATCHES claims and volumes and:
//   - provisions each Pending claim that the PV controller handed to it (annotation
//     volume.beta.kubernetes.io/storage-provisioner: k8s.io/minikube-hostpath, which the
//     controller sets once the claim's class names this provisioner) with a hostPath
//     PersistentVolume `pvc-<claim uid>` under $STATE/hostpath-provisioner/<namespace>/<claim>,
//     after the delay a real minikube shows (~0.5 s), so the claim is Pending first, then Bound
//     (the PV controller does the binding, as on minikube);
//   - deletes a volume of its own once it is Released with reclaim policy Delete (its claim went),
//     and the volume's directory.
// Events `Provisioning`/`ProvisioningSucceeded` are posted on the claim, as the library does.
//
//   node storage-provisioner.mjs STATE_DIR      (run by cluster.sh up; logs to stdout)
//
// Talks to the API server on 127.0.0.1:6443 with the harness's admin certificate.

import { chmodSync, mkdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs'
import { request } from 'node:https'
import { dirname, join } from 'node:path'

const NAME = 'k8s.io/minikube-hostpath'
const STATE = process.argv[2] || '/var/lib/minikube-smoke'
const ROOT = join(STATE, 'hostpath-provisioner')
const DELAY_MS = Number(process.env.PROVISION_DELAY_MS ?? 500)
const tls = {
  ca: readFileSync(join(STATE, 'pki/ca.crt')),
  cert: readFileSync(join(STATE, 'pki/admin.crt')),
  key: readFileSync(join(STATE, 'pki/admin.key'))
}
const log = line => console.log(`${new Date().toISOString()} ${line}`)

/** One API call; resolves with the parsed body (rejects on a status >= 400 other than 404/409). */
function api(method, path, body) {
  // Content-Length always: Node sends a DELETE body neither chunked nor sized otherwise.
  const data = body ? Buffer.from(JSON.stringify(body)) : undefined
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: 6443,
        method,
        path,
        ...tls,
        headers: {
          'content-type': 'application/json',
          ...(data ? { 'content-length': data.length } : {})
        }
      },
      res => {
        let text = ''
        res.on('data', c => (text += c))
        res.on('end', () => {
          if (res.statusCode >= 400 && res.statusCode !== 404 && res.statusCode !== 409) {
            reject(new Error(`${method} ${path}: HTTP ${res.statusCode} ${text.slice(0, 300)}`))
          } else resolve({ status: res.statusCode, body: text ? JSON.parse(text) : undefined })
        })
      }
    )
    req.on('error', reject)
    if (data) req.write(data)
    req.end()
  })
}

/** List, then watch from the list's resourceVersion; on any end, list again (after 1 s). */
async function listWatch(path, handle) {
  for (;;) {
    try {
      const list = await api('GET', path)
      for (const item of list.body.items) handle('ADDED', item)
      await new Promise((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: 6443,
            path: `${path}?watch=1&timeoutSeconds=300&resourceVersion=${list.body.metadata.resourceVersion}`,
            ...tls
          },
          res => {
            let buf = ''
            res.on('data', chunk => {
              buf += chunk
              let nl
              while ((nl = buf.indexOf('\n')) >= 0) {
                const line = buf.slice(0, nl)
                buf = buf.slice(nl + 1)
                if (line.trim()) {
                  const e = JSON.parse(line)
                  if (e.type === 'ERROR') return res.destroy() // e.g. 410 Gone: list again
                  handle(e.type, e.object)
                }
              }
            })
            res.on('end', resolve)
            res.on('close', resolve)
          }
        )
        req.on('error', reject)
        req.end()
      })
    } catch (err) {
      log(`watch ${path}: ${err.message}`)
    }
    await new Promise(r => setTimeout(r, 1000))
  }
}

const inFlight = new Set()

async function provision(claim) {
  const { namespace, name, uid } = claim.metadata
  const pvName = `pvc-${uid}`
  const dir = join(ROOT, namespace, name)
  await event(
    claim,
    'Normal',
    'Provisioning',
    `External provisioner is provisioning volume for claim "${namespace}/${name}"`
  )
  await new Promise(r => setTimeout(r, DELAY_MS))
  const className = claim.spec.storageClassName
  const sc = (await api('GET', `/apis/storage.k8s.io/v1/storageclasses/${className}`)).body
  mkdirSync(dir, { recursive: true })
  chmodSync(dir, 0o777) // as minikube's: any pod user may write (umask would drop it)
  const pv = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvName, annotations: { 'pv.kubernetes.io/provisioned-by': NAME } },
    spec: {
      capacity: { storage: claim.spec.resources?.requests?.storage ?? '1Gi' },
      accessModes: claim.spec.accessModes,
      persistentVolumeReclaimPolicy: sc?.reclaimPolicy ?? 'Delete',
      storageClassName: className,
      volumeMode: claim.spec.volumeMode ?? 'Filesystem',
      claimRef: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', namespace, name, uid },
      hostPath: { path: dir, type: '' }
    }
  }
  const r = await api('POST', '/api/v1/persistentvolumes', pv)
  if (r.status === 409) return // made already (a relist while it was in flight)
  log(`provisioned ${pvName} for ${namespace}/${name} at ${dir}`)
  await event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${pvName}`)
}

async function event(claim, type, reason, message) {
  const { namespace, name, uid } = claim.metadata
  const now = new Date().toISOString()
  await api('POST', `/api/v1/namespaces/${namespace}/events`, {
    metadata: { generateName: `${name}.`, namespace },
    involvedObject: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace, name, uid },
    type,
    reason,
    message,
    source: { component: `${NAME}_minikube-smoke` },
    firstTimestamp: now,
    lastTimestamp: now,
    count: 1
  }).catch(err => log(`event: ${err.message}`))
}

async function reclaim(pv) {
  const dir = pv.spec.hostPath?.path
  const r = await api('DELETE', `/api/v1/persistentvolumes/${pv.metadata.name}`, {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    preconditions: { uid: pv.metadata.uid }
  })
  if (dir?.startsWith(`${ROOT}/`)) {
    rmSync(dir, { recursive: true, force: true })
    try {
      rmdirSync(dirname(dir)) // the namespace's directory, once empty
    } catch {
      // other claims of that namespace still have volumes there
    }
  }
  if (r.status < 300)
    log(
      `deleted ${pv.metadata.name} (claim ${pv.spec.claimRef?.namespace}/${pv.spec.claimRef?.name} gone) and ${dir}`
    )
}

function once(key, work) {
  if (inFlight.has(key)) return
  inFlight.add(key)
  work()
    .catch(err => log(`${key}: ${err.message}`))
    .finally(() => inFlight.delete(key))
}

const handedToUs = c =>
  c.metadata.annotations?.['volume.beta.kubernetes.io/storage-provisioner'] === NAME ||
  c.metadata.annotations?.['volume.kubernetes.io/storage-provisioner'] === NAME

log(`${NAME} stand-in watching claims and volumes; volumes under ${ROOT}, delay ${DELAY_MS} ms`)
listWatch('/api/v1/persistentvolumeclaims', (type, c) => {
  if (type === 'DELETED' || c.spec.volumeName || c.status?.phase !== 'Pending') return
  if (!handedToUs(c) || c.metadata.deletionTimestamp) return
  once(`claim ${c.metadata.uid}`, () => provision(c))
})
listWatch('/api/v1/persistentvolumes', (type, pv) => {
  if (type === 'DELETED' || pv.metadata.annotations?.['pv.kubernetes.io/provisioned-by'] !== NAME)
    return
  if (pv.status?.phase !== 'Released' || pv.spec.persistentVolumeReclaimPolicy !== 'Delete') return
  if (pv.metadata.deletionTimestamp) return // deleted already, its finalizer still on
  once(`volume ${pv.metadata.uid}`, () => reclaim(pv))
})
