// tunlab's openvpn in TLS mode, server and client on two hosts of a routed world, in virtual time:
// the handshake, the push, the tun configured from it, a ping through, and the logs of both ends.

import { describe, expect, it } from 'vitest';
import { SIGTERM } from '../../../kernel/abi/signal.js';
import { CLIENT, logLines, runFor, runOn, SERVER, startOn, stop, tlsWorld } from './program-helpers.js';
import { SERVER_VERIFY_LINES } from './tls-helpers.js';

describe('TLS mode in a world', () => {
  it('a client gets its address pushed and pings the server through the tunnel', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 1);
    const a = await startOn(w, 'a', CLIENT);
    await runFor(w, 3);
    const p = await runOn(w, 'a', ['ping', '-c', '2', '10.8.0.1']);
    expect(p.out).toContain('2 packets transmitted, 2 packets received');
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
    const al = logLines(a.output());
    const from = al.indexOf('VERIFY OK: depth=1, CN=Test OpenVPN CA');
    expect(al.slice(from, from + 7)).toEqual([
      ...SERVER_VERIFY_LINES,
      'Control Channel: TLSv1.3, cipher TLSv1.3 TLS_AES_256_GCM_SHA384, peer certificate: 256 bits ECprime256v1, signature: ecdsa-with-SHA256, peer temporary key: 253 bits X25519',
    ]);
    expect(al).toContain(
      "PUSH: Received control message: 'PUSH_REPLY,route-gateway 10.8.0.1,topology subnet,ping 2,ping-restart 10,ifconfig 10.8.0.2 255.255.255.0,peer-id 0,cipher AES-256-GCM,protocol-flags cc-exit tls-ekm dyn-tls-crypt,tun-mtu 1500'",
    );
    expect(al).toContain('/bin/ifconfig tun/0 inet 10.8.0.2 netmask 255.255.255.0 mtu 1500 up');
    expect(al).toContain("Data Channel: cipher 'AES-256-GCM', peer-id: 0");
    // The server pushed unasked (IV_PROTO_REQUEST_PUSH): no PUSH_REQUEST went out.
    expect(al.some((l) => l.includes('PUSH_REQUEST'))).toBe(false);
    const bl = logLines(b.output());
    expect(bl).toContain('IFCONFIG POOL IPv4: base=10.8.0.2 size=253');
    expect(bl).toContain('192.168.1.10:49152 [client] Peer Connection Initiated with [AF_INET]192.168.1.10:49152');
    expect(bl).toContain('client/192.168.1.10:49152 MULTI_sva: pool returned IPv4=10.8.0.2, IPv6=(Not enabled)');
    expect(bl).toContain('client/192.168.1.10:49152 Timers: ping 2, ping-restart 20');
  });

  it('a handshake lasts its round trips: the client waits for the reset\'s ack asleep, not spinning', async () => {
    // A round trip a <-> b crosses the lan (0.5 ms) and the wan (5 ms) both ways.
    const RTT = 11e6;
    const w = tlsWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 1);
    const a = await startOn(w, 'a', [...CLIENT, '--reneg-sec', '10']);
    const logged = (what: string, times = 1) => () => a.output().split(what).length > times;
    const t0 = w.sched.now();
    await w.run({ until: logged('Initialization Sequence Completed') });
    // The resets (and, once, ARP on both segments: one more round trip), the TLS hellos, the key
    // methods, and the PUSH_REPLY. A client spinning in poll(fd, 0) would add its busy charge.
    expect(w.sched.now() - t0).toBe(5 * RTT);
    await w.run({ until: logged('TLS: soft reset') });
    const t1 = w.sched.now();
    await w.run({ until: logged('Control Channel: TLSv1.3', 2) });
    // A renegotiation: the soft resets, the TLS hellos, the key methods.
    expect(w.sched.now() - t1).toBe(3 * RTT);
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
  });

  it('--explicit-exit-notify: EXIT on the control channel, the server lets the client go after 5 s', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 1);
    const a = await startOn(w, 'a', [...CLIENT, '--explicit-exit-notify', '2']);
    await runFor(w, 3);
    a.proc.signal(SIGTERM);
    await runFor(w, 8);
    expect(a.proc.alive).toBe(false);
    const al = logLines(a.output());
    expect(al.slice(-4)).toEqual([
      'SIGTERM received, sending exit notification to peer',
      "SENT CONTROL [server]: 'EXIT' (status=1)",
      'Closing TUN/TAP interface',
      'SIGTERM[soft,exit-with-notification] received, process exiting',
    ]);
    const bl = logLines(b.output());
    expect(bl).toContain('client/192.168.1.10:49152 CC-EEN exit message received by peer');
    expect(bl).toContain('client/192.168.1.10:49152 Delayed exit in 5 seconds');
    expect(bl).toContain('client/192.168.1.10:49152 SIGTERM[soft,remote-exit] received, client-instance exiting');
    await stop(w, b, SIGTERM);
  });

  it('tls-auth with key directions, and CHACHA20-POLY1305 when the server puts it first', async () => {
    const w = tlsWorld();
    const tlsAuth = (argv: string[], dir: string) =>
      argv.flatMap((x) => (x === '--tls-crypt' ? ['--tls-auth'] : x === '/etc/openvpn/tc.key' ? ['/etc/openvpn/ta.key', dir] : [x]));
    const b = await startOn(w, 'b', [...tlsAuth(SERVER, '0'), '--data-ciphers', 'CHACHA20-POLY1305:AES-256-GCM']);
    await runFor(w, 1);
    const a = await startOn(w, 'a', tlsAuth(CLIENT, '1'));
    await runFor(w, 3);
    const p = await runOn(w, 'a', ['ping', '-c', '1', '10.8.0.1']);
    expect(p.out).toContain('1 packets transmitted, 1 packets received');
    expect(logLines(a.output())).toContain("Data Channel: cipher 'CHACHA20-POLY1305', peer-id: 0");
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
  });

  it('a client whose tls-crypt key is wrong is refused with 2.6\'s lines, and retries', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', SERVER);
    await runFor(w, 1);
    const client = CLIENT.map((x) => (x === '/etc/openvpn/tc.key' ? '/etc/openvpn/ta.key' : x));
    const a = await startOn(w, 'a', client);
    await runFor(w, 5);
    const bl = logLines(b.output());
    expect(bl).toContain('tls-crypt unwrap error: packet authentication failed');
    expect(bl).toContain('TLS Error: tls-crypt unwrapping failed from [AF_INET]192.168.1.10:49152');
    // The client goes on retransmitting its reset (2 s, then 4 s...), never getting an answer.
    expect(bl.filter((l) => l.startsWith('TLS Error: tls-crypt unwrapping failed')).length).toBeGreaterThanOrEqual(2);
    await stop(w, a, SIGTERM);
    await stop(w, b, SIGTERM);
  });

  it('a pushed redirect-gateway def1: a host route to the server, the two halves of the world through the tunnel', async () => {
    const w = tlsWorld();
    const b = await startOn(w, 'b', [...SERVER, '--push', 'redirect-gateway def1']);
    await runFor(w, 1);
    const a = await startOn(w, 'a', CLIENT);
    await runFor(w, 3);
    const r = await runOn(w, 'a', ['route']);
    expect(r.out).toMatch(/\n\s+10\.0\.0\.2\s+-\s+192\.168\.1\.1 --H--- \/dev\/net\/ipro1000\/0\n/);
    expect(logLines(a.output())).toContain('/bin/route add /dev/net/ipro1000/0 inet 10.0.0.2 gw 192.168.1.1 netmask 255.255.255.255');
    expect(r.out).toMatch(/\n\s+0\.0\.0\.0\s+128\.0\.0\.0\s+10\.8\.0\.1 [^\n]* tun\/0\n/);
    expect(r.out).toMatch(/\n\s+128\.0\.0\.0\s+128\.0\.0\.0\s+10\.8\.0\.1 [^\n]* tun\/0\n/);
    const p = await runOn(w, 'a', ['ping', '-c', '1', '10.8.0.1']);
    expect(p.out).toContain('1 packets transmitted, 1 packets received');
    await stop(w, a, SIGTERM);
    // The routes go with the tunnel.
    expect((await runOn(w, 'a', ['route'])).out).not.toContain('128.0.0.0');
    await stop(w, b, SIGTERM);
  });

  it('pushed and configured dhcp-options become /etc/resolv.conf while the tunnel is up; the old file comes back', async () => {
    const w = tlsWorld();
    w.mustHost('a').root.install('etc/resolv.conf', 'nameserver 192.168.1.1\n');
    const b = await startOn(w, 'b', [...SERVER, '--push', 'dhcp-option DNS 10.8.0.1', '--push', 'dhcp-option DOMAIN corp.example', '--push', 'dhcp-option WINS 10.8.0.9']);
    await runFor(w, 1);
    const a = await startOn(w, 'a', [...CLIENT, '--dhcp-option', 'DOMAIN-SEARCH', 'lab.example']);
    await runFor(w, 3);
    const cat = async () => (await runOn(w, 'a', ['cat', '/etc/resolv.conf'])).out;
    expect(await cat()).toBe('nameserver 10.8.0.1\nsearch lab.example corp.example\n');
    expect(await runOn(w, 'a', ['cat', '/var/run/openvpn/tun0.resolv.conf'])).toEqual({ out: 'nameserver 192.168.1.1\n', status: 0 });
    await stop(w, a, SIGTERM);
    expect(await cat()).toBe('nameserver 192.168.1.1\n');
    const al = logLines(a.output());
    expect(al).toContain('OPTIONS IMPORT: --ip-win32 and/or --dhcp-option options modified');
    const at = al.indexOf('dhcp-option DOMAIN-SEARCH lab.example');
    expect(al.slice(at, at + 5)).toEqual([
      'dhcp-option DOMAIN-SEARCH lab.example',
      'dhcp-option DNS 10.8.0.1',
      'dhcp-option DOMAIN corp.example',
      'dhcp-option WINS 10.8.0.9',
      '/etc/resolv.conf: nameserver 10.8.0.1, search lab.example corp.example (the previous file kept as /var/run/openvpn/tun0.resolv.conf)',
    ]);
    expect(al.slice(-3)).toEqual(['Closing TUN/TAP interface', '/etc/resolv.conf: restored from /var/run/openvpn/tun0.resolv.conf', 'SIGTERM[hard,] received, process exiting']);
    // Without a file before, the tunnel's goes when it does; --route-nopull leaves the pushed ones out.
    await stop(w, b, SIGTERM);
    const w2 = tlsWorld();
    const b2 = await startOn(w2, 'b', [...SERVER, '--push', 'dhcp-option DNS 10.8.0.1']);
    await runFor(w2, 1);
    const c = await startOn(w2, 'a', [...CLIENT, '--route-nopull', '--dhcp-option', 'DNS', '10.8.0.53']);
    await runFor(w2, 3);
    expect((await runOn(w2, 'a', ['cat', '/etc/resolv.conf'])).out).toBe('nameserver 10.8.0.53\n');
    await stop(w2, c, SIGTERM);
    expect(logLines(c.output())).toContain('/etc/resolv.conf: removed (there was none before the tunnel)');
    expect((await runOn(w2, 'a', ['cat', '/etc/resolv.conf'])).status).not.toBe(0);
    await stop(w2, b2, SIGTERM);
  });
});
