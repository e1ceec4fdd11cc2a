import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildIpv4Packet } from '../../../kernel/abi/wire/index.js';
import { dissect, formatIpv6, formatTimestamp, hexDump, type LineOptions, type LinkKind, packetLine, splitTime } from '../../../userland/lib/dissect/index.js';
import { checkCases } from './tcpdump-packets.js';
import * as P from './tcpdump-packets.js';

// Malformed and cut-short packets, checksums gone wrong, and the hex dumps: again each expected
// line is real tcpdump 4.99.3's output for the same bytes.
describe('tcpdump on damaged packets and hex dumps', () => {
  checkCases([
    ['icmp bad cksum -v', 'raw', ['-v'], (() => { const p = P.echo('echo-request'); p[22]! ^= 0xff; return p; })(), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto ICMP (1), length 84)\n    192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64 (wrong icmp cksum 8797 (->7897)!)"],
    ['udp bad -vv', 'raw', ['-vv'], (() => { const p = P.udp('10.8.0.2', 40000, '10.8.0.1', 1194, 84); p[26]! ^= 0x55; return p; })(), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto UDP (17), length 112)\n    10.8.0.2.40000 > 10.8.0.1.1194: [bad udp cksum 0x1109 -> 0x4409!] UDP, length 84"],
    ['bad ip cksum -v', 'raw', ['-v'], (() => { const p = P.echo('echo-request'); p[10]! ^= 0x11; return p; })(), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto ICMP (1), length 84, bad cksum e37b (->f27b)!)\n    192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64"],
    ['short ether', 'ether', [], P.arp(1).subarray(0, 10), " [|ether]"],
    ['short ip', 'raw', [], P.echo('echo-request').subarray(0, 12), "IP  [|ip]"],
    ['icmp 1 byte', 'raw', [], buildIpv4Packet(P.header('10.0.0.1', '10.0.0.2', 1), Uint8Array.from([8])), "IP 10.0.0.1 > 10.0.0.2:  [|icmp]"],
    ['udp 2 bytes', 'raw', [], buildIpv4Packet(P.header('1.2.3.4', '5.6.7.8', 17), Uint8Array.from([1, 2])), "IP 1.2.3.4 > 5.6.7.8:  [|udp]"],
    ['udp ulen<8', 'raw', [], (() => { const p = P.udp('10.8.0.2', 40000, '10.8.0.1', 1194, 4); p[24] = 0; p[25] = 4; return p; })(), "IP 10.8.0.2.40000 > 10.8.0.1.1194: truncated-udplength 4"],
    ['version 5', 'raw', [], (() => { const p = P.echo('echo-request'); p[0] = 0x55; return p; })(), "unknown ip 5"],
    ['ip6 on ether ipv4', 'ether', [], P.ether(P.ipv6(59, new Uint8Array(0), P.FE80_1, P.FF02_1), 0x0800), "IP6, wrong link-layer encapsulation (invalid)"],
    ['ihl 4', 'raw', [], (() => { const p = P.echo('echo-request'); p[0] = 0x44; return p; })(), "IP bad-hlen 16"],
    ['totlen big', 'raw', [], (() => { const p = P.echo('echo-request'); p[2] = 0; p[3] = 200; return P.fixChecksum(p, 0, 20, 10); })(), "IP truncated-ip - 116 bytes missing! 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 180"],
    ['totlen small', 'raw', [], (() => { const p = P.echo('echo-request'); p[2] = 0; p[3] = 10; return P.fixChecksum(p, 0, 20, 10); })(), "IP bad-len 10"],
    ['arp trunc', 'ether', [], P.arp(1).subarray(0, 34), " [|arp]"],
    ['snap 40', 'ether', [], P.ether(P.echo('echo-request')), 40, "IP 192.168.1.10 > 192.168.1.1:  [|icmp]"],
    ['snap 40 -x', 'ether', ['-x'], P.ether(P.echo('echo-request')), 40, "IP 192.168.1.10 > 192.168.1.1:  [|icmp]\n\t0x0000:  5254 0000 0101 5254 0012 3456 0800 4500\n\t0x0010:  0054 04d2 0000 4001 f27b c0a8 010a c0a8\n\t0x0020:  0101 0800 7897 04d2"],
    ['snap 30 -x', 'ether', ['-x'], P.ether(P.echo('echo-request')), 30, "IP  [|ip]\n\t0x0000:  4500 0054 04d2 0000 4001 f27b c0a8 010a"],
    ['unknown ip 0', 'raw', [], Uint8Array.from([0x05, 1, 2, 3]), "unknown ip 0"],
    ['-x', 'ether', ['-x'], P.ether(P.echo('echo-request')), "IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64\n\t0x0000:  4500 0054 04d2 0000 4001 f27b c0a8 010a\n\t0x0010:  c0a8 0101 0800 7897 04d2 0000 2021 2223\n\t0x0020:  2425 2627 2829 2a2b 2c2d 2e2f 3031 3233\n\t0x0030:  3435 3637 3839 3a3b 3c3d 3e3f 4041 4243\n\t0x0040:  4445 4647 4849 4a4b 4c4d 4e4f 5051 5253\n\t0x0050:  5455 5657"],
    ['-xx', 'ether', ['-xx'], P.ether(P.echo('echo-request')), "IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64\n\t0x0000:  5254 0000 0101 5254 0012 3456 0800 4500\n\t0x0010:  0054 04d2 0000 4001 f27b c0a8 010a c0a8\n\t0x0020:  0101 0800 7897 04d2 0000 2021 2223 2425\n\t0x0030:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435\n\t0x0040:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445\n\t0x0050:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455\n\t0x0060:  5657"],
    ['-X', 'ether', ['-X'], P.ether(P.echo('echo-request')), "IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64\n\t0x0000:  4500 0054 04d2 0000 4001 f27b c0a8 010a  E..T....@..{....\n\t0x0010:  c0a8 0101 0800 7897 04d2 0000 2021 2223  ......x......!\"#\n\t0x0020:  2425 2627 2829 2a2b 2c2d 2e2f 3031 3233  $%&\'()*+,-./0123\n\t0x0030:  3435 3637 3839 3a3b 3c3d 3e3f 4041 4243  456789:;<=>?@ABC\n\t0x0040:  4445 4647 4849 4a4b 4c4d 4e4f 5051 5253  DEFGHIJKLMNOPQRS\n\t0x0050:  5455 5657                                TUVW"],
    ['-XX', 'ether', ['-XX'], P.ether(P.echo('echo-request')), "IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64\n\t0x0000:  5254 0000 0101 5254 0012 3456 0800 4500  RT....RT..4V..E.\n\t0x0010:  0054 04d2 0000 4001 f27b c0a8 010a c0a8  .T....@..{......\n\t0x0020:  0101 0800 7897 04d2 0000 2021 2223 2425  ....x......!\"#$%\n\t0x0030:  2627 2829 2a2b 2c2d 2e2f 3031 3233 3435  &\'()*+,-./012345\n\t0x0040:  3637 3839 3a3b 3c3d 3e3f 4041 4243 4445  6789:;<=>?@ABCDE\n\t0x0050:  4647 4849 4a4b 4c4d 4e4f 5051 5253 5455  FGHIJKLMNOPQRSTU\n\t0x0060:  5657                                     VW"],
    ['-X odd', 'raw', ['-X'], P.udp('10.8.0.2', 40000, '10.8.0.1', 7, 5), "IP 10.8.0.2.40000 > 10.8.0.1.7: UDP, length 5\n\t0x0000:  4500 0021 04d2 0000 4011 61e8 0a08 0002  E..!....@.a.....\n\t0x0010:  0a08 0001 9c40 0007 000d e935 2021 2223  .....@.....5.!\"#\n\t0x0020:  24                                       $"],
    ['unknown -x', 'ether', ['-x'], P.ether(P.counting(30), 0x88b5), "52:54:00:12:34:56 > 52:54:00:00:01:01, ethertype Unknown (0x88b5), length 44: \n\t0x0000:  2021 2223 2425 2627 2829 2a2b 2c2d 2e2f\n\t0x0010:  3031 3233 3435 3637 3839 3a3b 3c3d"],
  ]);
});

