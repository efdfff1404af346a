// minikube's real output forms (fakes/minikube-outputs.ts, read from its source), as the action
// interprets them: status and its exit code, profile list, cache keys, the start flags it owns.

import { describe, expect, test } from '@jest/globals'
import {
  kubernetesKeyPart,
  minikubeCacheEntries,
  minikubeDir,
  parseMinikubeVersion
} from '../../src/cluster/cache.js'
import { checkProfileMatches, parseProfileList } from '../../src/cluster/profile.js'
import { ownedStartFlag, userChoosesWait } from '../../src/cluster/start-flags.js'
import { interpretMinikubeStatus } from '../../src/cluster/status.js'
import {
  MISCONFIGURED,
  MULTI,
  MULTI_PARTLY,
  MULTI_STOPPED,
  NONEXISTENT,
  NOT_FOUND_EVENTS,
  NOT_FOUND_TEXT,
  NULL_STATUS,
  PAUSED,
  PROFILE_LIST,
  PROFILE_LIST_DOCKER,
  RUNNING,
  STOPPED,
  UPDATE_EVENT
} from './fakes/minikube-outputs.js'

const status = (stdout: string, exitCode: number, stderr = '') =>
  interpretMinikubeStatus({ stdout, exitCode, stderr }, 'minikube')

describe('minikube status: what the profile is', () => {
  test.each([
    ['one node running', RUNNING, 0, 'running', 1],
    ['one node stopped', STOPPED, 7, 'stopped', 1],
    ['three nodes, workers with Irrelevant API server and kubeconfig', MULTI, 0, 'running', 3],
    ['two nodes stopped', MULTI_STOPPED, 7, 'stopped', 2],
    [
      'the update notice as a CloudEvent beside the status',
      `${UPDATE_EVENT}\n${RUNNING}`,
      0,
      'running',
      1
    ]
  ])('%s', (_name, stdout, code, state, nodes) => {
    expect(status(stdout, code)).toEqual({ state, nodes })
  })

  test.each([
    ['CloudEvents (-o json)', NOT_FOUND_EVENTS],
    ['text', NOT_FOUND_TEXT],
    ['nothing', '']
  ])('exit code 85 is "absent", whatever it printed: %s', (_name, stdout) => {
    expect(status(stdout, 85)).toEqual({ state: 'absent', nodes: 0 })
  })

  test.each([
    ['null, exit 0 (minikube 1.35–1.37)', NULL_STATUS, 0, 'printed null'],
    ['null, exit 7 (minikube 1.38)', NULL_STATUS, 7, 'printed null'],
    [
      'Host Nonexistent, exit 7 (minikube 1.33/1.34)',
      NONEXISTENT,
      7,
      'neither running nor stopped'
    ],
    ['a worker stopped', MULTI_PARTLY, 7, 'minikube-m02: host Stopped'],
    ['paused', PAUSED, 2, 'apiserver Paused'],
    ['kubeconfig stale', MISCONFIGURED, 4, 'minikube update-context -p minikube'],
    ['not JSON, not 85', 'E0823 12:00:00 status.go:1] something broke', 1, 'printed no status'],
    ['CloudEvents only, not 85', NOT_FOUND_EVENTS, 1, 'printed no status'],
    ['nothing, exit 0', '', 0, 'printed nothing'],
    ['JSON that is no status', '{"foo":1}', 0, 'unexpected status']
  ])('%s: an error that leaves the profile alone', (_name, stdout, code, says) => {
    let message = ''
    try {
      status(stdout, code)
    } catch (err) {
      message = (err as Error).message
    }
    expect(message).toContain(says)
    expect(message).toContain(`(exit code ${code})`)
    expect(message).toContain('the action leaves this profile alone')
  })
})

describe('minikube profile list: what an existing profile runs', () => {
  test('driver, runtime and node count of the named profile', () => {
    expect(parseProfileList(PROFILE_LIST, 'minikube')).toEqual({
      driver: 'docker',
      containerRuntime: 'containerd',
      nodes: 2,
      kubernetesVersion: 'v1.35.1'
    })
    expect(parseProfileList(PROFILE_LIST, 'other')).toMatchObject({
      driver: 'podman',
      containerRuntime: 'cri-o',
      nodes: 1
    })
    expect(parseProfileList(`${UPDATE_EVENT}\n${PROFILE_LIST_DOCKER}`, 'minikube')).toMatchObject({
      driver: 'docker',
      containerRuntime: 'docker',
      nodes: 1
    })
  })

  test.each([
    ['a profile it does not list', PROFILE_LIST, 'absent'],
    ['no profiles', '{"invalid":[],"valid":[]}', 'minikube'],
    ['an error body (exit 80)', '{"error":{"Op":"open"}}', 'minikube'],
    ['not JSON', 'nope', 'minikube']
  ])('%s: nothing known', (_name, stdout, profile) => {
    expect(parseProfileList(stdout, profile)).toBeUndefined()
  })

  const facts = {
    driver: 'docker',
    containerRuntime: 'containerd',
    nodes: 2,
    kubernetesVersion: ''
  }
  test('a profile that matches the inputs passes', () => {
    expect(() =>
      checkProfileMatches('minikube', facts, { driver: 'docker', containerRuntime: 'containerd' })
    ).not.toThrow()
  })
  test('another driver is refused, naming both', () => {
    expect(() => checkProfileMatches('minikube', facts, { driver: 'podman' })).toThrow(
      `minikube profile "minikube" already exists with the "docker" driver, but input 'driver' is "podman"`
    )
  })
  test('another runtime is refused, naming both', () => {
    expect(() =>
      checkProfileMatches('minikube', facts, { driver: 'docker', containerRuntime: 'docker' })
    ).toThrow(`the "containerd" container runtime, but the run expects "docker"`)
  })
})

