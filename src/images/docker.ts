// The docker build command (BuildKit where the client and engine have it: probeEngine), and
// reading docker's output (why a build failed, its last line). Everything is an argv array;
// build-arg values are left out of what is logged, and build secrets reach BuildKit through the
// environment of the one docker process (`env=` sources), never through the command line or a
// file. Tag and push are in deliver.ts, removing tags in cleanup.ts.

import { PhaseError } from '../errors.js'
import type { CommandRunner } from '../effects.js'
import type { BuildSecret } from './config.js'

export interface BuildJob {
  ref: string
  contextDir: string
  dockerfile: string
  buildArgs: Array<[string, string]>
  target: string
  labels: Record<string, string>
}

export interface Engine {
  /** Build with BuildKit (`DOCKER_BUILDKIT=1`); else the classic builder. */
  buildkit: boolean
  /** For the log: `client 20.10.24, engine 20.10.24, BuildKit`. */
  description: string
}

/** The variable a secret's value travels in, to the docker process only. */
function secretEnvName(index: number): string {
  return `MINIKUBE_SMOKE_BUILD_SECRET_${index}`
}

export function dockerBuildArgs(
  job: BuildJob,
  engine: Pick<Engine, 'buildkit'>,
  secrets: readonly BuildSecret[]
): string[] {
  const args = ['build', '--tag', job.ref, '--file', job.dockerfile]
  if (engine.buildkit) args.push('--progress=plain')
  if (job.target !== '') args.push('--target', job.target)
  for (const [key, value] of job.buildArgs) args.push('--build-arg', `${key}=${value}`)
  secrets.forEach((s, i) => args.push('--secret', `id=${s.id},env=${secretEnvName(i)}`))
  for (const [key, value] of Object.entries(job.labels)) args.push('--label', `${key}=${value}`)
  args.push(job.contextDir)
  return args
}

/** The build command as logged: build-arg names, not their values. */
export function loggedBuildCommand(args: readonly string[]): string {
  const shown = args.map((a, i) =>
    args[i - 1] === '--build-arg' && a.includes('=') ? `${a.slice(0, a.indexOf('='))}=…` : a
  )
  return `docker ${shown.join(' ')}`
}

/** The environment of one build: the engine's (docker-env), BuildKit on or off, the secrets. */
export function buildEnv(
  engineEnv: Record<string, string>,
  engine: Pick<Engine, 'buildkit'>,
  secrets: readonly BuildSecret[]
): Record<string, string> {
  const env: Record<string, string> = { ...engineEnv, DOCKER_BUILDKIT: engine.buildkit ? '1' : '0' }
  secrets.forEach((s, i) => (env[secretEnvName(i)] = s.value))
  return env
}

/**
 * BuildKit needs an engine from 18.09 on (Linux) and a client that has it: docker before 23
 * has it built in, docker 23 and later only through the buildx plugin (without it,
 * `DOCKER_BUILDKIT=1 docker build` fails: "BuildKit is enabled but the buildx component is
 * missing or broken").
 */
export async function probeEngine(
  runner: CommandRunner,
  docker: string,
  env: Record<string, string>
): Promise<Engine> {
  const [version, buildx] = await Promise.all([
    runner.run(
      docker,
      ['version', '--format', '{{.Client.Version}}|{{.Server.Version}}|{{.Server.Os}}'],
      {
        env,
        timeoutMs: 60_000
      }
    ),
    runner.run(docker, ['buildx', 'version'], { env, timeoutMs: 60_000 })
  ])
  if (version.exitCode !== 0) {
    throw new PhaseError(
      `the Docker engine${env.DOCKER_HOST ? ` at ${env.DOCKER_HOST}` : ''} does not answer (docker version, exit code ${version.exitCode}): ${lastLine(version.stderr || version.stdout)}`
    )
  }
  const [client = '', server = '', os = ''] = version.stdout.trim().split('|')
  const hasBuildx = buildx.exitCode === 0
  const clientHasIt = hasBuildx || (atLeast(client, 18, 9) && !atLeast(client, 23, 0))
  const buildkit = os === 'linux' && atLeast(server, 18, 9) && clientHasIt
  const why = buildkit
    ? 'BuildKit'
    : os !== 'linux' || !atLeast(server, 18, 9)
      ? 'classic builder (the engine has no BuildKit)'
      : 'classic builder (this docker client has BuildKit only with the buildx plugin, which is not installed)'
  return {
    buildkit,
    description: `docker client ${client}${hasBuildx ? ' with buildx' : ''}, engine ${server}: ${why}`
  }
}

function atLeast(version: string, major: number, minor: number): boolean {
  const m = /^v?(\d+)\.(\d+)/.exec(version)
  if (!m) return false
  const [a, b] = [Number(m[1]), Number(m[2])]
  return a > major || (a === major && b >= minor)
}

/** The lines that say why a build failed, without the progress noise before them. */
export function buildError(output: string): string {
  const lines = output
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '')
  const failing = lines.filter(l =>
    /^(#\d+ )?(ERROR|error|failed to|unable to|The command .* returned a non-zero code|COPY failed|ADD failed)|: not found$|no such file/i.test(
      l
    )
  )
  const chosen = failing.length > 0 ? failing.slice(-3) : lines.slice(-3)
  return chosen.join(' | ').slice(0, 1000)
}

export function lastLine(text: string): string {
  const lines = text
    .trim()
    .split('\n')
    .map(l => l.trim())
    .filter(Boolean)
  return (lines.at(-1) ?? '').slice(0, 500)
}

/** OCI labels tying the image to the commit it was built from. */
export function imageLabels(run: {
  serverUrl: string
  repository: string
  sha: string
  runId: string
}): Record<string, string> {
  const labels: Record<string, string> = {}
  if (run.repository !== '')
    labels['org.opencontainers.image.source'] = `${run.serverUrl}/${run.repository}`
  if (run.sha !== '') labels['org.opencontainers.image.revision'] = run.sha
  if (run.runId !== '') labels['io.github.minikube-smoke.run-id'] = run.runId
  return labels
}