describe('tcpdump TCP summaries', () => {
  const handshake = [
    P.tcp({ seq: 1000, flags: 0x02, options: [2, 4, 5, 0xb4] }),
    P.tcp({ seq: 70000, ack: 1001, flags: 0x12, options: [2, 4, 5, 0xb4], reverse: true }),
    P.tcp({ seq: 1001, ack: 70001, flags: 0x10 }),
    P.tcp({ seq: 1001, ack: 70001, flags: 0x18, payload: 10, options: [1, 1, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2] }),
    P.tcp({ seq: 70001, ack: 1011, flags: 0x10, reverse: true }),
    P.tcp({ seq: 1011, ack: 70001, flags: 0x11 }),
  ];
  const print = (opts: Partial<LineOptions>) => handshake.map((p) => packetLine('', p, { link: 'raw', ...opts })).join('');

  it('numbers sequences from the start of the conversation, as tcpdump does without -S', () => {
    expect(print({ tcpConversations: new Map() })).toBe(
      [
        'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1000, win 256, options [mss 1460], length 0',
        'IP 5.6.7.8.5555 > 1.2.3.4.12345: Flags [S.], seq 70000, ack 1001, win 256, options [mss 1460], length 0',
        'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [.], ack 1, win 256, length 0',
        'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [P.], seq 1:11, ack 1, win 256, options [nop,nop,TS val 1 ecr 2], length 10',
        'IP 5.6.7.8.5555 > 1.2.3.4.12345: Flags [.], ack 11, win 256, length 0',
        'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [F.], seq 11, ack 1, win 256, length 0',
        '',
      ].join('\n'),
    );
  });

  it('prints absolute numbers without a conversation table (-S), and only lengths with -q', () => {
    expect(print({}).split('\n')[3]).toBe(
      'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [P.], seq 1001:1011, ack 70001, win 256, options [nop,nop,TS val 1 ecr 2], length 10',
    );
    expect(print({ quiet: true }).split('\n').slice(2, 4)).toEqual(['IP 1.2.3.4.12345 > 5.6.7.8.5555: tcp 0', 'IP 1.2.3.4.12345 > 5.6.7.8.5555: tcp 10']);
  });

  it('checks the TCP checksum with -v', () => {
    expect(packetLine('', handshake[2]!, { link: 'raw', verbose: 1 })).toBe(
      'IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto TCP (6), length 40)\n' +
        '    1.2.3.4.12345 > 5.6.7.8.5555: Flags [.], cksum 0x0000 (incorrect -> 0x437a), ack 70001, win 256, length 0\n',
    );
  });
});

