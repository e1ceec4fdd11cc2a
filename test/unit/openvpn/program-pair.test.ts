// Two openvpn processes on two hosts of a routed world, in virtual time: the startup lines 2.6
// prints, the success markers once the first authenticated packet arrives, pings over --dev null,
// an ICMP ping through --dev tun, the verb 5/6/9 packet lines, and the closing lines on SIGINT.

import { describe, expect, it } from 'vitest';
import { SIGINT, SIGTERM } from '../../../kernel/abi/signal.js';
import { formatHex } from '../../../userland/bin/openvpn/log.js';
import { crypto, logLines, pairWorld, runFor, runOn, startOn, stop } from './program-helpers.js';

const HEAD = [
  'DEPRECATED OPTION: The option --secret is deprecated.',
  'DEPRECATION: No tls-client or tls-server option in configuration detected. OpenVPN 2.7 will remove the functionality to run a VPN without TLS. See the examples section in the manual page for examples of a similar quick setup with peer-fingerprint.',
  'OpenVPN 2.6.14 x86_64-pc-haiku [SSL (tunlab)] [AEAD]',
  'library versions: tunlab userland crypto (node:crypto, node:tls)',
];

describe('a --dev null pair', () => {
  it('comes up on the first authenticated packet and keeps exchanging pings', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--ping', '1', ...crypto('0'), '--verb', '3']);
    await runFor(w, 2.5);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1'), '--verb', '7']);
    await runFor(w, 6);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGTERM);
    expect(logLines(b.output())).toEqual([
      ...HEAD,
      'WARNING: --ping should normally be used with --ping-restart or --ping-exit',
      'Could not determine IPv4/IPv6 protocol. Using AF_INET',
      'Socket Buffers: R=[212992->212992] S=[212992->212992]',
      'UDPv4 link local (bound): [AF_INET][undef]:1194',
      'UDPv4 link remote: [AF_UNSPEC]',
      'Peer Connection Initiated with [AF_INET]192.168.1.10:1194',
      'Initialization Sequence Completed',
      "Data Channel: cipher 'AES-256-CBC', auth 'SHA256'",
      'Timers: ping 1',
      'event_wait : Interrupted system call (fd=-1,code=-2147483638)',
      'Closing TUN/TAP interface',
      'SIGTERM[hard,] received, process exiting',
    ]);
    // The success markers: the peer, then "Initialization Sequence Completed" at once, since the
    // packet (at 2.5 s) came in a later second than the server's start...
    expect(b.output()).toContain('2026-01-01 00:00:02 Peer Connection Initiated');
    expect(b.output()).toContain('2026-01-01 00:00:02 Initialization Sequence Completed');
    // ...while a heard b in its first second, and waited for the one-second tick, as 2.6 does.
    expect(a.output()).toMatch(/2026-01-01 00:00:02 us=5\d{5} Peer Connection Initiated/);
    expect(a.output()).toMatch(/2026-01-01 00:00:03 us=5\d{5} Initialization Sequence Completed/);
    const aLines = logLines(a.output());
    expect(aLines).toContain("Local Options String (VER=V4): 'V4,dev-type null,link-mtu 1572,tun-mtu 1500,proto UDPv4,keydir 1,cipher AES-256-CBC,auth SHA256,keysize 256,secret'");
    expect(aLines).toContain('Peer Connection Initiated with [AF_INET]10.0.0.2:1194');
    expect(aLines.filter((l) => l === 'SENT PING').length).toBe(7); // at 0, 1, ... 6 s
    expect(aLines.filter((l) => l === 'RECEIVED PING PACKET').length).toBeGreaterThanOrEqual(6);
    expect(aLines.slice(-3)).toEqual(['TCP/UDP: Closing socket', 'Closing TUN/TAP interface', 'SIGINT[hard,] received, process exiting']);
    expect(a.proc.status).toBe(0);
    expect(b.proc.status).toBe(0);
  });

  it('runs in 2.6 cleartext mode without --secret: warnings, bare payloads, still a tunnel', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--ping', '1', '--verb', '9']);
    const a = await startOn(w, 'a', ['openvpn', '--remote', '10.0.0.2', '--verb', '9', '--ping', '1', '--dev', 'null']);
    await runFor(w, 3);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    const lines = logLines(a.output());
    expect(lines).toContain(
      "******* WARNING *******: '--cipher none' was specified. This means NO encryption will be performed and tunnelled data WILL be transmitted in clear text over the network! PLEASE DO RECONSIDER THIS SETTING!",
    );
    expect(lines).toContain("Local Options String (VER=V4): 'V4,dev-type null,link-mtu 1500,tun-mtu 1500,proto UDPv4'");
    // The ping magic alone on the wire: no HMAC, IV or packet id.
    expect(lines).toContain('ENCRYPT TO: 2a187bf3 641eb4cb 07ed2d0a 981fc748');
    expect(lines).toContain('UDPv4 WRITE [16] to [AF_INET]10.0.0.2:1194:  DATA 2a187bf3 641eb4cb 07ed2d0a 981fc748');
    expect(lines).toContain("Data Channel: cipher '(null)', auth 'SHA1'");
    expect(logLines(b.output())).toContain('Peer Connection Initiated with [AF_INET]192.168.1.10:1194');
  });
});

