// Builds the image with `docker build` against the cluster's Docker engine (the docker-env map),
// so `imagePullPolicy: Never` finds it without any registry.

import { PhaseError } from './errors.js'
import type { CommandRunner, Logger } from './ports.js'
import { lastLines } from './cluster/minikube.js'

export interface BuildOptions {
  docker: string
  contextDir: string
  dockerfile: string
  ref: string
  buildArgs: Array<[string, string]>
  labels: Record<string, string>
  timeoutMs: number
}

export function dockerBuildArgs(o: BuildOptions): string[] {
  const args = ['build', '--tag', o.ref, '--file', o.dockerfile]
  for (const [key, value] of o.buildArgs) args.push('--build-arg', `${key}=${value}`)
  for (const [key, value] of Object.entries(o.labels)) args.push('--label', `${key}=${value}`)
  args.push(o.contextDir)
  return args
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

export async function buildImage(
  runner: CommandRunner,
  log: Logger,
  o: BuildOptions,
  dockerEnv: Record<string, string>
): Promise<{ ref: string; id: string }> {
  const args = dockerBuildArgs(o)
  log.info(`Running: docker ${args.join(' ')}`)
  const r = await runner.run(o.docker, args, {
    env: dockerEnv,
    timeoutMs: o.timeoutMs,
    stream: true
  })
  if (r.timedOut)
    throw new PhaseError('build', `docker build did not finish within ${o.timeoutMs / 1000} s`)
  if (r.exitCode !== 0) {
    const output = `${r.stdout}\n${r.stderr}`
    throw new PhaseError(
      'build',
      `docker build failed (exit code ${r.exitCode}): ${buildError(output)}`,
      output
    )
  }
  const inspect = await runner.run(o.docker, ['image', 'inspect', '--format', '{{.Id}}', o.ref], {
    env: dockerEnv,
    timeoutMs: 60_000
  })
  if (inspect.exitCode !== 0) {
    throw new PhaseError(
      'build',
      `the image ${o.ref} is not in the cluster's Docker engine after the build: ${lastLines(inspect.stderr)}`
    )
  }
  return { ref: o.ref, id: inspect.stdout.trim() }
}

/** The lines that say why a build failed, without the progress noise before them. */
export function buildError(output: string): string {
  const lines = output
    .split('\n')
    .map(l => l.trim())
    .filter(l => l !== '')
  const failing = lines.filter(l =>
    /^(ERROR|error|failed to|unable to|The command .* returned a non-zero code|COPY failed|ADD failed)|: not found$|no such file/i.test(
      l
    )
  )
  const chosen = failing.length > 0 ? failing.slice(-3) : lines.slice(-3)
  return chosen.join(' | ').slice(0, 1000)
}
