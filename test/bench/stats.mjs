// Small statistics and formatting helpers for the bench (no dependencies).

export function median(values) {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b)
  if (v.length === 0) return null
  const mid = Math.floor(v.length / 2)
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2
}

export function summary(values) {
  const v = values.filter(Number.isFinite)
  if (v.length === 0) return { n: 0, median: null, min: null, max: null, mean: null, cv: null }
  const mean = v.reduce((a, b) => a + b, 0) / v.length
  const sd = Math.sqrt(v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length)
  return {
    n: v.length,
    median: median(v),
    min: Math.min(...v),
    max: Math.max(...v),
    mean,
    /** Coefficient of variation (population sd / mean). */
    cv: mean === 0 ? null : sd / mean
  }
}

export const round = (x, digits = 0) =>
  x === null || x === undefined || !Number.isFinite(x) ? null : Number(x.toFixed(digits))

/** `1234 ms` below 10 s, else `12.3 s`; `–` for nothing. */
export function ms(x) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '–'
  return Math.abs(x) < 10_000 ? `${Math.round(x)} ms` : `${(x / 1000).toFixed(1)} s`
}

export function range(s, fmt = ms) {
  if (!s.n) return '–'
  return `${fmt(s.median)} (${fmt(s.min)} – ${fmt(s.max)}, n=${s.n})`
}

export function bytes(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(2)} MiB`
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`
  return `${n} B`
}

/** A plain text table: rows of cells, first row is the header. */
export function table(rows) {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => String(r[i] ?? '').length)))
  const line = r =>
    r
      .map((c, i) => String(c ?? '').padEnd(widths[i]))
      .join('  ')
      .trimEnd()
  return [line(rows[0]), widths.map(w => '-'.repeat(w)).join('  '), ...rows.slice(1).map(line)]
    .map(l => `  ${l}`)
    .join('\n')
}
