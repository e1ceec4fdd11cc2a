// The capture filter language (userland/lib/pcap-filter.ts) on hand-made packets: each primitive,
// the qualifiers, the operators and libpcap's qualifier continuation, and the errors.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileFilter, FilterError, type FilterLink } from '../../userland/lib/pcap-filter.js';

const ip4 = (s: string) => s.split('.').map(Number);

function ipv4(src: string, dst: string, proto: number, payload: number[], fragOffset = 0): number[] {
  const total = 20 + payload.length;
  return [0x45, 0, total >> 8, total & 0xff, 0, 1, fragOffset >> 8, fragOffset & 0xff, 64, proto, 0, 0, ...ip4(src), ...ip4(dst), ...payload];
}
const udp = (sport: number, dport: number) => [sport >> 8, sport & 0xff, dport >> 8, dport & 0xff, 0, 8, 0, 0];
const icmpEcho = [8, 0, 0, 0, 0, 1, 0, 1];
const MAC_A = [0x52, 0x54, 0, 0x12, 0x34, 0x56];
const BCAST = [255, 255, 255, 255, 255, 255];
const ether = (dst: number[], src: number[], type: number, payload: number[]) => [...dst, ...src, type >> 8, type & 0xff, ...payload];
const arp = (spa: string, tpa: string) => [0, 1, 8, 0, 6, 4, 0, 1, ...MAC_A, ...ip4(spa), 0, 0, 0, 0, 0, 0, ...ip4(tpa)];

const hosts: Record<string, string> = { router: '192.168.1.1', haiku: '192.168.1.10' };
const resolve = (n: string) => {
  const a = /^\d+\.\d+\.\d+\.\d+$/.test(n) ? n : hosts[n];
  return a ? ip4(a).reduce((x, o) => x * 256 + o, 0) : null;
};

/** The packets of a small capture, named, each with its link type. */
const PACKETS: Record<string, [FilterLink, number[]]> = {
  dns: ['ether', ether(MAC_A, MAC_A, 0x0800, ipv4('192.168.1.10', '10.0.2.3', 17, udp(40000, 53)))],
  vpn: ['raw', ipv4('10.8.0.2', '10.8.0.1', 17, udp(1194, 1194))],
  ping: ['ether', ether(MAC_A, MAC_A, 0x0800, ipv4('192.168.1.10', '192.168.1.1', 1, icmpEcho))],
  pong: ['raw', ipv4('192.168.1.1', '192.168.1.10', 1, icmpEcho)],
  arp: ['ether', ether(BCAST, MAC_A, 0x0806, arp('192.168.1.10', '192.168.1.1'))],
  frag: ['raw', ipv4('10.0.0.1', '10.0.0.2', 17, udp(53, 53), 185)],
  loop: ['null', [2, 0, 0, 0, ...ipv4('127.0.0.1', '127.0.0.1', 17, udp(9, 7))]],
};

function matching(expr: string): string[] {
  const f = compileFilter(expr, resolve);
  return Object.entries(PACKETS)
    .filter(([, [link, b]]) => f(link, Uint8Array.from(b), b.length))
    .map(([name]) => name);
}

describe('capture filters', () => {
  it.each([
    ['icmp', ['ping', 'pong']],
    ['udp', ['dns', 'vpn', 'frag', 'loop']],
    ['arp', ['arp']],
    ['ip', ['dns', 'vpn', 'ping', 'pong', 'frag', 'loop']],
    ['tcp', []],
    ['host 192.168.1.1', ['ping', 'pong', 'arp']],
    ['ip host 192.168.1.1', ['ping', 'pong']],
    ['src host router', ['pong']],
    ['dst router', ['ping', 'arp']],
    ['src or dst host haiku', ['dns', 'ping', 'pong', 'arp']],
    ['net 10.8.0.0/24', ['vpn']],
    ['net 10', ['dns', 'vpn', 'frag']],
    ['net 192.168.1.0 mask 255.255.255.0', ['dns', 'ping', 'pong', 'arp']],
    // Ports only in a first fragment, as libpcap checks them.
    ['port 53', ['dns']],
    ['udp dst port domain', ['dns']],
    ['portrange 1000-2000', ['vpn']],
    ['src port 9 or dst port 7', ['loop']],
    ['host router or haiku', ['dns', 'ping', 'pong', 'arp']],
    ['icmp and src router', ['pong']],
    ['not ip', ['arp']],
    ['! (icmp or arp) and net 10.0.0.0/8', ['dns', 'vpn', 'frag']],
    ['ether host 52:54:00:12:34:56', ['dns', 'ping', 'arp']],
    ['ether broadcast', ['arp']],
    ['ip proto 17 && less 40', ['vpn', 'frag', 'loop']],
    // and and or have the same precedence in libpcap, left to right: (icmp or udp) and port 53.
    ['icmp or udp and port 53', ['dns']],
    ['greater 42 || arp', ['dns', 'ping', 'arp']],
  ])('%s', (expr, expected) => {
    expect(matching(expr)).toEqual(expected);
  });

  it.each([
    ['udp port', 'syntax error'],
    ['(icmp', 'syntax error'],
    ['icmp and', 'syntax error'],
    ['host', 'syntax error'],
    ['host nosuch', "unknown host 'nosuch'"],
    ['port 70000', 'illegal port number 70000 > 65535'],
    ['net 10.1.0.0/8', 'non-network bits set in "10.1.0.0/8"'],
    ['icmp[0] == 8', "tunlab's tcpdump does not support byte offsets ('icmp[...]') in filter expressions"],
    ['ether host 52:54', "bad ethernet address '52:54'"],
  ])('refuses %s: %s', (expr, message) => {
    expect(() => compileFilter(expr, resolve)).toThrow(new FilterError(message));
  });

  it('never throws anything but a FilterError, and a filter never throws on any bytes', () => {
    const words = ['host', 'net', 'port', 'src', 'dst', 'and', 'or', 'not', '(', ')', 'icmp', 'udp', 'arp', 'ip', '53', '10.0.0.1', '10/8', 'ether', 'broadcast', 'less', '9'];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...words), { maxLength: 8 }), fc.uint8Array({ maxLength: 80 }), fc.constantFrom<FilterLink>('ether', 'raw', 'null'), (ws, bytes, link) => {
        let f;
        try {
          f = compileFilter(ws.join(' '), resolve);
        } catch (e) {
          expect(e).toBeInstanceOf(FilterError);
          return;
        }
        expect(typeof f(link, bytes, bytes.length)).toBe('boolean');
      }),
      { numRuns: Number(process.env.FUZZ_RUNS ?? 2000) },
    );
  });
});
