// The uplink's UDP sessions (issue 12, items 7 and 8): idle ones close after slirp's 240 s (10 s for
// DNS), at most a cap of them stay open per host with the least recently used closed to make room,
// each bound to the loopback (never 0.0.0.0) and connected to its one peer, so a guest sending from
// thousands of ports holds a bounded number of real fds and hears only from the peers it sent to.

import * as dgram from 'node:dgram';
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../../bin/session.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { spawnSync } from 'node:child_process';
import * as os from 'node:os';
import * as path from 'node:path';
import { nodePort } from '../../../kernel/port/node.js';
import { DNS_IDLE_NS, MAX_SESSIONS, openSessionSocket, SessionTable, sessionCap, UDP_IDLE_NS } from '../../../kernel/world/uplink-sessions.js';
import { ensureBuilt, TUNLAB_COMMAND } from '../../helpers/command.js';
import { run } from '../../helpers/world.js';

/** A clock whose time moves only when told, firing timers as it passes them. */
function fakeClock() {
  let now = 0;
  const timers: Array<{ when: number; fire: () => void; live: boolean }> = [];
  return {
    now: () => now,
    at(when: number, fire: () => void) {
      const t = { when, fire, live: true };
      timers.push(t);
      return t;
    },
    cancel(t: unknown) {
      if (t) (t as { live: boolean }).live = false;
    },
    advance(ns: number) {
      const end = now + ns;
      for (;;) {
        const due = timers.filter((t) => t.live && t.when <= end).sort((a, b) => a.when - b.when)[0];
        if (!due) break;
        due.live = false;
        now = Math.max(now, due.when);
        due.fire();
      }
      now = end;
    },
  };
}

class FakeSocket {
  closed = false;
  close() {
    this.closed = true;
  }
}

describe('the session table, in virtual time', () => {
  it('closes a session idle for 240 s, a DNS one after 10 s; use starts the idle time again', () => {
    expect({ UDP_IDLE_NS, DNS_IDLE_NS, MAX_SESSIONS }).toEqual({ UDP_IDLE_NS: 240e9, DNS_IDLE_NS: 10e9, MAX_SESSIONS: 256 });
    const clock = fakeClock();
    const t = new SessionTable<FakeSocket>(clock, () => {});
    const [vpn, dns, busy] = [new FakeSocket(), new FakeSocket(), new FakeSocket()];
    t.add('vpn', vpn, 1194);
    t.add('dns', dns, 53);
    t.add('busy', busy, 1194);
    clock.advance(10e9);
    expect([vpn.closed, dns.closed, busy.closed]).toEqual([false, true, false]);
    clock.advance(190e9);
    expect(t.use('busy')).toBe(busy);
    clock.advance(40e9);
    expect([vpn.closed, busy.closed, t.size]).toEqual([true, false, 1]);
    clock.advance(199e9);
    expect(busy.closed).toBe(false);
    clock.advance(1e9);
    expect([busy.closed, t.size, t.expired]).toEqual([true, 0, 3]);
    expect(t.use('busy')).toBeUndefined();
  });

  it('keeps at most its cap, closing the least recently used, with one log line per time it fills', () => {
    const clock = fakeClock();
    const log: string[] = [];
    const t = new SessionTable<FakeSocket>(clock, (l) => log.push(l), 4);
    const s = Array.from({ length: 8 }, () => new FakeSocket());
    for (let i = 0; i < 4; i++) t.add(`s${i}`, s[i]!, 1000);
    t.use('s0');
    for (let i = 4; i < 7; i++) t.add(`s${i}`, s[i]!, 1000);
    expect(s.map((x) => x.closed)).toEqual([false, true, true, true, false, false, false, false]);
    expect([t.size, t.evicted]).toEqual([4, 3]);
    expect(log).toEqual(['uplink: 4 UDP sessions open, the most there may be: closing the least recently used (s1)']);
    t.closeAll();
    expect(s.slice(0, 7).every((x) => x.closed)).toBe(true);
  });
});

