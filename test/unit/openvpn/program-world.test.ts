// The default world's story (the vpn host runs the server from its boot commands; haiku connects
// and pings the intranet through the tunnel), the seed's cleartext command, and --genkey.

import { describe, expect, it } from 'vitest';
import { Session } from '../../../bin/session.js';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { parseStaticKey } from '../../../userland/bin/openvpn/static-key.js';
import { start } from '../../helpers/world.js';
import { crypto, logLines, pairWorld, runFor, runOn, startOn, stop } from './program-helpers.js';

async function shell(session: Session, script: string): Promise<string> {
  const dec = new TextDecoder();
  let out = '';
  const collect = (d: Uint8Array) => void (out += dec.decode(d, { stream: true }));
  const { shell } = await session.startShell(['-c', script], { tty: false, out: collect, err: collect });
  await session.run(() => !shell.alive);
  return out;
}

async function bootLog(session: Session, host: string): Promise<string> {
  const s = await start(session.world.mustHost(host), ['cat', '/var/log/boot.log']);
  await session.run(() => !s.proc.alive);
  return s.output();
}

describe('the default world', () => {
  it('boots to a ready point: a script\'s first command at time 0 finds what the boot commands set up', async () => {
    const session = await Session.create({ clock: 'virtual' });
    const t0 = session.world.sched.now();
    const out = await shell(session, 'on vpn ifconfig tun/0; on vpn ps');
    expect(t0).toBe(0);
    expect(out).toContain('tun/0');
    expect(out).toContain('inet addr: 10.8.0.1');
    expect(out).not.toMatch(/No such|not found/);
    expect(out).toContain('openvpn');
  });

  it('haiku reaches the intranet through the vpn host started at boot', async () => {
    const session = await Session.create({ clock: 'virtual' });
    const out = await shell(
      session,
      [
        'openvpn --remote 64.233.160.1 --dev tun --ifconfig 10.8.0.2 10.8.0.1 --route 10.10.0.0 255.255.255.0 --secret /etc/openvpn/static.key 1 --cipher AES-256-CBC --auth SHA256 --verb 3 > /tmp/openvpn.log &',
        'sleep 2',
        'ping -c 3 10.10.0.10',
        'kill -TERM $!',
        'wait',
        'cat /tmp/openvpn.log',
      ].join('\n'),
    );
    expect(out).toContain('3 packets transmitted, 3 packets received, 0.0% packet loss');
    const client = logLines(out.slice(out.indexOf('DEPRECATED OPTION')));
    expect(client).toContain('ROUTE_GATEWAY 192.168.1.1 IFACE=/dev/net/ipro1000/0');
    expect(client).toContain('/bin/ifconfig tun/0 inet 10.8.0.2 peer 10.8.0.1 mtu 1500 up');
    expect(client).toContain('Peer Connection Initiated with [AF_INET]64.233.160.1:1194');
    expect(client).toContain('Initialization Sequence Completed');
    expect(client).toContain('/bin/route add tun/0 inet 10.10.0.0 gw 10.8.0.1 netmask 255.255.255.0');
    expect(client.slice(-3)).toEqual([
      '/bin/route del tun/0 inet 10.10.0.0 gw 10.8.0.1 netmask 255.255.255.0',
      'Closing TUN/TAP interface',
      'SIGTERM[hard,] received, process exiting',
    ]);
    const server = logLines(await bootLog(session, 'vpn'));
    expect(server).toContain('/bin/ifconfig tun/0 inet 10.8.0.1 peer 10.8.0.2 mtu 1500 up');
    expect(server).toContain('UDPv4 link local (bound): [AF_INET][undef]:1194');
    expect(server).toContain('Peer Connection Initiated with [AF_INET]192.168.1.10:1194');
    expect(server).toContain('Initialization Sequence Completed');
  });

  it("runs the seed's command (no --secret: 2.6's cleartext mode) without hanging", async () => {
    const session = await Session.create({ clock: 'virtual' });
    const w = session.world;
    const c = await start(session.host, ['openvpn', '--remote', '64.233.160.1', '--verb', '9', '--ping', '1', '--dev', 'tun']);
    await runFor(w, 3.5);
    expect(c.proc.alive).toBe(true);
    await stop(w, c, SIGINT);
    const lines = logLines(c.output());
    expect(lines).toContain('TUN/TAP device tun/0 opened');
    expect(lines).toContain('do_ifconfig, ipv4=0, ipv6=0');
    expect(lines.filter((l) => l === 'UDPv4 WRITE [16] to [AF_INET]64.233.160.1:1194:  DATA 2a187bf3 641eb4cb 07ed2d0a 981fc748').length).toBe(4);
    expect(lines.slice(-4)).toEqual([
      'event_wait : Interrupted system call (fd=-1,code=-2147483638)',
      'TCP/UDP: Closing socket',
      'Closing TUN/TAP interface',
      'SIGINT[hard,] received, process exiting',
    ]);
    expect(c.proc.status).toBe(0);
    // The static-key server drops the bare pings, and says why.
    const server = logLines(await bootLog(session, 'vpn'));
    expect(server.filter((l) => l === 'Authenticate/Decrypt packet error: missing authentication info').length).toBe(4);
  });
});

describe('--genkey', () => {
  it('writes a valid static key from /dev/random, mode 0600, that two peers can use', async () => {
    const w = pairWorld();
    const g = await runOn(w, 'a', ['openvpn', '--genkey', 'secret', '/etc/new.key']);
    expect(g).toEqual({ out: '', status: 0 });
    expect(w.mustHost('a').root.stat('etc/new.key', true).st_mode & 0o777).toBe(0o600);
    const file = (await runOn(w, 'a', ['cat', '/etc/new.key'])).out;
    expect(parseStaticKey(file, '/etc/new.key')).toBeInstanceOf(Uint8Array);
    w.mustHost('b').root.install('etc/new.key', file);
    const b = await startOn(w, 'b', ['openvpn', '--dev', 'null', ...crypto('0', '/etc/new.key')]);
    const a = await startOn(w, 'a', ['openvpn', '--dev', 'null', '--remote', '10.0.0.2', '--ping', '1', ...crypto('1', '/etc/new.key')]);
    await runFor(w, 2);
    await stop(w, a, SIGINT);
    await stop(w, b, SIGINT);
    expect(logLines(b.output())).toContain('Initialization Sequence Completed');
  });

  it('prints to standard output without a file, warns about --genkey --secret, and reports write errors', async () => {
    const w = pairWorld();
    const s = await runOn(w, 'a', ['openvpn', '--genkey']);
    expect(s.out).toMatch(/^#\n# 2048 bit OpenVPN static key\n#\n-----BEGIN OpenVPN Static key V1-----\n([0-9a-f]{32}\n){16}-----END OpenVPN Static key V1-----\n$/);
    expect(parseStaticKey(s.out)).toBeInstanceOf(Uint8Array);
    const d = await runOn(w, 'a', ['openvpn', '--genkey', '--secret', '/etc/old-style.key']);
    expect(logLines(d.out)).toEqual([
      'DEPRECATED OPTION: The option --secret is deprecated.',
      'WARNING: Using --genkey --secret filename is DEPRECATED.  Use --genkey secret filename instead.',
    ]);
    expect(d.status).toBe(0);
    const e = await runOn(w, 'a', ['openvpn', '--genkey', 'secret', '/nonexist/x.key']);
    expect(logLines(e.out)).toEqual([
      "Cannot open file '/nonexist/x.key' for write: No such file or directory (errno=-2147459069)",
      'Failed to write key file',
      'Exiting due to fatal error',
    ]);
    expect(e.status).toBe(1);
  });
});
