// The metrics cache of the engine alone (tcp_metrics.c): a connection that ends well leaves its
// RTT for its destination, and the next connection there starts its RTO from it when its own
// handshake sample is smaller (tcp_init_metrics).

import { describe, expect, it } from 'vitest';
import { TCP_ESTABLISHED, TCP_TIME_WAIT } from '../../../kernel/abi/tcp.js';
import type { TcpOption } from '../../../kernel/abi/wire/index.js';
import { REMOTE, Rig, TCP_ACK, TCP_FIN, TCP_SYN } from './harness.js';

const SYNACK_OPTIONS: TcpOption[] = [{ kind: 'mss', mss: 1460 }, { kind: 'sackPermitted' }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }];

/** connect() to REMOTE:80 answered after `rttMs`; the established socket. */
function open(rig: Rig, rttMs: number) {
  const sk = rig.engine.socket();
  rig.engine.connect(sk, REMOTE, 80);
  const [syn] = rig.host.take();
  rig.host.advance(rttMs);
  rig.inject({ srcPort: 80, dstPort: syn!.repr.srcPort, flags: TCP_SYN | TCP_ACK, seq: 5000, ack: syn!.repr.seq + 1, options: SYNACK_OPTIONS });
  rig.host.take();
  expect(sk.state).toBe(TCP_ESTABLISHED);
  return { sk, port: syn!.repr.srcPort, iss: syn!.repr.seq };
}

describe('the TCP metrics cache', () => {
  it('seeds the next connection to a destination with the RTT the last one measured', () => {
    const rig = new Rig();
    const first = open(rig, 300);
    // An active close: our FIN, the peer's ACK and FIN, TIME_WAIT.
    rig.engine.close(first.sk);
    rig.host.take();
    rig.inject({ srcPort: 80, dstPort: first.port, flags: TCP_FIN | TCP_ACK, seq: 5001, ack: first.iss + 2 });
    expect(rig.engine.connections().some((c) => c.state === TCP_TIME_WAIT)).toBe(true);
    rig.host.take();
    // srtt: 300 ms from the handshake, then the FIN's ACK at once: 7/8 of it (scaled by 8).
    const [entry] = rig.engine.metrics.list();
    expect(entry).toMatchObject({ daddr: REMOTE, rtt: 262_500 * 8 });

    const second = open(rig, 10);
    // From the cache, in jiffies: 262 ms + max(2 x 262 ms, 200 ms), where its own 10 ms sample
    // gives about 210 ms.
    expect(second.sk.rtoUs).toBe(786_000);
    const fresh = open(new Rig(), 10);
    expect(fresh.sk.rtoUs).toBeLessThan(300_000);
  });

  it('keeps nothing with tcp_no_metrics_save', () => {
    const rig = new Rig();
    rig.host.sysctl.tcp_no_metrics_save = 1;
    const c = open(rig, 300);
    rig.engine.close(c.sk);
    rig.inject({ srcPort: 80, dstPort: c.port, flags: TCP_FIN | TCP_ACK, seq: 5001, ack: c.iss + 2 });
    expect(rig.engine.metrics.list()).toEqual([]);
  });
});