describe('the cap under the fd limit', () => {
  it('is a quarter of the open-file limit, at most 256', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-limits-'));
    const limits = (soft: string) => {
      fs.writeFileSync(path.join(dir, 'limits'), `Limit                     Soft Limit           Hard Limit           Units\nMax open files            ${soft}                 4096                 files\n`);
      return sessionCap(path.join(dir, 'limits'));
    };
    try {
      expect([limits('60'), limits('1024'), limits('1048576'), limits('unlimited'), limits('2')]).toEqual([15, 256, 256, 256, 1]);
      expect(sessionCap(path.join(dir, 'none'))).toBe(256);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shrinks to half of what is open when a socket cannot be had (EMFILE), with a log line', async () => {
    const clock = fakeClock();
    const log: string[] = [];
    const t = new SessionTable<FakeSocket>(clock, (l) => log.push(l), 10);
    const failures: string[] = [];
    const open = (fail: boolean) => () => (fail ? Promise.reject(Object.assign(new Error('EMFILE: too many open files'), { code: 'EMFILE' })) : Promise.resolve(new FakeSocket()));
    for (let i = 0; i < 6; i++) t.send(`s${i}`, 1000, open(false), () => {}, () => {});
    await Promise.resolve();
    t.send('x', 1000, open(true), () => failures.push('sent'), (e) => failures.push((e as Error).message));
    await new Promise((res) => setImmediate(res));
    expect(failures).toEqual(['EMFILE: too many open files']);
    expect([t.cap, t.size, t.dropped]).toEqual([3, 3, 1]);
    expect(log).toEqual(['uplink: out of file descriptors (EMFILE): at most 3 UDP sessions from now on']);
  });

  it('tunlab under a 60-fd limit: a guest sending from 500 ports is capped, and nothing crashes', () => {
    ensureBuilt();
    const prlimit = spawnSync('prlimit', ['--version']);
    if (prlimit.status !== 0) {
      // util-linux is part of every Debian: prlimit missing is a broken machine, not a skip.
      throw new Error('prlimit (util-linux) is needed to lower the fd limit of a run');
    }
    const spray = path.join(os.tmpdir(), `tunlab-spray-${process.pid}.mjs`);
    fs.writeFileSync(
      spray,
      `export default { name: 'spray', summary: 'one datagram from each of many ports', async main(argv, sys) {
        for (let i = 0; i < 500; i++) {
          const fd = await sys.socket(${AF_INET}, ${SOCK_DGRAM}, 0);
          await sys.sendto(fd, new TextEncoder().encode('n' + i), 0, { sin_family: ${AF_INET}, sin_port: 9, sin_addr: '10.0.2.2' });
          await sys.close(fd);
          if (i % 4 === 3) await sys.nanosleep(1e6);
        }
        return 0;
      } };\n`,
    );
    try {
      const r = spawnSync('prlimit', ['--nofile=60:60', process.execPath, TUNLAB_COMMAND, '--clock', 'real', '--load', spray, '-c', 'spray; dmesg | grep -c uplink; echo done'], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect({ stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({ stdout: '1\ndone\n', stderr: '', status: 0 });
    } finally {
      fs.rmSync(spray, { force: true });
    }
  }, 200_000);
});

describe('the sessions, with real sockets', () => {
  const sessions: Session[] = [];
  afterEach(() => {
    for (const s of sessions.splice(0)) s.close();
  });

  const openSockets = () =>
    fs.readdirSync('/proc/self/fd').filter((fd) => {
      try {
        return fs.readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
      } catch {
        return false; // the directory's own fd, gone by now
      }
    }).length;

  it('a socket is bound to the loopback and connected: a datagram from another port never reaches the guest flow', async () => {
    const server = dgram.createSocket('udp4');
    await new Promise<void>((res) => server.bind(0, '127.0.0.1', res));
    const s = await openSessionSocket(nodePort, '127.0.0.1', server.address().port);
    try {
      expect(s.localAddress()).toBe('127.0.0.1');
      expect(s.remote()).toEqual({ address: '127.0.0.1', port: server.address().port });
      const got: string[] = [];
      s.onMessage((m) => got.push(new TextDecoder().decode(m)));
      const stranger = dgram.createSocket('udp4');
      await new Promise<void>((res) => stranger.bind(0, '127.0.0.1', res));
      await new Promise<void>((res) => stranger.send('stranger', s.localPort(), '127.0.0.1', () => res()));
      await new Promise<void>((res) => server.send('peer', s.localPort(), '127.0.0.1', () => res()));
      await new Promise((res) => setTimeout(res, 100));
      expect(got).toEqual(['peer']);
      stranger.close();
    } finally {
      s.close();
      server.close();
    }
  });

  it('1000 guest ports hold no more than the cap of real sockets, and tunlab goes on', async () => {
    const server = dgram.createSocket('udp4');
    let received = 0;
    server.on('message', (m, r) => {
      received++;
      server.send(m, r.port, r.address);
    });
    await new Promise<void>((res) => server.bind(0, '127.0.0.1', res));
    const port = server.address().port;
    const spray = defineProgram({
      name: 'spray',
      summary: 'send one datagram from each of many ports',
      async main(argv, sys) {
        for (let i = 0; i < Number(argv[1]); i++) {
          const fd = await sys.socket(AF_INET, SOCK_DGRAM, 0);
          await sys.sendto(fd, new TextEncoder().encode(`n${i}`), 0, sockaddrIn('10.0.2.2', port));
          await sys.close(fd);
          // Paced as a program would be: a burst of a thousand overflows the NIC's queue first.
          if (i % 4 === 3) await sys.nanosleep(1e6);
        }
        return 0;
      },
    });
    try {
      const before = openSockets();
      const session = await Session.create({ clock: 'real' });
      sessions.push(session);
      session.world.addProgram(spray);
      await run(session.world, 'haiku', ['spray', '1000']);
      const deadline = Date.now() + 10_000;
      while (received < 1000 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 20));
      const uplink = session.built.uplink!;
      expect(received).toBe(1000);
      expect(uplink.sessionCounts()).toEqual({ open: MAX_SESSIONS, expired: 0, evicted: 1000 - MAX_SESSIONS, dropped: 0 });
      expect(openSockets() - before).toBeLessThanOrEqual(MAX_SESSIONS + 2);
      expect(session.host.log.snapshot().filter((l) => l.includes('UDP sessions open'))).toEqual([
        expect.stringMatching(/^uplink: 256 UDP sessions open, the most there may be: closing the least recently used \(10\.0\.2\.15:\d+ > 127\.0\.0\.1:\d+\)$/),
      ]);
      // Still working afterwards.
      const r = await run(session.world, 'haiku', ['udpclient', '-w', '5', '10.0.2.2', String(port), 'after']);
      expect(r.out).toBe(`reply from 10.0.2.2:${port}: after\n`);
      session.close();
      expect(uplink.sessionCounts().open).toBe(0);
    } finally {
      server.close();
    }
  }, 60_000);
});