describe('a --dev tun pair', () => {
  it('configures the tun with ifconfig and route, and carries a ping across', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', ...crypto('0'), '--verb', '3']);
    const a = await startOn(w, 'a', [
      'openvpn', '--remote', '10.0.0.2', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1',
      '--route', '10.9.0.0', '255.255.0.0', ...crypto('1'), '--verb', '4',
    ]);
    await runFor(w, 1);
    const p = await runOn(w, 'a', ['ping', '-c', '3', '10.8.0.1']);
    expect(p.out).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    const lines = logLines(a.output());
    const from = (s: string) => lines.slice(lines.indexOf(s));
    expect(from('ROUTE_GATEWAY 192.168.1.1 IFACE=/dev/net/ipro1000/0').slice(0, 11)).toEqual([
      'ROUTE_GATEWAY 192.168.1.1 IFACE=/dev/net/ipro1000/0',
      'TUN/TAP device tun/0 opened',
      'do_ifconfig, ipv4=1, ipv6=0',
      '/bin/ifconfig tun/0 inet 10.8.0.2 peer 10.8.0.1 mtu 1500 up',
      '/bin/route add tun/0 inet 10.9.0.0 gw 10.8.0.1 netmask 255.255.0.0',
      'Data Channel MTU parms [ mss_fix:0 max_frag:0 tun_mtu:1500 tun_max_mtu:1600 headroom:136 payload:1768 tailroom:562 ET:0 ]',
      'TCP/UDP: Preserving recently used remote address: [AF_INET]10.0.0.2:1194',
      'Socket Buffers: R=[212992->212992] S=[212992->212992]',
      'UDPv4 link local (bound): [AF_INET][undef]:1194',
      'UDPv4 link remote: [AF_INET]10.0.0.2:1194',
      'Peer Connection Initiated with [AF_INET]10.0.0.2:1194',
    ]);
    expect(lines).toContain("Outgoing Static Key Encryption: Cipher 'AES-256-CBC' initialized with 256 bit key");
    expect(lines).toContain("Incoming Static Key Encryption: Using 256 bit message hash 'SHA256' for HMAC authentication");
    expect(lines.slice(-5)).toEqual([
      'event_wait : Interrupted system call (fd=-1,code=-2147483638)',
      'TCP/UDP: Closing socket',
      '/bin/route del tun/0 inet 10.9.0.0 gw 10.8.0.1 netmask 255.255.0.0',
      'Closing TUN/TAP interface',
      'SIGINT[hard,] received, process exiting',
    ]);
    // Closing the tun removed the interface with its routes.
    const r = await runOn(w, 'a', ['route']);
    expect(r.out).not.toContain('tun/0');
  });

  it('shows each packet: RrWw at verb 5, lengths at verb 6, hex dumps at verb 9', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', ...crypto('0'), '--verb', '5']);
    const a = await startOn(w, 'a', ['openvpn', '--remote', '10.0.0.2', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', ...crypto('1'), '--verb', '9']);
    await runFor(w, 1);
    await runOn(w, 'a', ['ping', '-c', '1', '10.8.0.1']);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    // b: R (link read), then w (tun write) r (tun read) W (link write), glued to the next line as 2.6 does.
    expect(b.output()).toMatch(
      /\nR2026-01-01 00:00:01 us=\d+ Peer Connection Initiated with \[AF_INET\]192\.168\.1\.10:1194\nw2026-01-01 00:00:01 us=\d+ Initialization Sequence Completed\n.*\nrW2026-01-01 /,
    );
    const lines = logLines(a.output());
    const at = lines.indexOf('TUN READ [84]');
    expect(lines[at - 1]).toBe(' read from TUN/TAP returned 84');
    expect(lines[at + 1]).toMatch(/^ENCRYPT IV: [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8} [0-9a-f]{8}$/);
    // id 1, the session time (2026-01-01 00:00:01 = 0x6955b901, the first packet), then the IPv4 header.
    expect(lines[at + 2]).toMatch(/^ENCRYPT FROM: 00000001 6955b901 45000054 [0-9a-f]{8} 4001[0-9a-f]{4} 0a080002 0a080001 0800[0-9a-f]{3}\[more\.\.\.\]$/);
    expect(lines[at + 3]).toMatch(/^ENCRYPT HMAC: ([0-9a-f]{8} ){7}[0-9a-f]{8}$/);
    expect(lines[at + 4]).toMatch(/^ENCRYPT TO: ([0-9a-f]{8} ){7}[0-9a-f]{7}\[more\.\.\.\]$/);
    expect(lines[at + 5]).toMatch(/^UDPv4 WRITE \[144\] to \[AF_INET\]10\.0\.0\.2:1194: {2}DATA ([0-9a-f]{8} ){7}[0-9a-f]{7}\[more\.\.\.\]$/);
    expect(lines[at + 6]).toBe('UDPv4 write returned 144');
    expect(lines).toContain('UDPv4 read returned 144');
    expect(lines.some((l) => /^DECRYPT TO: 00000001 6955b901 45000054 /.test(l))).toBe(true);
    expect(lines).toContain('TUN WRITE [84]');
  });
});

