// Image reference syntax, as Docker's reference grammar has it (distribution/reference), for
// validating inputs. Comparing references the way Docker does is kube/image-ref.ts.

const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/
const HOST = /^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::\d+)?$/
const TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$/

/** Docker's rule: a first path part is a host when it has a `.` or `:`, or is `localhost`. */
function looksLikeHost(part: string): boolean {
  return /[.:]/.test(part) || part === 'localhost'
}

/** True when the first path part of a name is a registry host (`ghcr.io`, `localhost:5000`). */
export function hasRegistryHost(name: string): boolean {
  const parts = name.split('/')
  return parts.length > 1 && looksLikeHost(parts[0])
}

/** A Docker repository: optional registry host[:port], then lowercase path components. */
export function isImageRepository(value: string): boolean {
  if (value.length > 255) return false
  const parts = value.split('/')
  let first = 0
  if (hasRegistryHost(value)) {
    if (!HOST.test(parts[0])) return false
    first = 1
  }
  return parts.length > first && parts.slice(first).every(p => COMPONENT.test(p))
}

export function isTag(value: string): boolean {
  return TAG.test(value)
}

/** `repository:tag`, `repository@digest` or `repository:tag@digest`: a reference that pins an image. */
export function isPinnedReference(value: string): boolean {
  const [name, digest, extra] = value.split('@')
  if (extra !== undefined) return false
  if (digest !== undefined && !DIGEST.test(digest)) return false
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  const hasTag = colon > slash
  const repository = hasTag ? name.slice(0, colon) : name
  if (!isImageRepository(repository)) return false
  if (hasTag && !TAG.test(name.slice(colon + 1))) return false
  return hasTag || digest !== undefined
}

/** A registry to push to: `host[:port]` with an optional lowercase path, e.g. `ghcr.io/org`. */
export function isRegistry(value: string): boolean {
  const parts = value.split('/')
  if (!HOST.test(parts[0]) || !looksLikeHost(parts[0])) return false
  return parts.slice(1).every(p => COMPONENT.test(p))
}
