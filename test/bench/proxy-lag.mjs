// How a fresh NodePort behaves around the pod's Ready moment: probes it every 20 ms (each probe
// independent, 3 s timeout) from just after `kubectl apply` until 1 s after the first 200, and
// prints when it refuses, hangs or answers, relative to Ready=True as seen by a pod watch.
// This is the data behind the smoke engine's retry rule for refused connections.
//
//   BENCH_IMAGE=weather-service:<an existing tag> node_modules/.bin/node test/bench/proxy-lag.mjs [runs]
//   (default 5 runs, ~15 s each; the image must exist in the cluster's Docker engine)

import { request } from 'node:http'
import { Watch } from '@kubernetes/client-node'
import { kc, kubectl, nodePortOf, run, writeWeatherManifest } from './cluster.mjs'

const RUNS = Math.min(20, Math.max(1, Number(process.argv[2] ?? 5)))
const TAG = process.env.BENCH_IMAGE || 'weather-service:latest'
const sleep = t => new Promise(r => setTimeout(r, t))

function probe(port) {
  return new Promise(resolve => {
    const t0 = Date.now()
    const req = request(
      { host: '127.0.0.1', port, path: '/healthz', timeout: 3000, agent: false },
      res => {
        res.resume()
        res.on('end', () => resolve({ t0, ms: Date.now() - t0, outcome: String(res.statusCode) }))
      }
    )
    let connected = false
    req.on('socket', sock => sock.on('connect', () => (connected = true)))
    req.on('timeout', () => req.destroy(new Error(connected ? 'timeout' : 'connect-timeout')))
    req.on('error', e =>
      resolve({
        t0,
        ms: Date.now() - t0,
        outcome:
          e.code === 'ECONNREFUSED'
            ? 'refused'
            : e.message === 'timeout'
              ? 'HANG(connected, no response)'
              : e.message === 'connect-timeout'
                ? 'HANG(connect)'
                : e.code
      })
    )
    req.end()
  })
}

const manifest = writeWeatherManifest(TAG)

for (let i = 1; i <= RUNS; i++) {
  const ns = `proxy-lag-${Date.now()}`
  let readyAt
  const w = await new Watch(kc()).watch(
    '/api/v1/pods',
    { fieldSelector: `metadata.namespace=${ns}` },
    (_t, pod) => {
      const c = pod.status?.conditions?.find(c => c.type === 'Ready')
      if (c?.status === 'True') readyAt ??= Date.now()
    },
    () => {}
  )
  await kubectl('create', 'namespace', ns)
  await kubectl('apply', '-n', ns, '-f', manifest)
  const port = await nodePortOf(ns, 'weather-service')
  const probes = []
  let first200
  const deadline = Date.now() + 60_000
  while (Date.now() < deadline && !(first200 && Date.now() > first200 + 1000)) {
    const p = probe(port).then(r => {
      if (r.outcome === '200' && first200 === undefined) first200 = r.t0 + r.ms
      return r
    })
    probes.push(p)
    await sleep(20)
  }
  const results = await Promise.all(probes)
  w.abort()
  await kubectl('delete', 'namespace', ns, '--wait=false')
  // Collapse runs of the same outcome: outcome [from..to ms relative to Ready] ×n
  const rel = t => (readyAt ? t - readyAt : NaN)
  const spans = []
  for (const r of results) {
    const last = spans.at(-1)
    if (last && last.outcome === r.outcome) {
      last.to = rel(r.t0)
      last.n++
      last.maxMs = Math.max(last.maxMs, r.ms)
    } else spans.push({ outcome: r.outcome, from: rel(r.t0), to: rel(r.t0), n: 1, maxMs: r.ms })
  }
  console.log(
    `run ${i}: port ${port}; probes (start time relative to Ready=True, ms): ` +
      spans
        .map(
          s =>
            `${s.outcome}×${s.n} [${s.from}..${s.to}${s.outcome.startsWith('HANG') ? `, ${s.maxMs} ms each` : ''}]`
        )
        .join(' → ')
  )
  // Let the pod go before the next run.
  for (let k = 0; k < 120; k++) {
    const r = await run('docker', [
      'ps',
      '-q',
      '--filter',
      `label=io.kubernetes.pod.namespace=${ns}`
    ])
    if (!r.stdout.trim()) break
    await sleep(250)
  }
}
