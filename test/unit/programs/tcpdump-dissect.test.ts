import { describe } from 'vitest';
import { buildIpv4Packet, buildUdpPacket } from '../../../kernel/abi/wire/index.js';
import { checkCases } from './tcpdump-packets.js';
import * as P from './tcpdump-packets.js';


const uq = P.udp('192.168.1.10', 40000, '10.0.0.9', 9, 12);
const eq = P.echo('echo-request', '192.168.1.10', '10.0.0.9');

// Every expected line below is what real tcpdump 4.99.3 printed for the same bytes (checked with
// `tcpdump -n -t -r` on a pcap of them); tunlab's dissector must match it character for character.
describe('tcpdump summaries of well-formed packets', () => {
  checkCases([
    ['arp req', 'ether', [], P.arp(1), "ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28"],
    ['arp rep', 'ether', [], P.arp(2, P.MAC_B), "ARP, Reply 192.168.1.10 is-at 52:54:00:12:34:56, length 28"],
    ['arp req -e', 'ether', ['-e'], P.arp(1), "52:54:00:12:34:56 > ff:ff:ff:ff:ff:ff, ethertype ARP (0x0806), length 42: Request who-has 192.168.1.1 tell 192.168.1.10, length 28"],
    ['arp req -v', 'ether', ['-v'], P.arp(1), "ARP, Ethernet (len 6), IPv4 (len 4), Request who-has 192.168.1.1 tell 192.168.1.10, length 28"],
    ['arp req tmac', 'ether', [], P.arp(1, P.MAC_B), "ARP, Request who-has 192.168.1.1 (52:54:00:00:01:01) tell 192.168.1.10, length 28"],
    ['echo', 'ether', [], P.ether(P.echo('echo-request')), "IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64"],
    ['echo rep', 'ether', [], P.ether(P.echo('echo-reply', '192.168.1.1', '192.168.1.10')), "IP 192.168.1.1 > 192.168.1.10: ICMP echo reply, id 1234, seq 0, length 64"],
    ['echo -e', 'ether', ['-e'], P.ether(P.echo('echo-request')), "52:54:00:12:34:56 > 52:54:00:00:01:01, ethertype IPv4 (0x0800), length 98: 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64"],
    ['echo -v', 'ether', ['-v'], P.ether(P.echo('echo-request')), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto ICMP (1), length 84)\n    192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64"],
    ['echo -q -e', 'ether', ['-q', '-e'], P.ether(P.echo('echo-request')), "52:54:00:12:34:56 > 52:54:00:00:01:01, IPv4, length 98: 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64"],
    ['port unreach', 'raw', [], P.icmp(3, 3, P.quote(uq)), "IP 10.0.0.1 > 192.168.1.10: ICMP 10.0.0.9 udp port 9 unreachable, length 36"],
    ['port unreach -v', 'raw', ['-v'], P.icmp(3, 3, P.quote(uq)), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto ICMP (1), length 56)\n    10.0.0.1 > 192.168.1.10: ICMP 10.0.0.9 udp port 9 unreachable, length 36\n\tIP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto UDP (17), length 40)\n    192.168.1.10.40000 > 10.0.0.9.9: UDP, length 12"],
    ['net unreach', 'raw', [], P.icmp(3, 0, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP net 10.0.0.9 unreachable, length 36"],
    ['host unreach', 'raw', [], P.icmp(3, 1, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP host 10.0.0.9 unreachable, length 36"],
    ['proto unreach', 'raw', [], P.icmp(3, 2, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP 10.0.0.9 protocol 1 unreachable, length 36"],
    ['need frag', 'raw', [], P.icmp(3, 4, P.quote(eq), [0, 0, 5, 0xdc]), "IP 10.0.0.1 > 192.168.1.10: ICMP 10.0.0.9 unreachable - need to frag (mtu 1500), length 36"],
    ['filter prohib', 'raw', [], P.icmp(3, 13, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP host 10.0.0.9 unreachable - admin prohibited filter, length 36"],
    ['unreach 20', 'raw', [], P.icmp(3, 20, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP 10.0.0.9 unreachable - #20, length 36"],
    ['timx', 'raw', [], P.icmp(11, 0, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP time exceeded in-transit, length 36"],
    ['timx -v', 'raw', ['-v'], P.icmp(11, 0, P.quote(eq)), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto ICMP (1), length 56)\n    10.0.0.1 > 192.168.1.10: ICMP time exceeded in-transit, length 36\n\tIP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto ICMP (1), length 84)\n    192.168.1.10 > 10.0.0.9: ICMP echo request, id 1234, seq 0, length 64"],
    ['reass', 'raw', [], P.icmp(11, 1, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP ip reassembly time exceeded, length 36"],
    ['redirect', 'raw', [], P.icmp(5, 1, P.quote(eq), [10, 0, 0, 254]), "IP 10.0.0.1 > 192.168.1.10: ICMP redirect 10.0.0.9 to host 10.0.0.254, length 36"],
    ['paramprob', 'raw', [], P.icmp(12, 0, P.quote(eq), [20, 0, 0, 0]), "IP 10.0.0.1 > 192.168.1.10: ICMP parameter problem - octet 20, length 36"],
    ['quench', 'raw', [], P.icmp(4, 0, P.quote(eq)), "IP 10.0.0.1 > 192.168.1.10: ICMP source quench, length 36"],
    ['tstamp', 'raw', [], P.icmp(13, 0, new Uint8Array(12), [0, 1, 0, 2]), "IP 10.0.0.1 > 192.168.1.10: ICMP time stamp query id 1 seq 2, length 20"],
    ['tstamprep', 'raw', [], P.icmp(14, 0, Uint8Array.from([0, 0, 0, 100, 0, 0x10, 0, 0, 0x05, 0x26, 0x5c, 0]), [0, 1, 0, 2]), "IP 10.0.0.1 > 192.168.1.10: ICMP time stamp reply id 1 seq 2: org 00:00:00.100, recv 00:17:28.576, xmit 24:00:00.000, length 20"],
    ['maskrep', 'raw', [], P.icmp(18, 0, Uint8Array.from([255, 255, 255, 0]), [0, 1, 0, 2]), "IP 10.0.0.1 > 192.168.1.10: ICMP address mask is 0xffffff00, length 12"],
    ['type42', 'raw', [], P.icmp(42, 0, new Uint8Array(8)), "IP 10.0.0.1 > 192.168.1.10: ICMP type-#42, length 16"],
    ['routeradv', 'raw', [], P.icmp(9, 0, Uint8Array.from([10, 0, 0, 1, 0, 0, 0, 5, 10, 0, 0, 2, 0, 0, 0, 7]), [2, 2, 0x07, 0x08]), "IP 10.0.0.1 > 192.168.1.10: ICMP router advertisement lifetime 30:00 2: {10.0.0.1 5} {10.0.0.2 7}, length 24"],
    ['udp', 'raw', [], P.udp('10.8.0.2', 40000, '10.8.0.1', 1194, 84), "IP 10.8.0.2.40000 > 10.8.0.1.1194: UDP, length 84"],
    ['udp -vv', 'raw', ['-vv'], P.udp('10.8.0.2', 40000, '10.8.0.1', 1194, 84), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto UDP (17), length 112)\n    10.8.0.2.40000 > 10.8.0.1.1194: [udp sum ok] UDP, length 84"],
    ['udp nosum -vv', 'raw', ['-vv'], (() => { const p = P.udp('10.8.0.2', 40000, '10.8.0.1', 1194, 84); p[26] = 0; p[27] = 0; return p; })(), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto UDP (17), length 112)\n    10.8.0.2.40000 > 10.8.0.1.1194: [no cksum] UDP, length 84"],
    ['frag first', 'raw', [], buildIpv4Packet(P.header('1.2.3.4', '5.6.7.8', 17, { mf: true, ident: 7 }), buildUdpPacket({ srcPort: 1000, dstPort: 2000, payload: P.counting(100) }, P.ip('1.2.3.4'), P.ip('5.6.7.8')).subarray(0, 48)), "IP 1.2.3.4.1000 > 5.6.7.8.2000: UDP, length 100"],
    ['frag mid', 'raw', [], buildIpv4Packet(P.header('1.2.3.4', '5.6.7.8', 1, { mf: true, offset: 1480, ident: 7 }), P.counting(40)), "IP 1.2.3.4 > 5.6.7.8: ip-proto-1"],
    ['frag mid -v', 'raw', ['-v'], buildIpv4Packet(P.header('1.2.3.4', '5.6.7.8', 1, { mf: true, offset: 1480, ident: 7 }), P.counting(40)), "IP (tos 0x0, ttl 64, id 7, offset 1480, flags [+], proto ICMP (1), length 60)\n    1.2.3.4 > 5.6.7.8: ip-proto-1"],
    ['frag last -v', 'raw', ['-v'], buildIpv4Packet(P.header('1.2.3.4', '5.6.7.8', 1, { offset: 2960, ident: 7 }), P.counting(40)), "IP (tos 0x0, ttl 64, id 7, offset 2960, flags [none], proto ICMP (1), length 60)\n    1.2.3.4 > 5.6.7.8: ip-proto-1"],
    ['df tos -v', 'raw', ['-v'], P.udp('10.8.0.2', 5000, '10.8.0.1', 6000, 10, { df: true, tos: 0x12, ttl: 3 }), "IP (tos 0x12,ECT(0), ttl 3, id 1234, offset 0, flags [DF], proto UDP (17), length 38)\n    10.8.0.2.5000 > 10.8.0.1.6000: UDP, length 10"],
    ['options -v', 'raw', ['-v'], (() => { const u = buildUdpPacket({ srcPort: 1, dstPort: 2, payload: P.counting(4) }, P.ip('1.1.1.1'), P.ip('2.2.2.2')); const b = new Uint8Array(28 + u.length); b.set(buildIpv4Packet(P.header('1.1.1.1', '2.2.2.2', 17), u).subarray(0, 20)); b[0] = 0x47; b[3] = b.length; b.set([148, 4, 0, 0, 1, 1, 1, 0], 20); b.set(u, 28); return P.fixChecksum(b, 0, 28, 10); })(), "IP (tos 0x0, ttl 64, id 1234, offset 0, flags [none], proto UDP (17), length 40, options (RA,NOP,NOP,NOP,EOL))\n    1.1.1.1.1 > 2.2.2.2.2: UDP, length 4"],
    ['proto 99', 'raw', [], buildIpv4Packet(P.header('1.2.3.4', '5.6.7.8', 99), P.counting(20)), "IP 1.2.3.4 > 5.6.7.8:  ip-proto-99 20"],
    ['ip6 udp', 'raw', [], (() => { const u = new Uint8Array(20); u[0] = 0x13; u[1] = 0x88; u[2] = 0x17; u[3] = 0x70; u[5] = 20; return P.ipv6(17, u, P.FE80_1, P.FE80_EUI); })(), "IP6 fe80::1.5000 > fe80::5054:ff:fe12:3456.6000: UDP, length 12"],
    ['ip6 echo', 'ether', [], P.ether(P.ipv6(58, Uint8Array.from([128, 0, 0, 0, 0, 1, 0, 2, ...P.counting(56)]), P.FE80_1, P.FE80_EUI), 0x86dd), "IP6 fe80::1 > fe80::5054:ff:fe12:3456: ICMP6, echo request, id 1, seq 2, length 64"],
    ['ip6 ns', 'raw', [], P.ipv6(58, Uint8Array.from([135, 0, 0, 0, 0, 0, 0, 0, ...P.FE80_EUI]), P.FE80_1, P.FF02_1), "IP6 fe80::1 > ff02::1: ICMP6, neighbor solicitation, who has fe80::5054:ff:fe12:3456, length 24"],
    ['ip6 na', 'raw', [], P.ipv6(58, Uint8Array.from([136, 0, 0, 0, 0x60, 0, 0, 0, ...P.FE80_EUI]), P.FE80_EUI, P.FE80_1), "IP6 fe80::5054:ff:fe12:3456 > fe80::1: ICMP6, neighbor advertisement, tgt is fe80::5054:ff:fe12:3456, length 24"],
    ['ip6 nh59', 'raw', [], P.ipv6(59, new Uint8Array(0), P.FE80_1, P.FF02_1), "IP6 fe80::1 > ff02::1: no next header"],
    ['ip6 -v', 'raw', ['-v'], (() => { const u = new Uint8Array(20); u[0] = 0x13; u[1] = 0x88; u[2] = 0x17; u[3] = 0x70; u[5] = 20; return P.ipv6(17, u, P.FE80_1, P.FE80_EUI); })(), "IP6 (hlim 64, next-header UDP (17) payload length: 20) fe80::1.5000 > fe80::5054:ff:fe12:3456.6000: [bad udp cksum 0x0000 -> 0x540f!] UDP, length 12"],
    ['unknown ether', 'ether', [], P.ether(P.counting(30), 0x88b5), "52:54:00:12:34:56 > 52:54:00:00:01:01, ethertype Unknown (0x88b5), length 44: \n\t0x0000:  2021 2223 2425 2627 2829 2a2b 2c2d 2e2f  .!\"#$%&\'()*+,-./\n\t0x0010:  3031 3233 3435 3637 3839 3a3b 3c3d       0123456789:;<="],
    ['vlan', 'ether', [], P.ether(Uint8Array.from([0, 10, 8, 0, ...P.echo('echo-request')]), 0x8100), "IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64"],
    ['vlan -e', 'ether', ['-e'], P.ether(Uint8Array.from([0, 10, 8, 0, ...P.echo('echo-request')]), 0x8100), "52:54:00:12:34:56 > 52:54:00:00:01:01, ethertype 802.1Q (0x8100), length 102: vlan 10, p 0, ethertype IPv4 (0x0800), 192.168.1.10 > 192.168.1.1: ICMP echo request, id 1234, seq 0, length 64"],
    ['-e raw', 'raw', ['-e'], P.udp('10.8.0.2', 40000, '10.8.0.1', 1194, 84), "ip: 10.8.0.2.40000 > 10.8.0.1.1194: UDP, length 84"],
  ]);
});
