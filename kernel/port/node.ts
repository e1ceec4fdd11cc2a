// The host port on Node.js: the only file below kernel/world that may import node: modules.

import { randomBytes } from 'node:crypto';
import * as dgram from 'node:dgram';
import type { HostPort, RealUdpSocket } from './port.js';

function udpSocket(): RealUdpSocket {
  const s = dgram.createSocket('udp4');
  return {
    bind: (port, address) =>
      new Promise((resolve, reject) => {
        const onError = (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message));
        s.once('error', onError);
        s.bind(port, address, () => {
          s.off('error', onError);
          resolve();
        });
      }),
    send: (data, port, address) => s.send(data, port, address),
    // A copy: the datagram outlives this callback in the world's queues.
    onMessage: (fn) => s.on('message', (msg, rinfo) => fn(new Uint8Array(msg), rinfo.address, rinfo.port)),
    onError: (fn) => s.on('error', (e) => fn(e.message)),
    localPort: () => s.address().port,
    close: () => s.close(),
  };
}

export const nodePort: HostPort = {
  immediate: (fn) => void setImmediate(fn),
  timeout: (ms, fn) => {
    const h = setTimeout(fn, ms);
    return () => clearTimeout(h);
  },
  monotonicNs: () => process.hrtime.bigint(),
  epochNs: () => Date.now() * 1e6,
  randomBytes: (n) => new Uint8Array(randomBytes(n)),
  udpSocket,
};
