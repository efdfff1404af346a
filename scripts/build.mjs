// Bundles the action into dist/main: one entry serving main and post. ncc minifies the entry
// file but not the lazily loaded chunks (client-node alone is ~19 MB unminified), so the chunks
// are minified here. Output is deterministic, so check-dist can compare it byte for byte.

import { execFileSync } from 'node:child_process'
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { minify } from 'terser'

const out = 'dist/main'
rmSync(out, { recursive: true, force: true })
execFileSync('ncc', ['build', 'src/index.ts', '-o', out, '-m', '-q', '--license', 'licenses.txt'], {
  stdio: 'inherit'
})
for (const file of readdirSync(out).filter(f => /^\d+\.index\.js$/.test(f))) {
  const path = join(out, file)
  const result = await minify(readFileSync(path, 'utf8'), {
    module: true,
    compress: { passes: 1 },
    mangle: true,
    format: { comments: false }
  })
  writeFileSync(path, result.code)
}
let total = 0
for (const f of readdirSync(out)) total += readFileSync(join(out, f)).length
console.log(
  `dist/main: ${(total / 1024 / 1024).toFixed(2)} MiB in ${readdirSync(out).length} files`
)
