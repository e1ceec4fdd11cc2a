// Every segment an endpoint refuses is counted twice: on the socket (Linux's sk_drops, what netstat
// shows per socket) and host-wide by its reason.

import { describe, expect, it } from 'vitest';
import type { TcpOption } from '../../../kernel/abi/wire/index.js';
import { REMOTE, Rig, TCP_ACK, TCP_SYN } from './harness.js';

const TS = (tsval: number, tsecr = 0): TcpOption => ({ kind: 'timestamp', tsval, tsecr });

describe('dropped segments', () => {
  it('count on the connection and by reason', () => {
    const rig = new Rig();
    const sk = rig.engine.socket();
    rig.engine.connect(sk, REMOTE, 80);
    const [syn] = rig.host.take();
    rig.peerPort = syn!.repr.srcPort;
    const iss = syn!.repr.seq;
    rig.inject({ srcPort: 80, dstPort: rig.peerPort, flags: TCP_SYN | TCP_ACK, seq: 5000, ack: iss + 1, win: 65535, options: [TS(1000, 0)] });
    rig.host.take();
    // An old timestamp (PAWS), then data far beyond the window.
    rig.inject({ srcPort: 80, dstPort: rig.peerPort, flags: TCP_ACK, seq: 5001, ack: iss + 1, payload: 10, options: [TS(10, 0)] });
    rig.inject({ srcPort: 80, dstPort: rig.peerPort, flags: TCP_ACK, seq: 5001 + 10_000_000, ack: iss + 1, payload: 10, options: [TS(1001, 0)] });
    expect(sk.drops).toBe(2);
    expect(rig.engine.mib.drops.get('tcp_rfc7323_paws')).toBe(1);
    expect([...rig.engine.mib.drops.values()].reduce((a, b) => a + b, 0)).toBe(2);
    expect(rig.engine.connections().find((c) => c.remotePort === 80)?.drops).toBe(2);
  });

  it('count on the listener when its queue is full', () => {
    const rig = new Rig();
    const ls = rig.engine.socket();
    rig.engine.bind(ls, 0, 8080);
    rig.engine.listen(ls, 0);
    for (let i = 0; i < 3; i++) {
      rig.peerPort = 40000 + i;
      rig.inject({ flags: TCP_SYN, seq: 0 });
      const [synack] = rig.host.take();
      if (synack) rig.inject({ flags: TCP_ACK, seq: 1, ack: synack.repr.seq + 1 });
    }
    expect(ls.drops).toBeGreaterThan(0);
    expect(ls.drops).toBe([...rig.engine.mib.drops.entries()].filter(([r]) => r.startsWith('tcp_listen') || r === 'tcp_reqqfulldrop').reduce((a, [, n]) => a + n, 0));
  });
});
