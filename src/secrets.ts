// Values that must never be shown: registered once, masked in the log by the runner (add-mask) and
// replaced by *** in every text the action writes to a file (job summary, JSON report, JUnit, the
// diagnostics bundle), since files are not masked by anyone else.
//
//   const secrets = new SecretRegistry(v => core.setSecret(v))
//   secrets.register(value)            e.g. a build secret, a smoke check's Authorization header
//   writeFile(path, secrets.redact(text))     secrets.redactDeep(report) before JSON.stringify

export const REDACTED = '***'

export class SecretRegistry {
  private readonly values = new Set<string>()
  /** Every form searched for, longest first (so a longer secret is not half-replaced). */
  private forms: string[] = []

  /** mask: tells the log (core.setSecret); called once per new value. */
  constructor(private readonly mask: (value: string) => void = () => {}) {}

  register(value: string): void {
    const v = value.trim()
    if (v === '' || this.values.has(v)) return
    this.values.add(v)
    this.mask(v)
    const forms = new Set(this.forms)
    // As written, inside a JSON string, and URL-encoded (a token in a logged query string).
    for (const f of [v, JSON.stringify(v).slice(1, -1), encodeURIComponent(v)]) forms.add(f)
    this.forms = [...forms].sort((a, b) => b.length - a.length)
  }

  get size(): number {
    return this.values.size
  }

  redact(text: string): string {
    let out = text
    for (const f of this.forms) if (out.includes(f)) out = out.split(f).join(REDACTED)
    return out
  }

  /** A copy with every string (keys too) redacted; for objects written as JSON or YAML. */
  redactDeep<T>(value: T): T {
    if (this.forms.length === 0) return value
    const walk = (v: unknown): unknown => {
      if (typeof v === 'string') return this.redact(v)
      if (Array.isArray(v)) return v.map(walk)
      if (v && typeof v === 'object') {
        return Object.fromEntries(Object.entries(v).map(([k, x]) => [this.redact(k), walk(x)]))
      }
      return v
    }
    return walk(value) as T
  }
}
