// A SYN flood against one listener (the TCP engine alone, virtual time): spoofed SYNs from ever
// new addresses and ports, none of which ever answers its SYN-ACK. The request queue never holds
// more than the listen backlog allows, SYN cookies answer once it is full (tcp_syncookies=1, as
// Linux), the heap does not grow with the flood, and a real client still gets through at once.
//
// 100 000 SYNs by default; the long run (FUZZ_RUNS >= 20000) sends 1 000 000.

import { describe, expect, it } from 'vitest';
import { TCP_ESTABLISHED } from '../../kernel/abi/tcp.js';
import { buildTcpPacket, type TcpOption } from '../../kernel/abi/wire/index.js';
import { LOCAL, REMOTE, Rig, TCP_ACK, TCP_SYN } from '../unit/tcp/harness.js';
import { heapUsed, longRun } from './harness.js';

const N = longRun ? 1_000_000 : 100_000;
const BACKLOG = 128;
const SYN_OPTIONS: TcpOption[] = [{ kind: 'mss', mss: 1460 }, { kind: 'sackPermitted' }, { kind: 'timestamp', tsval: 1, tsecr: 0 }, { kind: 'nop' }, { kind: 'wscale', shift: 7 }];

describe('a SYN flood', () => {
  it(
    `of ${N.toLocaleString('en')} SYNs stays bounded and the listener still serves`,
    () => {
      const rig = new Rig();
      const ls = rig.engine.socket();
      rig.engine.bind(ls, 0, 80);
      rig.engine.listen(ls, BACKLOG);
      const syn = (src: number, port: number) =>
        rig.engine.input(buildTcpPacket({ srcPort: port, dstPort: 80, seq: src ^ port, ack: 0, flags: TCP_SYN, window: 65535, urgent: 0, options: SYN_OPTIONS, payload: new Uint8Array(0) }, src, LOCAL), src, LOCAL, 0);
      let maxRequests = 0;
      let sent = 0;
      const flood = (count: number) => {
        for (let i = 0; i < count; i++) {
          // 192.x.y.z (routable in the test host): every SYN from another spoofed address.
          const n = sent++;
          syn((0xc0000000 | (n & 0xffffff)) >>> 0, 1024 + (n % 60000));
          // 10 000 SYNs a virtual second: the SYN-ACK timers fire and expire requests meanwhile.
          if (n % 100 === 99) rig.host.advance(10);
          if (n % 1000 === 0) {
            maxRequests = Math.max(maxRequests, rig.engine.sizes().requests);
            rig.host.take();
          }
        }
        rig.host.take();
      };
      flood(10_000);
      const base = heapUsed();
      flood(N - 10_000);
      const grown = heapUsed() - base;

      // Linux takes requests until there are more than the backlog (inet_csk_reqsk_queue_is_full:
      // reqsk_queue_len > sk_max_ack_backlog), so one beyond it at most.
      expect(maxRequests).toBeLessThanOrEqual(BACKLOG + 1);
      expect(rig.engine.sizes().requests).toBeLessThanOrEqual(BACKLOG + 1);
      expect(rig.engine.sizes().connections).toBe(0);
      const mib = rig.engine.mib;
      expect(mib.SyncookiesSent).toBeGreaterThan(N / 2);
      // Every SYN is either a request, a cookie, or a counted drop.
      expect(mib.InSegs).toBe(N);
      expect(grown).toBeLessThan(16 * 1024 * 1024);

      // A real client, in the middle of the flood: a cookie SYN-ACK, and its ACK makes a connection.
      rig.host.take();
      rig.engine.input(buildTcpPacket({ srcPort: 5555, dstPort: 80, seq: 1000, ack: 0, flags: TCP_SYN, window: 65535, urgent: 0, options: SYN_OPTIONS, payload: new Uint8Array(0) }, REMOTE, LOCAL), REMOTE, LOCAL, 0);
      const synack = rig.host.take().find((s) => s.dst === REMOTE);
      expect(synack).toBeDefined();
      rig.peerPort = 5555;
      rig.localPort = 80;
      const ts = synack!.repr.options.find((o) => o.kind === 'timestamp') as { tsval: number } | undefined;
      rig.inject({ flags: TCP_ACK, seq: 1001, ack: synack!.repr.seq + 1, options: ts ? [{ kind: 'nop' }, { kind: 'nop' }, { kind: 'timestamp', tsval: 2, tsecr: ts.tsval }] : [] });
      const child = rig.engine.accept(ls);
      expect(child?.state).toBe(TCP_ESTABLISHED);
      expect(child?.remotePort).toBe(5555);
    },
    longRun ? 600_000 : 120_000,
  );
});
