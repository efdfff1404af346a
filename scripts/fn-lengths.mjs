// Lists functions in src/ longer than a limit (default 80 lines), via the TypeScript compiler API.
import ts from 'typescript'
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
const limit = Number(process.argv[2] ?? 80)
const root = process.argv[3] ?? 'src'
const files = []
;(function walk(d) {
  for (const f of readdirSync(d)) {
    const p = join(d, f)
    if (statSync(p).isDirectory()) walk(p)
    else if (p.endsWith('.ts')) files.push(p)
  }
})(root)
const out = []
for (const file of files) {
  const sf = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true)
  const visit = n => {
    if (
      ts.isFunctionDeclaration(n) ||
      ts.isMethodDeclaration(n) ||
      ts.isArrowFunction(n) ||
      ts.isFunctionExpression(n)
    ) {
      const a = sf.getLineAndCharacterOfPosition(n.getStart()).line,
        b = sf.getLineAndCharacterOfPosition(n.getEnd()).line
      const len = b - a + 1
      let name =
        n.name?.getText?.() ??
        (ts.isVariableDeclaration(n.parent)
          ? n.parent.name.getText()
          : ts.isPropertyAssignment(n.parent)
            ? n.parent.name.getText()
            : '<anon>')
      if (len > limit) out.push([len, `${file}:${a + 1} ${name}`])
    }
    ts.forEachChild(n, visit)
  }
  visit(sf)
}
out.sort((x, y) => y[0] - x[0])
for (const [l, s] of out) console.log(l, s)
console.log(`${out.length} functions over ${limit} lines`)
