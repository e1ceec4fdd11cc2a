// openvpn's timers in virtual time: --ping-restart and --ping-exit (lines and timing as 2.6),
// restarts with and without --persist-tun, OCC requests and replies, signals, and no busy waiting.

import { describe, expect, it } from 'vitest';
import { SIGHUP, SIGINT, SIGUSR1, SIGUSR2 } from '../../../kernel/abi/signal.js';
import { crypto, logLines, pairWorld, runFor, startOn, stop } from './program-helpers.js';

describe('--ping-restart and --ping-exit', () => {
  it('restarts after n silent seconds, re-opening the tun and running ifconfig again', async () => {
    const w = pairWorld();
    const a = await startOn(w, 'a', [
      'openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', '--remote', '10.0.0.2', '--ping', '1', '--ping-restart', '3', ...crypto('1'), '--verb', '3',
    ]);
    await runFor(w, 5.5);
    await stop(w, a, SIGINT);
    const out = a.output();
    const lines = logLines(out);
    const from = lines.indexOf('Inactivity timeout (--ping-restart), restarting');
    expect(lines.slice(from)).toEqual([
      'Inactivity timeout (--ping-restart), restarting',
      'Closing TUN/TAP interface',
      'SIGUSR1[soft,ping-restart] received, process restarting',
      'Restart pause, 1 second(s)',
      'TUN/TAP device tun/0 opened',
      '/bin/ifconfig tun/0 inet 10.8.0.2 peer 10.8.0.1 mtu 1500 up',
      'TCP/UDP: Preserving recently used remote address: [AF_INET]10.0.0.2:1194',
      'Socket Buffers: R=[212992->212992] S=[212992->212992]',
      'UDPv4 link local (bound): [AF_INET][undef]:1194',
      'UDPv4 link remote: [AF_INET]10.0.0.2:1194',
      'event_wait : Interrupted system call (fd=-1,code=-2147483638)',
      'Closing TUN/TAP interface',
      'SIGINT[hard,] received, process exiting',
    ]);
    expect(out).toContain('2026-01-01 00:00:03 Inactivity timeout (--ping-restart), restarting');
    expect(out).toContain('2026-01-01 00:00:04 TUN/TAP device tun/0 opened');
  });

  it('keeps the tun across the restart with --persist-tun', async () => {
    const w = pairWorld();
    const a = await startOn(w, 'a', [
      'openvpn', '--dev', 'tun', '--ifconfig', '10.8.0.2', '10.8.0.1', '--remote', '10.0.0.2', '--ping-restart', '2', '--persist-tun', ...crypto('1'),
    ]);
    await runFor(w, 3.5);
    await stop(w, a, SIGINT);
    const lines = logLines(a.output());
    expect(lines.filter((l) => l === 'TUN/TAP device tun/0 opened').length).toBe(1);
    expect(lines).toContain('Preserving previous TUN/TAP instance: tun/0');
    expect(lines.slice(-1)).toEqual(['SIGINT[hard,] received, process exiting']);
  });

  it('exits after n silent seconds with --ping-exit, status 0', async () => {
    const w = pairWorld();
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', '--ping-exit', '3', ...crypto('1'), '--verb', '3']);
    await w.run({ until: () => !a.proc.alive });
    expect(logLines(a.output()).slice(-3)).toEqual([
      'Inactivity timeout (--ping-exit), exiting',
      'Closing TUN/TAP interface',
      'SIGTERM[soft,ping-exit] received, process exiting',
    ]);
    expect(a.output()).toContain('2026-01-01 00:00:03 Inactivity timeout (--ping-exit), exiting');
    expect(a.proc.status).toBe(0);
  });

  it('never fires while the peer keeps pinging; --keepalive is ping + ping-restart', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--keepalive', '2', '10', ...crypto('0'), '--verb', '2']);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', '--ping-restart', '3', ...crypto('1')]);
    await runFor(w, 30);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    expect(a.output()).not.toContain('Inactivity timeout');
    expect(logLines(b.output())).toContain('Timers: ping 2, ping-restart 10');
  });
});

