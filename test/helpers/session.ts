// A tunlab session's shell, as the tunlab command starts it (bin/session.ts), in virtual time: run a
// script or `sh -c` text on a world's first host and keep stdout, stderr and the status apart.

import { expect } from 'vitest';
import { shellStatus } from '../../kernel/abi/wait.js';
import { Session, type SessionOptions } from '../../bin/session.js';

export interface ShellRun {
  out: string;
  err: string;
  status: number;
}

/** `sh ARGS...` on the session's host (the default world unless `opts` says), to its end. */
export async function runSession(args: string[], opts: Partial<SessionOptions> & { files?: Record<string, string>; limitNs?: number } = {}): Promise<ShellRun & { session: Session }> {
  const session = await Session.create({ clock: 'virtual', ...opts });
  for (const [p, text] of Object.entries(opts.files ?? {})) session.host.root.install(p.replace(/^\//, ''), text);
  const dec = { out: new TextDecoder(), err: new TextDecoder() };
  let out = '';
  let err = '';
  const { shell } = await session.startShell(args, {
    tty: false,
    out: (d) => void (out += dec.out.decode(d, { stream: true })),
    err: (d) => void (err += dec.err.decode(d, { stream: true })),
  });
  const outcome = await session.run(() => !shell.alive, opts.limitNs ?? 3600e9);
  session.close();
  expect(outcome.kind, session.world.describeStuck(outcome)).toBe('done');
  return { out, err, status: shellStatus(shell.status), session };
}

/** `sh -c SCRIPT` on the default world's haiku: stdout, stderr and status. */
export async function shellRun(script: string, opts: Partial<SessionOptions> & { files?: Record<string, string>; limitNs?: number } = {}): Promise<ShellRun> {
  const { out, err, status } = await runSession(['-c', script], opts);
  return { out, err, status };
}
