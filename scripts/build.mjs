// Bundles the action into dist/main: one entry serving main and post. ncc minifies the entry
// file but not the lazily loaded chunks (client-node alone is ~19 MB unminified), so the chunks
// are minified here, and every file is printed in ASCII. Output is deterministic, so check-dist
// can compare it byte for byte.

import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const out = 'dist/main'
rmSync(out, { recursive: true, force: true })
execFileSync('ncc', ['build', 'src/index.ts', '-o', out, '-m', '-q', '--license', 'licenses.txt'], {
  stdio: 'inherit'
})
// ascii_only: one character outside Latin-1 (an ellipsis in a message) makes V8 hold a whole
// file's source as a two-byte string, for as long as its functions live (lazy compilation reads
// it); escaped, the 3.8 MB of sources cost 3.8 MB, not 7.6, in each thread that loads them.
for (const file of readdirSync(out).filter(f => /\.js$/.test(f))) {
  const path = join(out, file)
  const chunk = /^\d+\.index\.js$/.test(file)
  const result = await minify(readFileSync(path, 'utf8'), {
    module: true,
    // The entry is minified by ncc already: only printed again, escaped.
    compress: chunk ? { passes: 1 } : false,
    mangle: chunk,
    format: { comments: false, ascii_only: true }
  })
  writeFileSync(path, result.code)
}
let total = 0
for (const f of readdirSync(out)) total += readFileSync(join(out, f)).length
console.log(
  `dist/main: ${(total / 1024 / 1024).toFixed(2)} MiB in ${readdirSync(out).length} files`
)
