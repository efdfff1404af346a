// Parses `minikube docker-env` output into an environment map, never through a shell.
// Formats, as minikube prints them:
//   --shell none:  DOCKER_TLS_VERIFY=1\nDOCKER_HOST=tcp://192.168.49.2:2376\n...
//   -o json:       {"DOCKER_TLS_VERIFY":"1","DOCKER_HOST":"tcp://...",...}
//   (bash, tolerated): export DOCKER_HOST="tcp://..." plus `#` comment lines

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/

export function parseDockerEnv(output: string): Record<string, string> {
  const text = output.trim()
  if (text.startsWith('{')) {
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new Error(`minikube docker-env printed invalid JSON: ${text.slice(0, 200)}`)
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw new Error('minikube docker-env printed JSON that is not an object')
    }
    const env: Record<string, string> = {}
    for (const [key, value] of Object.entries(parsed)) {
      if (NAME.test(key) && (typeof value === 'string' || typeof value === 'number')) {
        env[key] = String(value)
      }
    }
    return requireDockerHost(env, text)
  }
  const env: Record<string, string> = {}
  for (const raw of text.split('\n')) {
    const line = raw.trim().replace(/^export\s+/, '')
    if (line === '' || line.startsWith('#')) continue
    const eq = line.indexOf('=')
    if (eq <= 0) continue
    const key = line.slice(0, eq)
    if (!NAME.test(key)) continue
    env[key] = unquote(line.slice(eq + 1))
  }
  return requireDockerHost(env, text)
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.endsWith(value[0])) {
    return value.slice(1, -1)
  }
  return value
}

function requireDockerHost(env: Record<string, string>, text: string): Record<string, string> {
  if (!env.DOCKER_HOST) {
    throw new Error(`minikube docker-env printed no DOCKER_HOST: ${text.slice(0, 200)}`)
  }
  return env
}
