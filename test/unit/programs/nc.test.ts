// nc as OpenBSD netcat: a file copied between two hosts through a router, -z scanning with nc's
// messages, -v's lines, UDP, -k serving twice, and nc's usage errors.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import cat from '../../../userland/bin/cat.js';
import nc from '../../../userland/bin/nc.js';
import sh from '../../../userland/bin/sh.js';
import echo from '../../../userland/bin/echo.js';
import seq from '../../../userland/bin/seq.js';
import wc from '../../../userland/bin/wc.js';
import sleep from '../../../userland/bin/sleep.js';
import { routedWorld } from '../../helpers/net.js';
import { advance, run, start } from '../../helpers/world.js';

const PROGRAMS = [nc, sh, cat, echo, seq, wc, sleep];

async function both(serverArgv: string[], clientArgv: string[], clientInput?: string) {
  const w = routedWorld(PROGRAMS).world;
  const server = await start(w.mustHost('b'), serverArgv);
  await advance(w, 10e6);
  const client = await run(w, 'a', clientArgv, clientInput === undefined ? {} : { input: clientInput });
  await w.run({ until: () => !server.proc.alive, timeLimitNs: w.sched.now() + 5e9 });
  return { w, server, client, serverOut: server.output(), serverCode: server.proc.alive ? null : WEXITSTATUS(server.proc.status) };
}

describe('nc', () => {
  it('copies a file: nc -l PORT > file on one host, cat file | nc -N HOST PORT on the other', async () => {
    const r = await both(['sh', '-c', 'nc -l 9000 > /tmp/got; wc -c /tmp/got'], ['sh', '-c', 'seq 1 20000 > /tmp/f; cat /tmp/f | nc -N 10.0.0.2 9000; echo status $?']);
    expect(r.client.out).toBe('status 0\n');
    expect(r.serverOut).toBe('108894 /tmp/got\n');
    expect(r.serverCode).toBe(0);
  });

  it('says what it does with -v, in nc\'s words', async () => {
    const r = await both(['nc', '-lv', '9000'], ['nc', '-v', '-N', '10.0.0.2', '9000'], 'hello\n');
    expect(r.serverOut).toMatch(/^Listening on 0\.0\.0\.0 9000\nConnection received on 192\.168\.1\.10 \d+\nhello\n$/);
    expect(r.client.out).toBe('Connection to 10.0.0.2 9000 port [tcp/*] succeeded!\n');
  });

  it('scans with -z: refused ports only with -v, status 0 when one answers', async () => {
    const r = await both(['nc', '-l', '80'], ['nc', '-zv', '10.0.0.2', '79-80']);
    expect(r.client.out).toBe('nc: connect to 10.0.0.2 port 79 (tcp) failed: Connection refused\nConnection to 10.0.0.2 80 port [tcp/http] succeeded!\n');
    expect(WEXITSTATUS(r.client.status)).toBe(0);
    const w = routedWorld(PROGRAMS).world;
    const quiet = await run(w, 'a', ['nc', '-z', '10.0.0.2', '81']);
    expect([quiet.out, WEXITSTATUS(quiet.status)]).toEqual(['', 1]);
    const loud = await run(w, 'a', ['nc', '10.0.0.2', '81']);
    expect([loud.out, WEXITSTATUS(loud.status)]).toEqual(['nc: connect to 10.0.0.2 port 81 (tcp) failed: Connection refused\n', 1]);
  });

  it('carries UDP with -u: the listener answers the first sender', async () => {
    const r = await both(['nc', '-luv', '9001'], ['nc', '-u', '-q', '1', '10.0.0.2', '9001'], 'over udp\n');
    expect(r.serverOut).toMatch(/^Bound on 0\.0\.0\.0 9001\nConnection received on 192\.168\.1\.10 \d+\nover udp\n$/);
    expect(WEXITSTATUS(r.client.status)).toBe(0);
  });

  it('keeps listening with -k', async () => {
    const w = routedWorld(PROGRAMS).world;
    const server = await start(w.mustHost('b'), ['nc', '-lk', '9000']);
    await advance(w, 10e6);
    await run(w, 'a', ['nc', '-N', '10.0.0.2', '9000'], { input: 'one\n' });
    await run(w, 'a', ['nc', '-N', '10.0.0.2', '9000'], { input: 'two\n' });
    await advance(w, 1e9);
    expect(server.output()).toBe('one\ntwo\n');
    expect(server.proc.alive).toBe(true);
  });

  it('gives up a connect after -w seconds', async () => {
    const w = routedWorld(PROGRAMS).world;
    const r = await run(w, 'a', ['nc', '-w', '2', '10.0.0.99', '80']);
    expect(r.out).toBe('nc: connect to 10.0.0.99 port 80 (tcp) timed out: Operation now in progress\n');
    expect(WEXITSTATUS(r.status)).toBe(1);
  });

  it('reports bad input as nc does, status 1', async () => {
    const w = routedWorld(PROGRAMS).world;
    const cases: [string[], string][] = [
      [['nc', '10.0.0.2', '99999'], 'nc: port number too large: 99999\n'],
      [['nc', '10.0.0.2', 'x'], 'nc: port number invalid: x\n'],
      [['nc', '-l'], 'nc: missing port number\n'],
      [['nc', '-k', '10.0.0.2', '5'], 'nc: must use -l with -k\n'],
      [['nc', '-w', 'abc', '10.0.0.2', '5'], 'nc: timeout invalid: abc\n'],
      [['nc', 'nosuch', '80'], 'nc: getaddrinfo for host "nosuch" port 80: Name or service not known\n'],
    ];
    for (const [argv, out] of cases) {
      const r = await run(w, 'a', argv);
      expect([argv, r.out, WEXITSTATUS(r.status)]).toEqual([argv, out, 1]);
    }
    const none = await run(w, 'a', ['nc']);
    expect(none.out).toMatch(/^usage: nc \[-46CDdFhklNnrStUuvZz\]/);
    expect(WEXITSTATUS(none.status)).toBe(1);
  });
});
