// Renders a job summary (Markdown) the way GitHub shows it: Markdown to HTML (marked), every
// ```mermaid block drawn by the `mermaid` npm package, in Debian's headless chromium, from a
// file:// page (no network). Reports, per diagram, whether Mermaid parsed and drew it; can keep a
// screenshot of the page.
//
//   node test/support/render-summary.mjs SUMMARY.md [SCREENSHOT.png]   prints the result as JSON

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

const REPO = resolve(import.meta.dirname, '../..')
const MERMAID = join(REPO, 'node_modules/mermaid/dist/mermaid.min.js')
const MARKED = join(REPO, 'node_modules/marked/lib/marked.umd.js')

/** The chromium binary, or undefined. */
export function findChromium() {
  for (const name of ['chromium', 'chromium-browser']) {
    const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' })
    if (r.status === 0 && r.stdout.trim()) return r.stdout.trim()
  }
  return undefined
}

// The page: Markdown → HTML, then each mermaid code block parsed and rendered in place; the
// outcome goes into #results as JSON (read back with --dump-dom).
const PAGE_SCRIPT = `
(async () => {
  const out = document.getElementById('results')
  const results = []
  try {
    const md = JSON.parse(document.getElementById('markdown').textContent)
    document.getElementById('summary').innerHTML = marked.parse(md)
    mermaid.initialize({ startOnLoad: false, securityLevel: 'strict', theme: 'default' })
    const blocks = [...document.querySelectorAll('code.language-mermaid')]
    let i = 0
    for (const code of blocks) {
      const text = code.textContent
      const kind = text.trim().split(/\\s/)[0]
      const r = { kind, ok: false }
      try {
        await mermaid.parse(text)
        const { svg } = await mermaid.render('diagram' + i++, text)
        const holder = document.createElement('div')
        holder.className = 'diagram'
        holder.innerHTML = svg
        code.parentElement.replaceWith(holder)
        r.error = /aria-roledescription="error"|Syntax error in text/.test(svg) ? 'error graphic' : undefined
        r.ok = !r.error
        r.rects = holder.querySelectorAll('rect').length
        r.texts = [...holder.querySelectorAll('text')].map(t => t.textContent).slice(0, 400)
      } catch (err) {
        r.error = String(err && err.message || err).slice(0, 2000)
      }
      results.push(r)
    }
    const height = document.documentElement.scrollHeight
    out.textContent = JSON.stringify({ done: true, height, results })
  } catch (err) {
    out.textContent = JSON.stringify({ done: false, error: String(err), results })
  }
  document.body.setAttribute('data-done', '1')
})()
`

const STYLE = `
body { font: 14px -apple-system, 'Segoe UI', 'Noto Sans', Helvetica, Arial, sans-serif; margin: 24px; color: #1f2328; max-width: 1100px; }
table { border-collapse: collapse; margin: 8px 0; } th, td { border: 1px solid #d0d7de; padding: 4px 10px; }
code { background: #eff1f3; padding: 1px 4px; border-radius: 4px; } pre { background: #f6f8fa; padding: 8px; overflow: auto; }
h2 { border-bottom: 1px solid #d0d7de; } .diagram { margin: 8px 0; } #results { display: none; }
`

function pageHtml(markdown) {
  // JSON inside <script type=application/json>: only '</' needs breaking up.
  const data = JSON.stringify(markdown).replace(/<\//g, '<\\/')
  return `<!doctype html><html><head><meta charset="utf-8"><style>${STYLE}</style>
<script src="${pathToFileURL(MARKED).href}"></script>
<script src="${pathToFileURL(MERMAID).href}"></script></head>
<body><div id="summary"></div><pre id="results"></pre>
<script type="application/json" id="markdown">${data}</script>
<script>${PAGE_SCRIPT}</script></body></html>`
}

function chromiumArgs(profile) {
  return [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    `--user-data-dir=${profile}`,
    // Lets the page's async rendering finish before the DOM is dumped or the shot taken.
    '--virtual-time-budget=60000',
    '--run-all-compositor-stages-before-draw'
  ]
}

/**
 * Renders the summary. Returns {done, height, results: [{kind, ok, error?, rects, texts}]}; with
 * `screenshot`, also writes a PNG of the page there. Throws when chromium is missing or fails.
 */
export function renderSummary(markdown, { screenshot } = {}) {
  const chromium = findChromium()
  if (!chromium) {
    throw new Error(
      'chromium is not installed: apt-get install -y chromium (scripts/test-all.sh does it)'
    )
  }
  const dir = mkdtempSync(join(tmpdir(), 'summary-render-'))
  try {
    const page = join(dir, 'summary.html')
    writeFileSync(page, pageHtml(markdown))
    const url = pathToFileURL(page).href
    const dump = spawnSync(chromium, [...chromiumArgs(join(dir, 'profile')), '--dump-dom', url], {
      encoding: 'utf8',
      timeout: 180_000,
      maxBuffer: 64 * 1024 * 1024
    })
    const match = /<pre id="results">([^<]*)<\/pre>/.exec(dump.stdout ?? '')
    if (!match || !match[1]) {
      throw new Error(
        `chromium rendered no result (exit ${dump.status}${dump.error ? `, ${dump.error.message}` : ''}): ${(dump.stderr ?? '').slice(-1500)}`
      )
    }
    const result = JSON.parse(decodeHtml(match[1]))
    if (screenshot) {
      const shot = spawnSync(
        chromium,
        [
          ...chromiumArgs(join(dir, 'profile-shot')),
          // As tall as the page the first pass rendered (bounded).
          `--window-size=1200,${Math.min(12_000, Math.max(600, (result.height ?? 3000) + 40))}`,
          `--screenshot=${screenshot}`,
          url
        ],
        { encoding: 'utf8', timeout: 180_000 }
      )
      if (shot.status !== 0) {
        throw new Error(`chromium --screenshot exited ${shot.status}: ${shot.stderr.slice(-1500)}`)
      }
    }
    return result
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function decodeHtml(text) {
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
}

if (process.argv[1] === import.meta.filename) {
  const [file, shot] = process.argv.slice(2)
  const result = renderSummary(readFileSync(file, 'utf8'), { screenshot: shot })
  console.log(JSON.stringify(result, null, 2))
}
