// The uplink to real UDP sockets: loopback only by default, port for port, real time only.

import * as dgram from 'node:dgram';
import { afterEach, describe, expect, it } from 'vitest';
import { Session, SessionError } from '../../../bin/session.js';
import { run, start } from '../../helpers/world.js';

async function echoServer(): Promise<{ port: number; close(): void }> {
  const s = dgram.createSocket('udp4');
  s.on('message', (m, r) => s.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address));
  await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
  return { port: s.address().port, close: () => s.close() };
}

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

describe('uplink', () => {
  it('sends UDP to 10.0.2.2:PORT as a real datagram to 127.0.0.1:PORT and delivers the reply', async () => {
    const server = await echoServer();
    try {
      const session = await Session.create({ clock: 'real' });
      sessions.push(session);
      const r = await run(session.world, 'haiku', ['udpclient', '-w', '5', '10.0.2.2', String(server.port), 'hello']);
      expect(r.out).toBe(`reply from 10.0.2.2:${server.port}: echo:hello\n`);
      expect(session.built.uplink!.sent).toBe(1);
    } finally {
      server.close();
    }
  });

  it('carries datagrams longer than the MTU: the guest fragments leave as one, a long reply comes back in fragments', async () => {
    const sizes: number[] = [];
    const s = dgram.createSocket('udp4');
    s.on('message', (m, r) => {
      sizes.push(m.length);
      s.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address);
    });
    await new Promise<void>((res) => s.bind(0, '127.0.0.1', res));
    try {
      const session = await Session.create({ clock: 'real' });
      sessions.push(session);
      const text = 'x'.repeat(3000);
      const r = await run(session.world, 'haiku', ['udpclient', '-w', '5', '10.0.2.2', String(s.address().port), text]);
      expect(sizes).toEqual([3000]);
      // udpclient shortens what it prints; the counters below say the whole reply came in.
      expect(r.out).toMatch(new RegExp(`^reply from 10\\.0\\.2\\.2:${s.address().port}: echo:x+\\.\\.\\.\n$`));
      // 3008 bytes of UDP in 1500-byte packets: three fragments each way.
      const { ip } = session.host.sockets.protoStats();
      expect({ FragCreates: ip.FragCreates, ReasmReqds: ip.ReasmReqds, ReasmOKs: ip.ReasmOKs }).toEqual({ FragCreates: 3, ReasmReqds: 3, ReasmOKs: 1 });
      // The gateway's stack put the guest's fragments together and cut the reply.
      const gw = session.built.uplink!.stack.ipStats().ip;
      expect({ ReasmOKs: gw.ReasmOKs, FragOKs: gw.FragOKs, FragCreates: gw.FragCreates }).toEqual({ ReasmOKs: 1, FragOKs: 1, FragCreates: 3 });
    } finally {
      s.close();
    }
  });

  it('refuses destinations outside its allowlist, logs why, answers with ICMP and sends nothing', async () => {
    const session = await Session.create({ clock: 'real' });
    sessions.push(session);
    const k = session.host;
    // A route to the outside through the uplink gateway.
    const r = await run(session.world, 'haiku', ['sh', '-c', 'route add /dev/net/virtio/0 192.0.2.0 netmask 255.255.255.0 gw 10.0.2.2 && udpclient -w 2 192.0.2.7 53 x']);
    expect(r.out).toContain('udpclient: recv: No route to host');
    expect(session.built.uplink!.sent).toBe(0);
    expect(session.built.uplink!.refused).toBe(1);
    expect(k.log.snapshot().join('\n')).toContain('uplink: refused UDP to 192.0.2.7:53: 192.0.2.7 is not allowed (loopback only; widen with --uplink-allow)');
  });

  it('lets real datagrams reach an emulated host through --forward, answering from the same real port', async () => {
    const session = await Session.create({ clock: 'real', forwards: ['udp:0:haiku:7777'] }).catch((e) => e);
    // Port 0 is refused: the rule must name a real port.
    expect(session).toBeInstanceOf(SessionError);
    const probe = dgram.createSocket('udp4');
    await new Promise<void>((res) => probe.bind(0, '127.0.0.1', res));
    const realPort = probe.address().port;
    probe.close();
    const s2 = await Session.create({ clock: 'real', forwards: [`udp:${realPort}:haiku:7777`] });
    sessions.push(s2);
    const peer = dgram.createSocket('udp4');
    await new Promise<void>((res) => peer.bind(0, '127.0.0.1', res));
    let got: { msg: string; port: number } | null = null;
    peer.once('message', (m, r) => {
      got = { msg: String(m), port: r.port };
      s2.world.sched.kick();
    });
    const server = await start(s2.host, ['udpserver', '-p', '7777', '-n', '1']);
    // The server needs a moment to start in real time: knock until it answers.
    const knock = setInterval(() => peer.send('ping from outside', realPort, '127.0.0.1'), 100);
    // The world runs until the echo is out of it, not only until the server exits.
    await s2.world.run({ until: () => got !== null && !server.proc.alive });
    clearInterval(knock);
    const r = { out: server.output() };
    peer.close();
    expect(got).toEqual({ msg: 'ping from outside', port: realPort });
    expect(r.out).toContain('from 10.0.2.2:');
  });

  it('is refused in virtual time with a clear error', async () => {
    await expect(Session.create({ clock: 'virtual', forwards: ['udp:40000:haiku:1194'] })).rejects.toThrow(/--forward needs --clock real/);
  });
});
