// OpenVPN over TCP (--proto tcp-server / tcp-client) between two hosts in virtual time: the lines
// 2.6.14 prints (taken from real runs in network namespaces), a ping across the tunnel, the
// client retrying every --connect-retry seconds while the server is away and reconnecting when
// it comes back, the server listening again after its client goes, a peer that breaks the
// framing, and the option checks.

import { describe, expect, it } from 'vitest';
import { SIGINT, SIGTERM } from '../../../kernel/abi/signal.js';
import { CLIENT as TLS_CLIENT, crypto, logLines, pairWorld, runFor, runOn, SERVER as TLS_SERVER, startOn, stop, tlsWorld } from './program-helpers.js';

const SERVER = ['openvpn', '--proto', 'tcp-server', '--dev', 'tun', '--ifconfig', '10.8.0.1', '10.8.0.2', ...crypto('0'), '--verb', '3'];
const CLIENT = ['openvpn', '--proto', 'tcp-client', '--remote', '10.0.0.2', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', ...crypto('1'), '--verb', '3'];

/** The log lines from `first` on, without the ifconfig/route commands between. */
function linkLines(out: string): string[] {
  return logLines(out).filter((l) => !l.startsWith('/bin/') && !l.startsWith('do_ifconfig') && !l.startsWith('ROUTE_GATEWAY') && !l.startsWith('Data Channel MTU'));
}

describe('openvpn over TCP, static key', () => {
  it('connects, carries a ping, and prints the TCP lines 2.6 prints', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 0.5);
    const a = await startOn(w, 'a', CLIENT);
    await runFor(w, 2);
    const p = await runOn(w, 'a', ['ping', '-c', '3', '10.8.0.1']);
    expect(p.out).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    await stop(w, a, SIGINT);
    await runFor(w, 1.5);
    await stop(w, b, SIGTERM);
    const aLines = linkLines(a.output());
    const at = aLines.indexOf('TUN/TAP device tun/0 opened');
    expect(aLines.slice(at, at + 8)).toEqual([
      'TUN/TAP device tun/0 opened',
      'TCP/UDP: Preserving recently used remote address: [AF_INET]10.0.0.2:1194',
      'Attempting to establish TCP connection with [AF_INET]10.0.0.2:1194',
      'TCP connection established with [AF_INET]10.0.0.2:1194',
      'TCPv4_CLIENT link local: (not bound)',
      'TCPv4_CLIENT link remote: [AF_INET]10.0.0.2:1194',
      'Peer Connection Initiated with [AF_INET]10.0.0.2:1194',
      'Initialization Sequence Completed',
    ]);
    const bLines = linkLines(b.output());
    const port = /TCP connection established with \[AF_INET\]192\.168\.1\.10:(\d+)/.exec(b.output())![1];
    const bt = bLines.indexOf('Could not determine IPv4/IPv6 protocol. Using AF_INET');
    expect(bLines.slice(bt, bt + 7)).toEqual([
      'Could not determine IPv4/IPv6 protocol. Using AF_INET',
      'Listening for incoming TCP connection on [AF_INET][undef]:1194',
      `TCP connection established with [AF_INET]192.168.1.10:${port}`,
      'TCPv4_SERVER link local (bound): [AF_INET][undef]:1194',
      `TCPv4_SERVER link remote: [AF_INET]192.168.1.10:${port}`,
      `Peer Connection Initiated with [AF_INET]192.168.1.10:${port}`,
      'Initialization Sequence Completed',
    ]);
    // The client went: the server says so and listens again after a second.
    expect(bLines).toContain('Connection reset, restarting [0]');
    expect(bLines).toContain('SIGUSR1[soft,connection-reset] received, process restarting');
    expect(bLines.filter((l) => l.startsWith('Listening for incoming TCP connection')).length).toBe(2);
    expect(bLines.at(-1)).toBe('SIGTERM[hard,init_instance] received, process exiting');
  });

  it('retries every --connect-retry seconds while the server is away, and reconnects after it restarts', async () => {
    const w = pairWorld();
    const a = await startOn(w, 'a', [...CLIENT, '--connect-retry', '2']);
    await runFor(w, 5);
    const b1 = await startOn(w, 'b', SERVER);
    await runFor(w, 4);
    expect((await runOn(w, 'a', ['ping', '-c', '1', '10.8.0.1'])).out).toContain('1 packets received');
    await stop(w, b1, SIGTERM);
    await runFor(w, 1);
    const b2 = await startOn(w, 'b', SERVER);
    await runFor(w, 6);
    expect((await runOn(w, 'a', ['ping', '-c', '1', '10.8.0.1'])).out).toContain('1 packets received');
    await stop(w, a, SIGTERM);
    await stop(w, b2, SIGTERM);
    const lines = linkLines(a.output());
    const failures = lines.filter((l) => l === 'TCP: connect to [AF_INET]10.0.0.2:1194 failed: Connection refused');
    expect(failures.length).toBeGreaterThanOrEqual(3);
    expect(lines).toContain('SIGUSR1[connection failed(soft),connection-failed] received, process restarting');
    // The attempts are --connect-retry (2 s) apart, in whole seconds of the log's clock.
    const times = a.output().split('\n').filter((l) => l.includes('Attempting to establish TCP connection')).map((l) => Number(/:(\d\d) /.exec(l)![1]));
    expect(times.slice(0, 3)).toEqual([0, 2, 4]);
    expect(lines.filter((l) => l === 'Peer Connection Initiated with [AF_INET]10.0.0.2:1194').length).toBe(2);
    expect(lines).toContain('Connection reset, restarting [0]');
    expect(lines).toContain('SIGUSR1[soft,connection-reset] received, process restarting');
  });

  it('gives up after --connect-retry-max failures', async () => {
    const w = pairWorld();
    const a = await runOn(w, 'a', [...CLIENT, '--connect-retry', '1', '--connect-retry-max', '2']);
    expect(a.status).toBe(1);
    expect(logLines(a.out).slice(-2)).toEqual(['All connections have been connect-retry-max (2) times unsuccessful, exiting', 'Exiting due to fatal error']);
  });

  it('restarts when the peer breaks the framing, with 2.6 warning', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 0.5);
    // A raw TCP peer: a length of 65535 where a packet should start.
    expect((await runOn(w, 'a', ['tcpsend', '10.0.0.2', '1194', 'ffff0000'])).status).toBe(0);
    await runFor(w, 0.5);
    await stop(w, b, SIGTERM);
    const lines = linkLines(b.output());
    expect(lines).toContain(
      'WARNING: Bad encapsulated packet length from peer (65535), which must be > 0 and <= 1768 -- please ensure that --tun-mtu or --link-mtu is equal on both peers -- this condition could also indicate a possible active attack on the TCP link -- [Attempting restart...]',
    );
    expect(lines).toContain('Connection reset, restarting [0]');
  });
});

