// The terminal's local modes (TCGETS/TCSETS c_lflag): canonical by default (whole lines), and a
// full-screen program turns ICANON off to get keys as they are typed, ^C still interrupting while
// ISIG is on; the session side hears of each change.

import { describe, expect, it } from 'vitest';
import { ECHO, ICANON, ISIG, TCGETS, TCSETS, type Termios } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { errnoOf } from '../../helpers/probe.js';
import { start, testWorld } from '../../helpers/world.js';

const dec = new TextDecoder();

describe('terminal modes', () => {
  it('gives keys as typed once canonical mode is off, and whole lines again after', async () => {
    const seen: string[] = [];
    const prog = defineProgram({
      name: 'keys',
      summary: 'read keys',
      async main(_argv, sys) {
        const t: Termios = { c_lflag: 0 };
        await sys.ioctl(0, TCGETS, t);
        seen.push(`lflag ${t.c_lflag === (ISIG | ICANON | ECHO)}`);
        await sys.ioctl(0, TCSETS, { c_lflag: ISIG });
        seen.push(`raw read: ${JSON.stringify(dec.decode(await sys.read(0, 16)))}`);
        seen.push(`raw read: ${JSON.stringify(dec.decode(await sys.read(0, 2)))}`);
        seen.push(`raw read: ${JSON.stringify(dec.decode(await sys.read(0, 16)))}`);
        await sys.sigaction(SIGINT, () => void seen.push('SIGINT'));
        seen.push(`interrupted read: ${await errnoOf(sys.read(0, 16))}`);
        seen.push(`bad termios: ${await errnoOf(sys.ioctl(0, TCSETS, {}))}`);
        await sys.ioctl(0, TCSETS, { c_lflag: ISIG | ICANON | ECHO });
        seen.push(`line read: ${JSON.stringify(dec.decode(await sys.read(0, 16)))}`);
        return 0;
      },
    });
    const w = testWorld([prog]);
    const s = await start(w.mustHost('haiku'), ['keys'], { tty: true });
    s.term.foregroundPgid = s.proc.pgid;
    const modes: boolean[] = [];
    s.term.onModeChange = (c) => void modes.push(c);
    const step = () => w.run({ until: () => s.term.readersWaiting > 0 || !s.proc.alive });
    await step();
    s.term.type('j');
    await step();
    s.term.type('\x1b[B');
    await step();
    s.term.type('\x03');
    await step();
    s.term.type('one\n');
    await w.run({ until: () => !s.proc.alive });
    expect(seen).toEqual([
      'lflag true',
      'raw read: "j"',
      'raw read: "\\u001b["',
      'raw read: "B"',
      'SIGINT',
      'interrupted read: EINTR',
      'bad termios: EFAULT',
      'line read: "one\\n"',
    ]);
    expect(modes).toEqual([false, true]);
  });
});
