// Image references, compared the way Docker does: `weather-service:v1` and
// `docker.io/library/weather-service@sha256:…` are the same repository.

/** The repository part of an image reference: no tag, no digest. */
export function imageRepository(ref: string): string {
  const name = ref.split('@')[0]
  const slash = name.lastIndexOf('/')
  const colon = name.lastIndexOf(':')
  return colon > slash ? name.slice(0, colon) : name
}

/** Docker's normalisation of a repository name: the Docker Hub host and `library/` made explicit. */
export function normalizeRepository(repository: string): string {
  const repo = imageRepository(repository.trim())
  const first = repo.split('/')[0]
  const hasHost =
    repo.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost')
  const host = hasHost ? (first === 'index.docker.io' ? 'docker.io' : first) : 'docker.io'
  const path = hasHost ? repo.slice(first.length + 1) : repo
  return host === 'docker.io' && !path.includes('/') ? `${host}/library/${path}` : `${host}/${path}`
}

export function sameRepository(imageRef: string, repository: string): boolean {
  return normalizeRepository(imageRef) === normalizeRepository(repository)
}

/** The name `kubectl create deployment` gives the container: the image's last path segment. */
export function containerNameFor(imageRef: string): string {
  const repo = imageRepository(imageRef)
  const base = repo.slice(repo.lastIndexOf('/') + 1)
  return base
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 63)
}