describe('openvpn over TCP, TLS mode', () => {
  it('a TLS client connects to the server over TCP, gets its push and pings through; the server takes the next connection after', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', [...TLS_SERVER, '--proto', 'tcp-server']);
    await runFor(w, 1);
    const a = await startOn(w, 'a', [...TLS_CLIENT, '--proto', 'tcp-client']);
    await runFor(w, 3);
    expect((await runOn(w, 'a', ['ping', '-c', '2', '10.8.0.1'])).out).toContain('2 packets transmitted, 2 packets received');
    await stop(w, a, SIGTERM);
    await runFor(w, 2);
    await stop(w, b, SIGTERM);
    const al = logLines(a.output());
    expect(al).toContain('TCP connection established with [AF_INET]10.0.0.2:1194');
    expect(al).toContain("Data Channel: cipher 'AES-256-GCM', peer-id: 0");
    expect(al).toContain('Initialization Sequence Completed');
    const bl = logLines(b.output());
    expect(bl.some((l) => /^TCP connection established with \[AF_INET\]192\.168\.1\.10:\d+$/.test(l))).toBe(true);
    expect(bl).toContain('SIGUSR1[soft,connection-reset] received, process restarting');
    expect(bl.filter((l) => l.startsWith('Listening for incoming TCP connection')).length).toBe(2);
  });
});

describe('openvpn --proto options', () => {
  it('takes tcp as the side its mode implies, and refuses what it cannot do', async () => {
    const w = pairWorld();
    const opt = async (args: string[]) => logLines((await runOn(w, 'a', ['openvpn', '--dev', 'null', ...args])).out).at(-2);
    expect(await opt(['--proto', 'tcp', ...crypto(null)])).toBe('Options error: --proto tcp is ambiguous in this context. Please specify --proto tcp-server or --proto tcp-client');
    expect(await opt(['--proto', 'tcp-client', ...crypto(null)])).toBe('Options error: --remote MUST be used in TCP Client mode');
    expect(await opt(['--proto', 'tcp6-client'])).toBe("Options error: --proto tcp6-client is not supported by tunlab's openvpn (IPv4 only)");
    // OCC names the link, and its link-mtu counts the 2-byte length.
    const a = await runOn(w, 'a', [...CLIENT.slice(0, -2), '--verb', '7', '--connect-retry-max', '1']);
    expect(logLines(a.out)).toContain(
      "Local Options String (VER=V4): 'V4,dev-type tun,link-mtu 1574,tun-mtu 1500,proto TCPv4_CLIENT,ifconfig 10.8.0.1 10.8.0.2,keydir 1,cipher AES-256-CBC,auth SHA256,keysize 256,secret'",
    );
  });
});