describe('tcpdump TCP options', () => {
  // Expected text follows print-tcp.c's option rules (tcpdump 4.99): names from tcp_option_values,
  // SACK blocks relative to the acknowledged direction, `[len N]` for an option longer than its
  // kind's data, `[bad opt]` ending the line for a length byte that cannot be.
  const line = (o: Parameters<typeof P.tcp>[0], opts: Partial<LineOptions> = {}) => packetLine('', P.tcp(o), { link: 'raw', ...opts }).trimEnd();
  const be32 = (n: number) => [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];

  it("prints Linux's SYN options in their order", () => {
    expect(line({ seq: 1000, flags: 0x02, options: [2, 4, 5, 0xb4, 4, 2, 8, 10, ...be32(7), ...be32(0), 1, 3, 3, 7] })).toBe(
      'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1000, win 256, options [mss 1460,sackOK,TS val 7 ecr 0,nop,wscale 7], length 0',
    );
  });

  it('prints SACK blocks relative to the direction they acknowledge, absolute with -S', () => {
    const conv = new Map<string, { seq: number; ack: number }>();
    const sack = { seq: 70001, ack: 1011, flags: 0x10, reverse: true, options: [1, 1, 5, 18, ...be32(1021), ...be32(1031), ...be32(1041), ...be32(1051)] };
    line({ seq: 1000, flags: 0x02 }, { tcpConversations: conv });
    line({ seq: 70000, ack: 1001, flags: 0x12, reverse: true }, { tcpConversations: conv });
    expect(line(sack, { tcpConversations: conv })).toBe(
      'IP 5.6.7.8.5555 > 1.2.3.4.12345: Flags [.], ack 11, win 256, options [nop,nop,sack 2 {21:31}{41:51}], length 0',
    );
    expect(line(sack)).toBe('IP 5.6.7.8.5555 > 1.2.3.4.12345: Flags [.], ack 1011, win 256, options [nop,nop,sack 2 {1021:1031}{1041:1051}], length 0');
  });

  it('names the kinds tcpdump knows and dumps the others', () => {
    expect(line({ seq: 1, flags: 0x02, options: [34, 2, 254, 4, 0xf9, 0x89, 253, 4, 0xab, 0xcd, 1, 1, 0, 0, 0, 0] })).toBe(
      'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [tfo cookiereq,exp-tfo cookiereq,unknown-253 0xabcd,nop,nop,eol], length 0',
    );
    expect(line({ seq: 1, flags: 0x02, options: [34, 10, 1, 2, 3, 4, 5, 6, 7, 8, 6, 6, 0, 0, 0, 9, 28, 4, 0x01, 0x2d, 0, 0, 0, 0] })).toBe(
      'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [tfo cookie 0102030405060708,echo 9,uto 0x12d 9000,eol], length 0',
    );
  });

  it('marks odd lengths, and ends the line at a length byte that cannot be', () => {
    expect(line({ seq: 1, flags: 0x02, options: [2, 5, 5, 0xb4, 0, 4, 4, 0, 0, 0, 0, 0] })).toBe(
      'IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [mss 1460[len 5],sackOK[len 4],eol], length 0',
    );
    expect(line({ seq: 1, flags: 0x02, options: [5, 6, 0, 0, 0, 1, 0, 0] })).toBe('IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [sack invalid sack,eol], length 0');
    expect(line({ seq: 1, flags: 0x02, options: [1, 2, 1, 0] })).toBe('IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [nop,[bad opt]]');
    expect(line({ seq: 1, flags: 0x02, options: [1, 8, 40, 0] })).toBe('IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [nop,[bad opt]]');
    expect(line({ seq: 1, flags: 0x02, options: [2, 3, 5, 0] })).toBe('IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [[bad opt]]');
  });

  it('stops at the end of the capture inside the options', () => {
    const b = P.tcp({ seq: 1, flags: 0x02, options: [2, 4, 5, 0xb4, 8, 10, ...be32(7), ...be32(0), 0, 0] });
    const d = dissect(b.subarray(0, 20 + 20 + 6), { link: 'raw', tcpConversations: new Map() }, b.length);
    expect(d.text).toBe('IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [mss 1460,TS [|tcp]');
    expect(dissect(b.subarray(0, 20 + 24), { link: 'raw' }, b.length).text).toBe('IP 1.2.3.4.12345 > 5.6.7.8.5555: Flags [S], seq 1, win 256, options [mss 1460, [|tcp]');
  });
});