describe('tap and named devices', () => {
  it('carries Ethernet frames (ARP, then ICMP) between two taps; --dev tap/3 names the unit', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'tap/3', '--ifconfig', '10.9.0.1', '255.255.255.0', ...crypto('0'), '--verb', '3']);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'tap', '--remote', '10.0.0.2', '--ifconfig', '10.9.0.2', '255.255.255.0', ...crypto('1'), '--verb', '3']);
    await runFor(w, 1);
    const p = await runOn(w, 'a', ['ping', '-c', '2', '10.9.0.1']);
    expect(p.out).toContain('2 packets transmitted, 2 packets received');
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    expect(logLines(b.output())).toContain('TUN/TAP device tap/3 opened');
    expect(logLines(b.output())).toContain('/bin/ifconfig tap/3 inet 10.9.0.1 255.255.255.0 mtu 1500 up');
    expect(logLines(a.output())).toContain('/bin/ifconfig tap/0 inet 10.9.0.2 255.255.255.0 mtu 1500 up');
  });
});

describe('format_hex', () => {
  it('groups four bytes, and cuts past 79 characters to 70 and "[more...]"', () => {
    expect(formatHex(Uint8Array.of(0x2a, 0x18, 0x7b, 0xf3, 0x64))).toBe('2a187bf3 64');
    expect(formatHex(new Uint8Array(35).fill(0xab))).toBe(`${'abababab '.repeat(8)}ababab`);
    const long = formatHex(new Uint8Array(36).fill(0xcd));
    expect(long).toBe(`${'cdcdcdcd '.repeat(7)}cdcdcdc[more...]`);
    expect(long.length).toBe(79);
  });
});
