import { describe, expect, it } from '@jest/globals'
import {
  containerNameFor,
  imageRepository,
  normalizeRepository,
  sameRepository
} from '../../src/kube/image-ref.js'
import { isDns1123Label, newRunKey, runMetadata, toDns1123Label } from '../../src/kube/names.js'

describe('image references', () => {
  it.each([
    ['weather-service', 'weather-service'],
    ['weather-service:1.0', 'weather-service'],
    ['localhost:5000/team/app:dev', 'localhost:5000/team/app'],
    ['localhost:5000/team/app', 'localhost:5000/team/app'],
    ['app@sha256:abcd', 'app'],
    ['ghcr.io/o/app:v1@sha256:abcd', 'ghcr.io/o/app']
  ])('repository of %s is %s', (ref, repo) => expect(imageRepository(ref)).toBe(repo))

  it('compares repositories like Docker', () => {
    expect(normalizeRepository('weather-service')).toBe('docker.io/library/weather-service')
    expect(normalizeRepository('docker.io/weather-service:x')).toBe(
      'docker.io/library/weather-service'
    )
    expect(normalizeRepository('index.docker.io/library/weather-service')).toBe(
      'docker.io/library/weather-service'
    )
    expect(normalizeRepository('team/app')).toBe('docker.io/team/app')
    expect(sameRepository('docker.io/library/weather-service:old', 'weather-service')).toBe(true)
    expect(sameRepository('weather-service-v2:1', 'weather-service')).toBe(false)
    expect(sameRepository('ghcr.io/x/weather-service:1', 'weather-service')).toBe(false)
    expect(containerNameFor('ghcr.io/x/Weather_Service:1')).toBe('weather-service')
  })
})

describe('names', () => {
  it('makes RFC 1123 labels and random run keys', () => {
    const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => i * 40)
    expect(newRunKey(bytes)).toBe('aeimq')
    expect(newRunKey(bytes)).toMatch(/^[a-z0-9]{5}$/)
    expect(toDns1123Label('--A--')).toBe('a')
    expect(isDns1123Label('Smoke')).toBe(false)
    expect(isDns1123Label('a'.repeat(64))).toBe(false)
  })

  it('puts selectable facts in labels and free text in annotations', () => {
    expect(
      runMetadata({
        repository: 'octo/weather',
        runId: '42',
        runAttempt: '1',
        sha: 'a'.repeat(40),
        key: 'k3y0a'
      })
    ).toEqual({
      labels: {
        'app.kubernetes.io/managed-by': 'minikube-smoke',
        'minikube-smoke/run': '42-1-k3y0a',
        'minikube-smoke/sha': 'a'.repeat(40)
      },
      annotations: {
        'minikube-smoke/repository': 'octo/weather',
        'minikube-smoke/run-id': '42',
        'minikube-smoke/run-attempt': '1',
        'minikube-smoke/sha': 'a'.repeat(40)
      }
    })
  })
})
