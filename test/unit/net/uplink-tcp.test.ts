// The uplink's TCP (kernel/world/uplink-tcp.ts, on the gateway stack's own TCP), in real time against real loopback sockets: a
// guest's connection to 10.0.2.2:PORT reaches a real server on 127.0.0.1:PORT and back, FIN for
// FIN and in volume; a closed real port resets the guest's connection; a --forward tcp rule lets a
// real client reach a server on an emulated host.

import { createHash } from 'node:crypto';
import * as net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { strerror, isSysError } from '../../../kernel/abi/errno.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SHUT_WR, SOCK_STREAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { Session } from '../../../bin/session.js';
import { print } from '../../../userland/lib/io.js';
import { run, start } from '../../helpers/world.js';

/** Everything until EOF. */
async function readAll(sys: Sys, fd: number): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (;;) {
    const d = await sys.read(fd, 65536);
    if (d.length === 0) break;
    parts.push(d.slice());
  }
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

/** tcpget ADDR PORT N: connects, sends N bytes (i & 0xff), half-closes, prints the sha256 and length of the answer, or the error. */
const tcpget = defineProgram({
  name: 'tcpget',
  summary: 'send bytes on a TCP connection and hash the answer (tests only)',
  async main(argv, sys) {
    const [, addr, port, n] = argv;
    try {
      const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
      await sys.connect(fd, sockaddrIn(addr!, Number(port)));
      let data = Uint8Array.from({ length: Number(n) }, (_, i) => i & 0xff);
      while (data.length) data = data.subarray(await sys.write(fd, data));
      await sys.shutdown(fd, SHUT_WR);
      const got = await readAll(sys, fd);
      await print(sys, `${got.length} ${createHash('sha256').update(got).digest('hex')}\n`);
      return 0;
    } catch (e) {
      if (!isSysError(e)) throw e;
      await print(sys, `error: ${strerror(e.errno)}\n`);
      return 1;
    }
  },
});

/** tcpechod PORT: takes one connection, answers "echo:" and what it read, closes. */
const tcpechod = defineProgram({
  name: 'tcpechod',
  summary: 'answer one TCP connection with what it sent (tests only)',
  async main(argv, sys) {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(fd, sockaddrIn('0.0.0.0', Number(argv[1])));
    await sys.listen(fd, 4);
    const c = await sys.accept(fd);
    const got = await readAll(sys, c.fd);
    let out = Uint8Array.from([...new TextEncoder().encode('echo:'), ...got]);
    while (out.length) out = out.subarray(await sys.write(c.fd, out));
    await sys.close(c.fd);
    return 0;
  },
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => i & 0xff);

/** A real server on 127.0.0.1 that answers each connection with its bytes reversed. */
async function reverser(): Promise<{ port: number; close(): void }> {
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('end', () => s.end(Buffer.concat(parts).reverse()));
  });
  await new Promise<void>((res) => server.listen(0, '127.0.0.1', res));
  return { port: (server.address() as net.AddressInfo).port, close: () => server.close() };
}

const sessions: Session[] = [];
afterEach(() => {
  for (const s of sessions.splice(0)) s.close();
});

async function session(forwards: string[] = []): Promise<Session> {
  const s = await Session.create({ clock: 'real', forwards });
  sessions.push(s);
  s.world.addProgram(tcpget);
  s.world.addProgram(tcpechod);
  return s;
}

describe('uplink TCP', () => {
  it('joins a guest connection to 10.0.2.2:PORT with a real one to 127.0.0.1:PORT, both ways, FIN for FIN', async () => {
    const server = await reverser();
    try {
      const s = await session();
      for (const n of [5, 300_000]) {
        const r = await run(s.world, 'haiku', ['tcpget', '10.0.2.2', String(server.port), String(n)]);
        expect(r.out).toBe(`${n} ${sha(pattern(n).reverse())}\n`);
      }
      // Both connections ended in the gateway stack's own TCP, which sent its segments through its IP.
      const gw = s.built.uplink!;
      expect(gw.tcp.engine.mib.PassiveOpens).toBe(2);
      expect(gw.stack.ipStats().ip.OutRequests).toBeGreaterThan(2);
    } finally {
      server.close();
    }
  }, 30_000);

  it('resets the guest connection when the real port is closed', async () => {
    const probe = await reverser();
    const port = probe.port;
    probe.close();
    const s = await session();
    const r = await run(s.world, 'haiku', ['tcpget', '10.0.2.2', String(port), '10']);
    expect(r.out).toBe('error: Connection reset by peer\n');
    expect(s.host.log.snapshot().join('\n')).toContain(`uplink: TCP to 127.0.0.1:${port} failed: ECONNREFUSED`);
  }, 30_000);

  it('--forward tcp:REALPORT:haiku:PORT: a real client reaches a server on the emulated host', async () => {
    const probe = await reverser();
    const realPort = probe.port;
    probe.close();
    const s = await session([`tcp:${realPort}:haiku:7000`]);
    const server = await start(s.world.mustHost('haiku'), ['tcpechod', '7000']);
    // The world runs (in real time) while the real client talks to it, until the answer is in.
    let answered = false;
    const ran = s.world.run({ until: () => answered && !server.proc.alive });
    const answer = await new Promise<string>((resolve, reject) => {
      const c = net.connect({ port: realPort, host: '127.0.0.1', allowHalfOpen: true }, () => c.end('hello'));
      const parts: Buffer[] = [];
      c.on('data', (d) => parts.push(d));
      c.on('end', () => {
        answered = true;
        s.world.sched.kick();
        resolve(Buffer.concat(parts).toString());
      });
      c.on('error', reject);
    });
    expect(answer).toBe('echo:hello');
    await ran;
    // The gateway's TCP opened the connection to the guest.
    expect(s.built.uplink!.tcp.engine.mib.ActiveOpens).toBe(1);
    expect(server.proc.status).toBe(0);
  }, 30_000);
});
