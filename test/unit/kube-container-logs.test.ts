import { describe, expect, it } from '@jest/globals'
import { containerLogs } from '../../src/kube/status/container-logs.js'
import type { ContainerStatus } from '../../src/kube/types.js'

const crashed = { terminated: { exitCode: 1, reason: 'Error' } }

describe('containerLogs: which log explains a container', () => {
  const table: Array<[string, ContainerStatus | undefined, ReturnType<typeof containerLogs>]> = [
    ['no status', undefined, { current: false, previous: false }],
    [
      'never started (image pull)',
      { name: 'c', restartCount: 0, state: { waiting: { reason: 'ErrImagePull' } } },
      { current: false, previous: false }
    ],
    [
      'running, never restarted (unready)',
      { name: 'c', restartCount: 0, state: { running: {} } },
      { current: true, previous: false, explains: 'current' }
    ],
    [
      'down after a crash: the current log is the run that crashed',
      {
        name: 'c',
        restartCount: 3,
        state: { waiting: { reason: 'CrashLoopBackOff' } },
        lastState: crashed
      },
      { current: true, previous: true, explains: 'current' }
    ],
    [
      'running again after a crash: the run that ended is previous',
      { name: 'c', restartCount: 1, state: { running: {} }, lastState: crashed },
      { current: true, previous: true, explains: 'previous' }
    ],
    [
      'terminated and not restarted (restartPolicy Never)',
      { name: 'c', restartCount: 0, state: crashed },
      { current: true, previous: false, explains: 'current' }
    ]
  ]
  it.each(table)('%s', (_, status, expected) => {
    expect(containerLogs(status)).toEqual(expected)
  })
})