describe('restarts keep the tunnel', () => {
  it('SIGUSR1 restarts with a later session time, which the peer accepts', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--remote', '192.168.1.10', '--ping', '1', ...crypto('0'), '--verb', '3']);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1'), '--verb', '7']);
    await runFor(w, 2.5);
    b.proc.signal(SIGUSR1);
    await runFor(w, 3);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    const bl = logLines(b.output());
    expect(bl).toContain('SIGUSR1[hard,] received, process restarting');
    expect(bl.filter((l) => l.startsWith('Peer Connection Initiated')).length).toBe(2);
    expect(bl.filter((l) => l === 'Initialization Sequence Completed').length).toBe(2);
    expect(a.output()).not.toContain('packet error');
    const al = logLines(a.output());
    expect(al.lastIndexOf('RECEIVED PING PACKET')).toBeGreaterThan(al.length - 8);
  });

  it('SIGHUP closes the tun even with --persist-tun, reads the config file again and restarts with it', async () => {
    const w = pairWorld();
    const k = w.mustHost('a');
    const conf = (port: number) => `dev tun\nifconfig 10.8.0.2 10.8.0.1\nremote 10.0.0.2\nlport ${port}\npersist-tun\nsecret /etc/k 1\ncipher AES-256-CBC\nauth SHA256\nverb 3\n`;
    k.root.install('etc/a.conf', conf(1194));
    const a = await startOn(w, 'a', ['openvpn', '--config', '/etc/a.conf']);
    await runFor(w, 1.5);
    k.root.install('etc/a.conf', conf(1196));
    a.proc.signal(SIGHUP);
    await runFor(w, 2);
    await stop(w, a, SIGINT);
    const lines = logLines(a.output());
    const from = lines.indexOf('SIGHUP[hard,] received, process restarting');
    // As a real 2.6.14 does (checked against one): the startup lines again, then the pause.
    expect(lines.slice(from - 2, from + 12)).toEqual([
      'event_wait : Interrupted system call (fd=-1,code=-2147483638)',
      'Closing TUN/TAP interface',
      'SIGHUP[hard,] received, process restarting',
      'DEPRECATED OPTION: The option --secret is deprecated.',
      expect.stringMatching(/^DEPRECATION: No tls-client or tls-server option/),
      expect.stringMatching(/^OpenVPN 2\.6\.14 /),
      expect.stringMatching(/^library versions: /),
      'Restart pause, 1 second(s)',
      'TUN/TAP device tun/0 opened',
      '/bin/ifconfig tun/0 inet 10.8.0.2 peer 10.8.0.1 mtu 1500 up',
      'TCP/UDP: Preserving recently used remote address: [AF_INET]10.0.0.2:1194',
      'Socket Buffers: R=[212992->212992] S=[212992->212992]',
      'UDPv4 link local (bound): [AF_INET][undef]:1196',
      'UDPv4 link remote: [AF_INET]10.0.0.2:1194',
    ]);
    expect(lines).not.toContain('Preserving previous TUN/TAP instance: tun/0');
  });

  it('SIGUSR2 prints the statistics and goes on', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', ...crypto('0')]);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1')]);
    await runFor(w, 2.5);
    a.proc.signal(SIGUSR2);
    await runFor(w, 1);
    expect(a.proc.alive).toBe(true);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    const lines = logLines(a.output());
    const at = lines.indexOf('OpenVPN STATISTICS');
    expect(lines.slice(at, at + 8)).toEqual([
      'OpenVPN STATISTICS',
      'Updated,2026-01-01 00:00:02',
      'TUN/TAP read bytes,0',
      'TUN/TAP write bytes,0',
      'TCP/UDP read bytes,0',
      'TCP/UDP write bytes,240',
      'Auth read bytes,0',
      'END',
    ]);
  });
});

describe('OCC', () => {
  it('asks for the options string at 10 s, answers requests, and stops once answered', async () => {
    const w = pairWorld();
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', '--tun-mtu', '1400', ...crypto('0'), '--verb', '9']);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '5', ...crypto('1'), '--verb', '9']);
    await runFor(w, 35);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    const al = logLines(a.output());
    const bl = logLines(b.output());
    expect(al.filter((l) => l === 'SENT OCC_REQUEST').length).toBe(1);
    expect(a.output()).toContain('2026-01-01 00:00:10 us=0 SENT OCC_REQUEST');
    expect(bl).toContain('RECEIVED OCC_REQUEST');
    expect(bl).toContain('SENT OCC_REPLY');
    expect(al).toContain('RECEIVED OCC_REPLY');
    // The mismatch is only reported, as 2.6 does.
    expect(al).toContain("WARNING: 'link-mtu' is used inconsistently, local='link-mtu 1572', remote='link-mtu 1472'");
    expect(al).toContain("WARNING: 'tun-mtu' is used inconsistently, local='tun-mtu 1500', remote='tun-mtu 1400'");
    // The server asks too, once it knows its peer, and is answered.
    expect(bl.filter((l) => l === 'SENT OCC_REQUEST').length).toBe(1);
    expect(bl).toContain('RECEIVED OCC_REPLY');
  });

  it('gives up after 12 tries with a note, and then sleeps without a timer', async () => {
    const w = pairWorld();
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', ...crypto('1'), '--verb', '9']);
    const outcome = await w.run({ until: () => false });
    // Nothing left to wait for: blocked in poll with no timeout, which the kernel reports.
    expect(outcome.kind).toBe('deadlock');
    const lines = logLines(a.output());
    expect(lines.filter((l) => l === 'SENT OCC_REQUEST').length).toBe(11);
    expect(a.output()).toContain(
      '2026-01-01 00:02:00 us=0 NOTE: failed to obtain options consistency info from peer -- this could be due to remote peer running a different version of OpenVPN.',
    );
    expect(w.describeStuck(outcome)).toMatch(/a: pid \d+ \(openvpn\)\s+poll, waiting on poll/);
  });
});
