// The minikube cluster provider: reuse a running profile or start one, then hand out its docker
// env, `minikube image load` and node address. Every command is an argv array; nothing goes
// through a shell.

import { PhaseError } from '../errors.js'
import type { CommandRunner, Logger } from '../effects.js'
import { parseDockerEnv } from './docker-env.js'
import { parseProfileList, type ProfileFacts } from './profile.js'
import { START_WAIT, userChoosesWait } from './start-flags.js'
import { interpretMinikubeStatus, type MinikubeStatus } from './status.js'
import type { ContainerRuntime } from './runtime.js'
import type { ClusterSession, PriorState } from './types.js'

export interface MinikubeOptions {
  minikube: string
  profile: string
  driver: string
  kubernetesVersion: string
  startArgs: string[]
  startTimeoutMs: number
  /** The environment minikube runs with: MINIKUBE_* variables set flags too. */
  env?: Readonly<Record<string, string | undefined>>
}

const QUICK_TIMEOUT_MS = 60_000

export class Minikube {
  constructor(
    private readonly runner: CommandRunner,
    private readonly log: Logger,
    private readonly opts: MinikubeOptions
  ) {}

  async status(): Promise<MinikubeStatus> {
    const r = await this.runner.run(
      this.opts.minikube,
      ['status', '-p', this.opts.profile, '-o', 'json'],
      {
        timeoutMs: QUICK_TIMEOUT_MS
      }
    )
    if (r.timedOut) throw new PhaseError(`minikube status -p ${this.opts.profile} did not answer`)
    return interpretMinikubeStatus(r, this.opts.profile)
  }

  /** What an existing profile really runs, or undefined when minikube does not say. */
  async profileFacts(): Promise<ProfileFacts | undefined> {
    const r = await this.runner.run(
      this.opts.minikube,
      ['profile', 'list', '-o', 'json', '--light'],
      { timeoutMs: QUICK_TIMEOUT_MS }
    )
    return r.exitCode === 0 ? parseProfileList(r.stdout, this.opts.profile) : undefined
  }

  startArgs(): string[] {
    const args = ['start', '-p', this.opts.profile, `--driver=${this.opts.driver}`]
    if (this.opts.kubernetesVersion !== '')
      args.push(`--kubernetes-version=${this.opts.kubernetesVersion}`)
    if (!userChoosesWait(this.opts.startArgs, this.opts.env ?? {}))
      args.push(`--wait=${START_WAIT}`)
    return [...args, ...this.opts.startArgs]
  }

  /**
   * Starts the profile unless it already runs (`before`: its status). `onStarting` fires before
   * `minikube start` so teardown knows about a cluster even if this step dies half-way through.
   */
  async up(
    before: MinikubeStatus,
    onStarting: (prior: PriorState) => void | Promise<void>
  ): Promise<{ prior: PriorState; nodes: number }> {
    if (before.state === 'running') {
      this.log.info(
        `minikube profile "${this.opts.profile}" is already running: reusing it (it will not be deleted)`
      )
      return { prior: 'running', nodes: before.nodes }
    }
    await onStarting(before.state)
    const args = this.startArgs()
    this.log.info(`Running: minikube ${args.join(' ')}`)
    const r = await this.runner.run(this.opts.minikube, args, {
      timeoutMs: this.opts.startTimeoutMs,
      stream: true
    })
    if (r.timedOut) {
      throw new PhaseError(
        `minikube start did not finish within ${this.opts.startTimeoutMs / 1000} s`
      )
    }
    if (r.exitCode !== 0) {
      throw new PhaseError(
        `minikube start failed (exit code ${r.exitCode}): ${lastLines(r.stderr || r.stdout)}`
      )
    }
    const after = await this.status().catch(() => undefined)
    if (after?.state !== 'running') {
      throw new PhaseError(
        `minikube start returned but "minikube status -p ${this.opts.profile}" does not say it is running`
      )
    }
    return { prior: before.state, nodes: after.nodes }
  }

  /** The environment `eval $(minikube docker-env)` would set, as a map. */
  async dockerEnv(nodes: number, driver = this.opts.driver): Promise<Record<string, string>> {
    if (driver === 'none') {
      // With the none driver Kubernetes runs on this host's Docker engine: build there directly.
      this.log.info('driver "none": building with the host Docker engine, which the cluster uses')
      return {}
    }
    if (nodes > 1) {
      // images/strategy.ts refuses docker-env on several nodes first; this guards other callers.
      throw new PhaseError(
        `minikube docker-env does not work with multi-node clusters (profile "${this.opts.profile}" has ${nodes} nodes): ` +
          'use load: image-load (or leave load empty to choose it) or registry'
      )
    }
    const r = await this.runner.run(
      this.opts.minikube,
      ['docker-env', '-p', this.opts.profile, '--shell', 'none'],
      { timeoutMs: QUICK_TIMEOUT_MS }
    )
    if (r.exitCode !== 0) {
      throw new PhaseError(
        `minikube docker-env failed (exit code ${r.exitCode}): ${lastLines(r.stderr || r.stdout)}`
      )
    }
    try {
      return parseDockerEnv(r.stdout)
    } catch (err) {
      throw new PhaseError((err as Error).message)
    }
  }

  async ip(): Promise<string> {
    const r = await this.runner.run(this.opts.minikube, ['ip', '-p', this.opts.profile], {
      timeoutMs: QUICK_TIMEOUT_MS
    })
    const ip = r.stdout.trim().split('\n').pop() ?? ''
    if (r.exitCode !== 0 || ip === '') {
      throw new PhaseError(
        `minikube ip failed (exit code ${r.exitCode}): ${lastLines(r.stderr || r.stdout)}`
      )
    }
    return ip
  }

  /** `minikube image load --daemon REF`: from the runner's Docker engine into every node. */
  async loadImage(ref: string, timeoutMs: number): Promise<void> {
    const args = ['image', 'load', '--daemon', ref, '-p', this.opts.profile]
    this.log.info(`Running: minikube ${args.join(' ')}`)
    const r = await this.runner.run(this.opts.minikube, args, { timeoutMs })
    if (r.timedOut) {
      throw new PhaseError(`minikube image load ${ref} did not finish within ${timeoutMs / 1000} s`)
    }
    if (r.exitCode !== 0) {
      throw new PhaseError(
        `minikube image load ${ref} failed (exit code ${r.exitCode}): ${lastLines(r.stderr || r.stdout)}`
      )
    }
  }

  session(facts: { nodes: number; runtime: ContainerRuntime; driver: string }): ClusterSession {
    return {
      kind: 'minikube',
      kubeContext: this.opts.profile, // minikube names the kubeconfig context after the profile
      runtime: facts.runtime,
      nodes: facts.nodes,
      dockerEnv: () => this.dockerEnv(facts.nodes, facts.driver),
      loadImage: (ref, timeoutMs) => this.loadImage(ref, timeoutMs),
      urlHost: () => this.ip()
    }
  }
}

export type ClusterTeardownAction = 'delete' | 'stop' | 'keep'

/** What teardown does to a minikube profile, given how it was before this run. */
export function clusterTeardownAction(
  prior: PriorState | undefined,
  deleteCluster: boolean
): ClusterTeardownAction {
  if (!deleteCluster || prior === undefined || prior === 'running') return 'keep'
  return prior === 'absent' ? 'delete' : 'stop'
}

function lastLines(text: string, n = 5): string {
  return text.trim().split('\n').slice(-n).join(' | ').slice(0, 1000)
}
