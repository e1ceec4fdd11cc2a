// The handshake of the engine alone, against Linux 6.18's measured behaviour (tcp-linux.md §1).

import { describe, expect, it } from 'vitest';
import type { TcpOption } from '../../../kernel/abi/wire/index.js';
import { TCP_ESTABLISHED, TCP_SYN_SENT } from '../../../kernel/abi/tcp.js';
import { REMOTE, Rig, summary, TCP_ACK, TCP_RST, TCP_SYN } from './harness.js';

const MSS = (mss: number): TcpOption => ({ kind: 'mss', mss });
const NOP: TcpOption = { kind: 'nop' };
const SACKOK: TcpOption = { kind: 'sackPermitted' };
const WS = (shift: number): TcpOption => ({ kind: 'wscale', shift });
const TS = (tsval: number, tsecr = 0): TcpOption => ({ kind: 'timestamp', tsval, tsecr });

function listener(rig: Rig) {
  const ls = rig.engine.socket();
  expect(rig.engine.bind(ls, 0, 8080)).toBe(null);
  expect(rig.engine.listen(ls, 1)).toBe(null);
  return ls;
}

function kinds(options: TcpOption[]): string {
  return options.map((o) => (o.kind === 'mss' ? `mss ${o.mss}` : o.kind === 'wscale' ? `wscale ${o.shift}` : o.kind === 'timestamp' ? 'TS' : o.kind)).join(',');
}

describe('a SYN-ACK follows the SYN it answers (Linux tcp_options_write)', () => {
  const cases: Array<[string, TcpOption[], string]> = [
    ['TS and SACK', [MSS(1460), SACKOK, TS(100), NOP, WS(7)], 'mss 1460,sackPermitted,TS,nop,wscale 10'],
    ['SACK, no TS', [MSS(1460), SACKOK, NOP, NOP, NOP, WS(7)], 'mss 1460,nop,nop,sackPermitted,nop,wscale 10'],
    ['TS, no SACK', [MSS(1460), NOP, NOP, TS(100), NOP, WS(7)], 'mss 1460,nop,nop,TS,nop,wscale 10'],
    ['no wscale', [MSS(1460), SACKOK, TS(100)], 'mss 1460,sackPermitted,TS'],
    ['wscale only', [NOP, WS(7)], 'mss 1460,nop,wscale 10'],
    ['MSS only', [MSS(1000)], 'mss 1460'],
    ['no options', [], 'mss 1460'],
  ];
  for (const [what, offered, answered] of cases) {
    it(what, () => {
      const rig = new Rig();
      listener(rig);
      rig.inject({ flags: TCP_SYN, seq: 0, win: 65535, options: offered });
      const [synack] = rig.host.take();
      expect(kinds(synack!.repr.options)).toBe(answered);
      expect(synack!.opts.zeroIpId).toBe(true);
    });
  }

  it('offers 65160 (45 x 1448) with timestamps and 64240 (44 x 1460) without, never scaled', () => {
    const rig = new Rig();
    listener(rig);
    rig.inject({ flags: TCP_SYN, seq: 0, options: [MSS(1460), SACKOK, TS(100), NOP, WS(7)] });
    expect(rig.host.take()[0]!.repr.window).toBe(65160);
    rig.peerPort++;
    rig.inject({ flags: TCP_SYN, seq: 0, options: [MSS(1460)] });
    expect(rig.host.take()[0]!.repr.window).toBe(64240);
  });
});

describe('connect()', () => {
  it('sends mss,sackOK,TS,nop,wscale 10 with window 64240 and retries the SYN as Linux times it', () => {
    const rig = new Rig();
    const sk = rig.engine.socket();
    expect(rig.engine.connect(sk, REMOTE, 80)).toBe(null);
    expect(sk.state).toBe(TCP_SYN_SENT);
    const [syn] = rig.host.take();
    expect(kinds(syn!.repr.options)).toBe('mss 1460,sackPermitted,TS,nop,wscale 10');
    expect(syn!.repr.window).toBe(64240);
    expect(syn!.repr.options.find((o) => o.kind === 'timestamp')).toMatchObject({ tsecr: 0 });
    // syn_retries 6 + 4 linear: 1 s apart five times, then doubling; ETIMEDOUT at 131 s.
    const times: number[] = [];
    for (let t = 0; t < 140_000; t += 10) {
      rig.host.advance(10);
      for (const s of rig.host.take()) times.push(Math.round(s.atNs / 1e6));
    }
    expect(times).toEqual([1000, 2000, 3000, 4000, 5000, 7000, 11000, 19000, 35000, 67000]);
    expect(sk.err).toBe('ETIMEDOUT');
  });

  it('completes on a SYN-ACK: ESTABLISHED, ACK with the TS echo, MSS less the timestamp option', () => {
    const rig = new Rig();
    const sk = rig.engine.socket();
    rig.engine.connect(sk, REMOTE, 80);
    const [syn] = rig.host.take();
    rig.peerPort = syn!.repr.srcPort;
    const tsval = (syn!.repr.options.find((o) => o.kind === 'timestamp') as { tsval: number }).tsval;
    rig.host.advance(10);
    rig.inject({ srcPort: 80, dstPort: syn!.repr.srcPort, flags: TCP_SYN | TCP_ACK, seq: 5000, ack: syn!.repr.seq + 1, win: 65160, options: [MSS(1460), SACKOK, TS(777, tsval), NOP, WS(7)] });
    expect(sk.state).toBe(TCP_ESTABLISHED);
    const [ack] = rig.host.take();
    expect(summary(ack!, syn!.repr.seq, 5000)).toBe('. 1:1(0) ack 1 win 63');
    expect(ack!.repr.options).toEqual([NOP, NOP, { kind: 'timestamp', tsval: tsval + 10, tsecr: 777 }]);
    expect(sk.mssCache).toBe(1448);
    expect(sk.advmss).toBe(1448);
    expect(sk.rtoUs).toBe(210000);
  });
});

describe('a segment for no socket (tcp_v4_send_reset, rst-to-closed-port.pcap)', () => {
  const cases: Array<[string, number, number, number, string]> = [
    ['SYN', TCP_SYN, 0, 0, 'R. 0:0(0) ack 1 win 0'],
    ['bare ACK', TCP_ACK, 0, 0, 'R 5000:5000(0) win 0'],
    ['PSH with 10 bytes, no ACK', 0x08, 0, 10, 'R. 0:0(0) ack 10 win 0'],
    ['SYN+FIN', TCP_SYN | 0x01, 0, 0, 'R. 0:0(0) ack 2 win 0'],
    ['SYN with 6 bytes', TCP_SYN, 0, 6, 'R. 0:0(0) ack 7 win 0'],
    ['no flags', 0, 0, 0, 'R. 0:0(0) ack 0 win 0'],
  ];
  for (const [what, flags, seq, len, expected] of cases) {
    it(`answers a ${what}`, () => {
      const rig = new Rig();
      rig.inject({ flags, seq, ack: 5000, payload: len });
      const out = rig.host.take();
      expect(out.map((s) => summary(s))).toEqual([expected]);
      expect(out[0]!.repr.options).toEqual([]);
    });
  }
  it('never answers a RST', () => {
    const rig = new Rig();
    rig.inject({ flags: TCP_RST, seq: 1 });
    expect(rig.host.take()).toEqual([]);
  });
});
