// Stopping and continuing a process: SIGSTOP and SIGTSTP stop it at its next syscall boundary,
// waitpid(WUNTRACED) reports the stop once, SIGCONT resumes it, SIGKILL ends it even stopped.

import { describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGCONT, SIGKILL, SIGSTOP, SIGTSTP } from '../../../kernel/abi/signal.js';
import { WIFSIGNALED, WIFSTOPPED, WNOHANG, WSTOPSIG, WTERMSIG, WUNTRACED } from '../../../kernel/abi/wait.js';
import { print } from '../../../userland/lib/io.js';
import { run, testWorld } from '../../helpers/world.js';

/** Counts ticks in a shared cell, one every millisecond of virtual time, for ever. */
const ticks = { n: 0 };
const ticker = defineProgram({
  name: 'ticker',
  summary: '',
  async main(_argv, sys) {
    for (;;) {
      await sys.nanosleep(1e6);
      ticks.n++;
    }
  },
});

const parent = defineProgram({
  name: 'parent',
  summary: '',
  async main(_argv, sys) {
    const say = (s: string) => print(sys, `${s}\n`);
    const child = await sys.spawn('/bin/ticker', ['ticker']);
    await sys.nanosleep(10e6);
    await sys.kill(child, SIGSTOP);
    let r = await sys.waitpid(child, WUNTRACED);
    await say(`stopped ${WIFSTOPPED(r.status)} by ${WSTOPSIG(r.status) === SIGSTOP ? 'SIGSTOP' : WSTOPSIG(r.status)}`);
    r = await sys.waitpid(child, WNOHANG | WUNTRACED);
    await say(`reported once: ${r.pid === 0}`);
    const held = ticks.n;
    await sys.nanosleep(50e6);
    await say(`no tick while stopped: ${ticks.n === held}`);
    await sys.kill(child, SIGCONT);
    await sys.nanosleep(20e6);
    await say(`ticks again after SIGCONT: ${ticks.n > held}`);
    await sys.kill(child, SIGTSTP);
    await sys.waitpid(child, WUNTRACED);
    await sys.kill(child, SIGKILL);
    r = await sys.waitpid(child);
    await say(`killed while stopped: ${WIFSIGNALED(r.status) && WTERMSIG(r.status) === SIGKILL}`);
  },
});

describe('stop and continue', () => {
  it('stops at a syscall boundary, reports the stop once, resumes on SIGCONT, dies on SIGKILL', async () => {
    ticks.n = 0;
    const r = await run(testWorld([ticker, parent]), 'haiku', ['parent']);
    expect(r.outcome.kind).toBe('done');
    expect(r.out).toBe(
      [
        'stopped true by SIGSTOP',
        'reported once: true',
        'no tick while stopped: true',
        'ticks again after SIGCONT: true',
        'killed while stopped: true',
        '',
      ].join('\n'),
    );
  });
});
