// TCP through the system calls: two programs on one host talk over loopback and between hosts.

import { describe, expect, it } from 'vitest';
import { client, echoServer } from '../../helpers/tcp-programs.js';
import { run, start, testWorld } from '../../helpers/world.js';

describe('TCP between programs', () => {
  it('echoes over loopback', async () => {
    const w = testWorld([echoServer, client]);
    const server = await start(w.mustHost('haiku'), ['echod']);
    const r = await run(w, 'haiku', ['client', '127.0.0.1', '5']);
    expect(r.out).toBe('echoed 5 intact\n');
    expect(server.output()).toBe('accepted 127.0.0.1\n');
  });

  it('moves a megabyte intact over loopback', async () => {
    const w = testWorld([echoServer, client]);
    await start(w.mustHost('haiku'), ['echod']);
    const r = await run(w, 'haiku', ['client', '127.0.0.1', String(1 << 20)]);
    expect(r.out).toBe(`echoed ${1 << 20} intact\n`);
  });

  it('is refused by a port nobody listens on', async () => {
    const w = testWorld([client]);
    const r = await run(w, 'haiku', ['client', '127.0.0.1', '5']);
    expect(r.out).toBe('connect: ECONNREFUSED\n');
  });
});