describe('the dissector never throws', () => {
  it('on any bytes, for every link type and option', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 120 }),
        fc.constantFrom<LinkKind>('ether', 'raw', 'null'),
        fc.record({ linkHeader: fc.boolean(), verbose: fc.integer({ min: 0, max: 3 }), quiet: fc.boolean() }),
        fc.integer({ min: 0, max: 200 }),
        (bytes, link, opts, extra) => {
          const d = dissect(bytes, { link, ...opts, tcpConversations: new Map() }, bytes.length + extra);
          expect(typeof d.text).toBe('string');
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('on real headers with random tails and random cuts', () => {
    const seeds = [P.ether(P.echo('echo-request')), P.arp(1), P.ether(P.icmp(3, 3, P.quote(P.udp('1.2.3.4', 1, '5.6.7.8', 9, 4))))];
    fc.assert(
      fc.property(fc.constantFrom(...seeds), fc.uint8Array({ maxLength: 64 }), fc.nat(), fc.nat(), (seed, noise, at, cut) => {
        const b = seed.slice();
        b.set(noise.subarray(0, Math.max(0, b.length - 14 - (at % 20))), 14 + (at % 20));
        const d = dissect(b.subarray(0, cut % (b.length + 1)), { link: 'ether', verbose: 2 }, b.length);
        expect(typeof d.text).toBe('string');
      }),
      { numRuns: 2000 },
    );
  });
});

describe('formatting helpers', () => {
  it('writes IPv6 addresses as inet_ntop does', () => {
    const a = (...g: number[]) => Uint8Array.from(g.flatMap((x) => [x >> 8, x & 0xff]));
    expect(formatIpv6(a(0xfe80, 0, 0, 0, 0x5054, 0xff, 0xfe12, 0x3456))).toBe('fe80::5054:ff:fe12:3456');
    expect(formatIpv6(a(0, 0, 0, 0, 0, 0, 0, 1))).toBe('::1');
    expect(formatIpv6(a(0, 0, 0, 0, 0, 0, 0, 0))).toBe('::');
    expect(formatIpv6(a(0x2001, 0xdb8, 0, 0, 1, 0, 0, 1))).toBe('2001:db8::1:0:0:1');
    expect(formatIpv6(a(0x2001, 0xdb8, 0, 1, 1, 1, 1, 1))).toBe('2001:db8:0:1:1:1:1:1');
    expect(formatIpv6(a(0, 0, 0, 0, 0, 0xffff, 0x0a00, 0x0001))).toBe('::ffff:10.0.0.1');
  });

  it('splits kernel nanoseconds into rounded microseconds and prints them in UTC', () => {
    const epoch = Date.UTC(2026, 0, 1) * 1e6;
    // 2 ms after 2026 is not representable in a double: it arrives as 1.999872 ms.
    expect(splitTime(epoch + 2e6)).toEqual({ sec: 1767225600, usec: 2000 });
    expect(splitTime(epoch + 999_999_900)).toEqual({ sec: 1767225601, usec: 0 });
    expect(formatTimestamp(1767225600 + 3 * 3600 + 25 * 60 + 7, 42)).toBe('03:25:07.000042');
  });

  it('dumps hex as -x and hex with ASCII as -X', () => {
    const b = Uint8Array.from([0x45, 0x00, 0x20, 0x41, 0x7e, 0x7f, 0x0a]);
    expect(hexDump(b, false)).toBe('\n\t0x0000:  4500 2041 7e7f 0a');
    expect(hexDump(b, true)).toBe(`\n\t0x0000:  4500 2041 7e7f 0a${' '.repeat(24)}E..A~..`);
  });
});
