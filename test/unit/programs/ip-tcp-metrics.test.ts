// ip tcp_metrics over TCP's metrics cache: what a connection that ended left for its destination,
// in iproute2's layout, and iproute2's errors and statuses (checked against iproute2 6.x in a
// network namespace on Linux 6.x).

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import ip from '../../../userland/bin/ip/main.js';
import { routedWorld } from '../../helpers/net.js';
import { client, echoServer } from '../../helpers/tcp-programs.js';
import { run, start } from '../../helpers/world.js';

function world() {
  return routedWorld([ip, echoServer, client]).world;
}

async function sh(w: ReturnType<typeof world>, argv: string[], opts: { uid?: number; host?: string } = {}) {
  const r = await run(w, opts.host ?? 'a', argv, opts);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

/** a talks to b's echo server and both ends close; the one that closed first is in TIME_WAIT. */
async function afterConnection() {
  const w = world();
  await start(w.mustHost('b'), ['echod']);
  expect((await sh(w, ['client', '10.0.0.2', '3000'])).out).toBe('echoed 3000 intact\n');
  await w.run({ until: () => false, timeLimitNs: 1e9 });
  return w;
}

describe('ip tcp_metrics', () => {
  it('shows what finished connections left, one line per destination', async () => {
    const w = await afterConnection();
    const a = await sh(w, ['ip', 'tcp_metrics', 'show']);
    expect(a.code).toBe(0);
    // At least the 11 ms round trip through the router (5 ms each way on the wan, 0.5 ms on the lan).
    expect(a.out).toMatch(/^10\.0\.0\.2 age \d+\.\d{3}sec cwnd \d+ rtt \d+us rttvar \d+us source 192\.168\.1\.10\n$/);
    const rtt = Number(/rtt (\d+)us/.exec(a.out)![1]);
    expect(rtt).toBeGreaterThan(10_000);
    expect(rtt).toBeLessThan(60_000); // delayed ACKs are in some samples
    // The server's end closed last (LAST_ACK) and saved too.
    expect((await sh(w, ['ip', 'tcp_metrics'], { host: 'b' })).out).toMatch(/^192\.168\.1\.10 age .* source 10\.0\.0\.2\n$/);
    expect((await sh(w, ['ip', 'tcpmetrics', 'list', 'address', '10.0.0.0/8'])).out).toBe(a.out.replace(/age [\d.]+sec/, (m) => m));
    expect(await sh(w, ['ip', 'tcp_metrics', 'show', '172.16.0.0/12'])).toEqual({ out: '', code: 0 });
  });

  it('flushes and deletes with iproute2 messages and statuses', async () => {
    const w = await afterConnection();
    expect(await sh(w, ['ip', 'tcp_metrics', 'delete', '10.9.9.9'])).toEqual({ out: 'RTNETLINK answers: No such process\n', code: 2 });
    expect(await sh(w, ['ip', 'tcp_metrics', 'show', '10.9.9.9'])).toEqual({ out: 'RTNETLINK answers: No such process\n', code: 2 });
    expect(await sh(w, ['ip', 'tcp_metrics', 'delete'])).toEqual({ out: 'Error: argument "address" is required\n', code: 255 });
    expect(await sh(w, ['ip', 'tcp_metrics', 'delete', '10.0.0.0/8'])).toEqual({ out: 'Error: a specific IP address is expected rather than "10.0.0.0/8"\n', code: 1 });
    expect(await sh(w, ['ip', 'tcp_metrics', 'show', 'bad'])).toEqual({ out: 'Error: any valid prefix is expected rather than "bad".\n', code: 1 });
    expect(await sh(w, ['ip', 'tcp_metrics', 'foo'])).toEqual({ out: 'Command "foo" is unknown, try "ip tcp_metrics help".\n', code: 255 });
    expect((await sh(w, ['ip', 'tcp_metrics', 'help'])).code).toBe(255);
    // Only root changes the cache.
    expect(await sh(w, ['ip', 'tcp_metrics', 'flush'], { uid: 1000 })).toEqual({ out: 'RTNETLINK answers: Operation not allowed\n', code: 2 });
    expect(await sh(w, ['ip', '-s', 'tcp_metrics', 'flush', '10.0.0.0/8'])).toEqual({
      out: '\n*** Round 1, deleting 1 entries ***\n*** Flush is complete after 1 round ***\n',
      code: 0,
    });
    expect(await sh(w, ['ip', '-4', 'tcp_metrics', 'flush'])).toEqual({ out: 'Nothing to flush.\n', code: 0 });
    expect(await sh(w, ['ip', 'tcp_metrics', 'flush', 'all'])).toEqual({ out: '', code: 0 });
    expect(await sh(w, ['ip', 'tcp_metrics'])).toEqual({ out: '', code: 0 });
  });

  it('saves nothing with net.ipv4.tcp_no_metrics_save=1', async () => {
    const w = world();
    w.mustHost('a').sockets.tcp.sysctl.tcp_no_metrics_save = 1;
    await start(w.mustHost('b'), ['echod']);
    await sh(w, ['client', '10.0.0.2', '10']);
    await w.run({ until: () => false, timeLimitNs: 1e9 });
    expect(await sh(w, ['ip', 'tcp_metrics'])).toEqual({ out: '', code: 0 });
  });
});
