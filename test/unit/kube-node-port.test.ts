import { describe, expect, it } from '@jest/globals'
import { nodeInternalIP, nodePortUrl, serviceUrl } from '../../src/kube/node-port.js'
import type { Node, Service } from '../../src/kube/types.js'
import { FakeKube } from './kube-fake.js'

const service: Service = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'ns' },
  spec: {
    type: 'NodePort',
    ports: [
      { port: 9090, nodePort: 31001, protocol: 'TCP' },
      { port: 80, nodePort: 31002, protocol: 'TCP' }
    ]
  }
}

function node(name: string, ip: string | undefined, ready: boolean): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name },
    status: {
      addresses: [
        { type: 'Hostname', address: name },
        ...(ip ? [{ type: 'InternalIP', address: ip }] : [])
      ],
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }]
    }
  }
}

describe('serviceUrl / nodePortUrl', () => {
  it('builds http://host:nodePort for the chosen port', () => {
    expect(serviceUrl(service, '127.0.0.1', 80)).toEqual({
      url: 'http://127.0.0.1:31002',
      nodePort: 31002,
      host: '127.0.0.1'
    })
    expect(serviceUrl(service, '127.0.0.1').nodePort).toBe(31001)
    expect(serviceUrl(service, 'fd00::1', 80).url).toBe('http://[fd00::1]:31002')
  })

  it('explains a missing port or a Service without node ports', () => {
    expect(() => serviceUrl(service, 'h', 8080)).toThrow(
      'service "web" has no port 8080 (ports: 9090, 80)'
    )
    const clusterIp: Service = { ...service, spec: { ports: [{ port: 80 }] } }
    expect(() => serviceUrl(clusterIp, 'h')).toThrow(
      'service "web" is of type ClusterIP: port 80 has no nodePort'
    )
  })

  it('reads the Service from the cluster', async () => {
    const kube = new FakeKube()
    kube.put(service)
    await expect(nodePortUrl(kube, 'ns', 'web', '127.0.0.1', 80)).resolves.toMatchObject({
      url: 'http://127.0.0.1:31002'
    })
    await expect(nodePortUrl(kube, 'ns', 'nope', '127.0.0.1')).rejects.toThrow(
      'services "nope" not found in namespace "ns"'
    )
  })
})

describe('nodeInternalIP', () => {
  it('prefers a Ready node, by name', async () => {
    const kube = new FakeKube()
    kube.put(node('b', '10.0.0.2', true))
    kube.put(node('a', '10.0.0.1', false))
    kube.put(node('c', '10.0.0.3', true))
    await expect(nodeInternalIP(kube)).resolves.toBe('10.0.0.2')
  })

  it('asks for url-host when no node has an InternalIP', async () => {
    const kube = new FakeKube()
    kube.put(node('a', undefined, true))
    await expect(nodeInternalIP(kube)).rejects.toThrow(
      "no node reports an InternalIP address: set the 'url-host' input"
    )
    await expect(nodeInternalIP(new FakeKube())).rejects.toThrow('the cluster has no nodes')
  })
})