describe('cache keys and paths', () => {
  const parts = {
    os: 'linux',
    arch: 'x64',
    minikubeVersion: '1.38.1',
    kubernetesVersion: 'v1.31.0',
    runtime: 'docker',
    driver: 'docker'
  }
  test('a base entry (kic image, ISO) and a Kubernetes entry (preload), exact keys', () => {
    expect(minikubeCacheEntries(parts, '/home/runner/.minikube/cache')).toEqual([
      {
        key: 'minikube-smoke-v2-linux-x64-minikube-1.38.1-base-docker',
        paths: ['/home/runner/.minikube/cache/kic', '/home/runner/.minikube/cache/iso']
      },
      {
        key: 'minikube-smoke-v2-linux-x64-minikube-1.38.1-k8s-1.31.0-docker-docker',
        paths: ['/home/runner/.minikube/cache/preloaded-tarball']
      }
    ])
  })
  test('v1.31.0 and 1.31.0 give one key; empty and stable are the default', () => {
    const key = (kubernetesVersion: string) =>
      minikubeCacheEntries({ ...parts, kubernetesVersion }, '/c')[1].key
    expect(key('v1.31.0')).toBe(key('1.31.0'))
    expect(key('')).toBe(key('stable'))
    expect(key('latest')).not.toBe(key(''))
    expect(kubernetesKeyPart('V1.31.0')).toBe('1.31.0')
  })
  test('runtime and driver are in the Kubernetes key (the preload differs by runtime)', () => {
    const k8s = (p: Partial<typeof parts>) => minikubeCacheEntries({ ...parts, ...p }, '/c')[1].key
    expect(k8s({ runtime: 'containerd' })).not.toBe(k8s({}))
    expect(k8s({ driver: 'podman' })).not.toBe(k8s({}))
  })
  test.each([
    [{}, '/home/u/.minikube'],
    [{ MINIKUBE_HOME: '/data/mk' }, '/data/mk/.minikube'],
    [{ MINIKUBE_HOME: '/data/mk/.minikube' }, '/data/mk/.minikube'],
    [{ MINIKUBE_HOME: '/data/mk/.minikube/' }, '/data/mk/.minikube/'],
    [{ MINIKUBE_HOME: '' }, '/home/u/.minikube']
  ])('minikube directory for %j (localpath.MiniPath)', (env, dir) => {
    expect(minikubeDir(env, '/home/u')).toBe(dir)
  })
  test('version parsing', () => {
    expect(parseMinikubeVersion('v1.38.1\n')).toBe('1.38.1')
    expect(
      parseMinikubeVersion(
        'minikube version: v1.38.1\ncommit: c93a4cb9311efc66b90d33ea03f75f2c4120e9b0'
      )
    ).toBe('1.38.1')
    expect(parseMinikubeVersion('garbage')).toBe('unknown')
  })
})

describe('start flags', () => {
  test.each([
    ['--driver=kvm2', '--driver'],
    ['--driver', '--driver'],
    ['--vm-driver=kvm2', '--vm-driver'],
    ['-d', '-d'],
    ['-dkvm2', '-d'],
    ['-d=kvm2', '-d'],
    ['-p', '-p'],
    ['-pother', '-p'],
    ['--profile=x', '--profile'],
    ['--kubernetes-version=v1.30.0', '--kubernetes-version']
  ])('%s is owned (%s)', (arg, flag) => {
    expect(ownedStartFlag(arg)?.flag).toBe(flag)
  })
  test.each([
    '--memory=4g',
    '-m',
    '-n',
    '--nodes=2',
    '--driverx',
    '--dry-run',
    'docker',
    // The runtime is the user's to choose (src/cluster/runtime.ts reads it).
    '-c',
    '-ccontainerd',
    '--container-runtime=containerd',
    '--wait=all'
  ])('%s is not owned', arg => expect(ownedStartFlag(arg)).toBeUndefined())
  test('the user chooses the wait set with --wait or MINIKUBE_WAIT, not --wait-timeout', () => {
    expect(userChoosesWait(['--wait=all'], {})).toBe(true)
    expect(userChoosesWait(['--wait', 'none'], {})).toBe(true)
    expect(userChoosesWait([], { MINIKUBE_WAIT: 'all' })).toBe(true)
    expect(userChoosesWait(['--wait-timeout=10m'], {})).toBe(false)
  })
})
