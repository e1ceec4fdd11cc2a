// ss as iproute2 prints it: the default filter (connected only), -l, -a, -t/-u and the Netid
// column, service names unless -n, the compact layout off a terminal and the spread one on it.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import nc from '../../../userland/bin/nc.js';
import ss from '../../../userland/bin/ss.js';
import udpserver from '../../../userland/bin/udpserver.js';
import { routedWorld } from '../../helpers/net.js';
import { advance, run, start } from '../../helpers/world.js';

async function world() {
  const w = routedWorld([nc, ss, udpserver]).world;
  await start(w.mustHost('b'), ['nc', '-lk', '80']);
  await start(w.mustHost('b'), ['udpserver', '-p', '5000']);
  await advance(w, 10e6);
  await start(w.mustHost('a'), ['nc', '10.0.0.2', '80']);
  await advance(w, 100e6);
  return w;
}

describe('ss', () => {
  it('shows connected sockets by default, listeners with -l, everything with -a', async () => {
    const w = await world();
    const est = await run(w, 'b', ['ss', '-t']);
    expect(est.out).toMatch(/^State Recv-Q Send-Q Local Address:Port Peer Address:Port Process\nESTAB 0      0           10\.0\.0\.2:http 192\.168\.1\.10:\d{5}       \n$/);
    const listen = await run(w, 'b', ['ss', '-tln']);
    expect(listen.out).toBe('State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\nLISTEN 0      1            0.0.0.0:80        0.0.0.0:*          \n');
    const all = await run(w, 'b', ['ss', '-tuan']);
    expect(all.out).toMatch(
      /^Netid State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process\ntcp   LISTEN 0      1            0\.0\.0\.0:80        0\.0\.0\.0:\*           \ntcp   ESTAB  0      0           10\.0\.0\.2:80   192\.168\.1\.10:\d{5}       \nudp   UNCONN 0      0            0\.0\.0\.0:5000      0\.0\.0\.0:\*           \n$/,
    );
    const udp = await run(w, 'b', ['ss', '-uln', '-H']);
    expect(udp.out).toBe('UNCONN 0      0      0.0.0.0:5000 0.0.0.0:*\n');
  });

  it('names the processes holding each socket with -p', async () => {
    const w = await world();
    const r = await run(w, 'b', ['ss', '-tanp']);
    // ss's Process column has no delimiter: a full-width peer port runs into it, as on Linux.
    expect(r.out).toMatch(/^State  Recv-Q Send-Q Local Address:Port Peer Address:Port Process                  \nLISTEN 0      1            0\.0\.0\.0:80        0\.0\.0\.0:\*    users:\(\("nc",pid=\d+,fd=3\)\)\nESTAB  0      0           10\.0\.0\.2:80   192\.168\.1\.10:\d{5}users:\(\("nc",pid=\d+,fd=4\)\)\n$/);
    const udp = await run(w, 'b', ['ss', '-uanp', '-H']);
    expect(udp.out).toMatch(/^UNCONN 0      0      0\.0\.0\.0:5000 0\.0\.0\.0:\*users:\(\("udpserver",pid=\d+,fd=3\)\)\n$/);
  });

  it('spreads the columns over a terminal', async () => {
    const w = await world();
    const r = await run(w, 'b', ['ss', '-tn'], { tty: true });
    const lines = r.out.split(/\r?\n/).filter((l) => l);
    expect(lines.every((l) => l.length === 80)).toBe(true);
  });

  it('exits 255 on an unknown option, as ss does', async () => {
    const w = await world();
    const r = await run(w, 'b', ['ss', '--bogus']);
    expect(WEXITSTATUS(r.status)).toBe(255);
    expect(r.out).toMatch(/^ss: unknown option '--bogus'\n/);
  });
});
