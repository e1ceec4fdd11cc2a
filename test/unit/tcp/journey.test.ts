// TCP segments on packet journeys, as UDP datagrams are: each segment is made at the socket layer
// and followed through IP, ARP and the NICs of every host to the endpoint that takes it (or the
// drop, with its reason and counter); a reset for a port nobody listens on answers the segment
// that earned it; the write and read calls are events of the syscall layer.

import { describe, expect, it } from 'vitest';
import journey from '../../../userland/bin/journey/main.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { FIRST_TRIP_A_TO_B, journeySteps as steps, routedWorld } from '../../helpers/net.js';
import { client, echoServer } from '../../helpers/tcp-programs.js';
import { run, start } from '../../helpers/world.js';

/** journey's list cut into journeys: the header line of each and its event lines. */
function journeys(out: string): Array<{ head: string; body: string }> {
  const parts = out.split(/^(?=#\d+ )/m).filter((p) => p.startsWith('#'));
  return parts.map((p) => ({ head: p.split('\n')[0]!, body: p }));
}

describe('a TCP segment on its journey', () => {
  it('is followed from the socket that made it, across the router, to the endpoint that takes it', async () => {
    const { world } = routedWorld([journey, echoServer, client]);
    await start(world.mustHost('b'), ['echod']);
    const r = await run(world, 'a', ['journey', '-f', 'tcp', 'client', '10.0.0.2', '5']);
    expect(WEXITSTATUS(r.status)).toBe(0);
    expect(r.out).toContain('echoed 5 intact\n');
    const list = journeys(r.out);
    const syn = list.find((j) => /Flags \[S\], seq \d+, win/.test(j.head))!;
    expect(syn.head).toMatch(/^#\d+ IP 192\.168\.1\.10\.\d+ > 10\.0\.0\.2\.7: Flags \[S\]/);
    expect(steps(syn.body)).toEqual(['a socket output', ...FIRST_TRIP_A_TO_B, 'b socket deliver']);
    // The listener takes the SYN, in its state; the data segment reaches the connection.
    expect(syn.body).toMatch(/ b +socket +deliver +tcp 0\.0\.0\.0:7 +LISTEN\n/);
    // The data segment goes on from the write that queued its bytes to the read that took them,
    // and so does the echo.
    const data = list.find((j) => / > 10\.0\.0\.2\.7: Flags \[P\.\].*length 5/.test(j.head))!;
    expect(data.body).toMatch(/ b +socket +deliver +tcp 10\.0\.0\.2:7 -> 192\.168\.1\.10:\d+ +ESTABLISHED\n/);
    expect(steps(data.body).slice(0, 2)).toEqual(['a syscall write', 'a socket output']);
    expect(steps(data.body).slice(-2)).toEqual(['b socket deliver', 'b syscall read']);
    const echo = list.find((j) => /^#\d+ IP 10\.0\.0\.2\.7 > .*Flags \[P\.\].*length 5/.test(j.head))!;
    expect(steps(echo.body).slice(-2)).toEqual(['a socket deliver', 'a syscall read']);
  });

  it('ends where a port has no socket, with the reason and counter, and the reset answers it', async () => {
    const { world } = routedWorld([journey, client]);
    const r = await run(world, 'a', ['journey', '-f', 'tcp', 'client', '10.0.0.2', '5']);
    expect(r.out).toContain('connect: ECONNREFUSED\n');
    const list = journeys(r.out);
    const syn = list.find((j) => /Flags \[S\]/.test(j.head))!;
    expect(steps(syn.body).at(-1)).toBe('b socket drop');
    expect(syn.body).toMatch(/ b +socket +drop +tcp port 7 .*no socket on that port.*Tcp OutRsts/);
    const synId = /^#(\d+)/.exec(syn.head)![1];
    const rst = list.find((j) => /Flags \[R\.\]/.test(j.head))!;
    expect(rst.head).toContain(`(answers #${synId})`);
    expect(steps(rst.body)[0]).toBe('b socket output');
    expect(steps(rst.body).at(-1)).toBe('a socket deliver');
  });
});
