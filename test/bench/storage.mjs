// Bench part `storage`: the app on claims (test/fixtures/e2e/storage/app.yaml — StatefulSet db
// with a volumeClaimTemplates claim on `standard`, Deployment files with its own claim, NodePort
// Service db; the harness's provisioner binds each claim ~0.5 s after it is made, as minikube's)
// against the strongest hand-written peer: kubectl apply --server-side → kubectl rollout status of
// both workloads in parallel → kubectl get svc → curl --max-time 1 every 100 ms until GET /k/boot
// answers 200 with "written": true (what the database wrote to its volume). Timed from the apply
// to that answer; the namespace (created before) and the teardown are untimed.

import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dump, loadAll } from 'js-yaml'
import { REPO } from '../e2e/github-runner.mjs'
import { kubectl, run, useImage } from './cluster.mjs'

export const STORAGE_APP = 'test/fixtures/e2e/storage/app.yaml'
export const STORAGE_PATH = '/k/boot'
export const STORAGE_CHECKS = `- path: ${STORAGE_PATH}\n  expect-json:\n    written: true`

const sleep = t => new Promise(resolve => setTimeout(resolve, t))

/** The app with `imageRef` on the shop containers (pull policy Never), as the action deploys it. */
export function writeStorageManifest(imageRef) {
  const docs = loadAll(readFileSync(join(REPO, STORAGE_APP), 'utf8')).filter(Boolean)
  const path = join(mkdtempSync(join(tmpdir(), 'bench-storage-')), 'app.yaml')
  writeFileSync(
    path,
    useImage(docs, 'shop', imageRef)
      .map(d => dump(d))
      .join('---\n')
  )
  return path
}

/** Claims and volumes of `ns` gone (the teardown of the last sample), up to 3 min. */
export async function storageGone(ns) {
  const deadline = Date.now() + 180_000
  while (Date.now() < deadline) {
    const pv = await kubectl('get', 'pv', '-o', 'jsonpath={.items[*].spec.claimRef.namespace}')
    const ours = pv.stdout.split(/\s+/).includes(ns)
    const nsGone = (await kubectl('get', 'namespace', ns)).code !== 0
    if (!ours && nsGone) return true
    await sleep(500)
  }
  return false
}

/** One sample of the peer: returns its time (apply start → good answer) and its steps. */
export async function storagePeer(manifest) {
  const ns = `bench-storage-${Date.now()}`
  const ok = (r, what) => {
    if (r.code !== 0) throw new Error(`hand-written storage flow: ${what} failed: ${r.stderr}`)
    return r
  }
  ok(await kubectl('create', 'namespace', ns), 'kubectl create namespace')
  try {
    const apply = ok(await kubectl('apply', '--server-side', '-n', ns, '-f', manifest), 'apply')
    const [db, files, svc] = await Promise.all([
      kubectl('rollout', 'status', 'statefulset/db', '-n', ns, '--timeout=180s'),
      kubectl('rollout', 'status', 'deployment/files', '-n', ns, '--timeout=180s'),
      kubectl('get', 'svc', 'db', '-n', ns, '-o', 'jsonpath={.spec.ports[0].nodePort}')
    ])
    ok(db, 'rollout status statefulset/db')
    ok(files, 'rollout status deployment/files')
    ok(svc, 'get svc db')
    const url = `http://127.0.0.1:${svc.stdout.trim()}${STORAGE_PATH}`
    const curls = []
    let done
    const deadline = Date.now() + 120_000
    while (Date.now() < deadline && !done) {
      const c = await run('curl', ['-s', '-w', '\n%{http_code}', '--max-time', '1', url])
      const i = c.stdout.lastIndexOf('\n')
      const status = c.stdout.slice(i + 1).trim()
      let written
      try {
        written = JSON.parse(c.stdout.slice(0, i)).written
      } catch {
        written = undefined
      }
      curls.push(status)
      if (status === '200' && written === true) done = c.endedAt
      else await sleep(100)
    }
    if (!done) throw new Error(`hand-written storage flow: no written:true from ${url}`)
    return {
      ns,
      ms: done - apply.startedAt,
      steps: {
        apply: apply.ms,
        rollout_db_end: db.endedAt - apply.startedAt,
        rollout_files_end: files.endedAt - apply.startedAt,
        curls: curls.length
      }
    }
  } finally {
    await kubectl('delete', 'namespace', ns, '--wait=false')
    await storageGone(ns)
  }
}
