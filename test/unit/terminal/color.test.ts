// The interactive screen's colour level: chalk's guess, at least basic colours on a terminal it does
// not know, and an explicit "no" (FORCE_COLOR=0, TERM=dumb, NO_COLOR, --no-color) always obeyed.

import { describe, expect, it } from 'vitest';
import { Chalk } from 'chalk';
import { terminalColorLevel } from '../../../bin/color.js';
import { colorPrompt } from '../../../userland/terminal/App.js';

describe('terminalColorLevel', () => {
  it("takes chalk's level, and basic colours where chalk saw none (an unknown terminal, CI set)", () => {
    expect(terminalColorLevel(true, { TERM: 'xterm-256color' }, 2)).toBe(2);
    expect(terminalColorLevel(true, {}, 0)).toBe(1);
  });

  it('FORCE_COLOR=0 and TERM=dumb mean no colour, whatever chalk guessed', () => {
    expect(terminalColorLevel(true, { FORCE_COLOR: '0' }, 0)).toBe(0);
    expect(terminalColorLevel(true, { FORCE_COLOR: 'false', TERM: 'xterm' }, 3)).toBe(0);
    expect(terminalColorLevel(true, { TERM: 'dumb' }, 0)).toBe(0);
  });

  it('FORCE_COLOR picks a level, over TERM=dumb, as supports-color reads it', () => {
    expect(terminalColorLevel(true, { FORCE_COLOR: '' }, 0)).toBe(1);
    expect(terminalColorLevel(true, { FORCE_COLOR: 'true' }, 0)).toBe(1);
    expect(terminalColorLevel(true, { FORCE_COLOR: '3', TERM: 'dumb' }, 0)).toBe(3);
    expect(terminalColorLevel(true, { FORCE_COLOR: '9' }, 0)).toBe(3);
  });

  it('NO_COLOR (not empty) and --no-color win over FORCE_COLOR', () => {
    expect(terminalColorLevel(true, { NO_COLOR: '1', FORCE_COLOR: '3' }, 3)).toBe(0);
    expect(terminalColorLevel(true, { NO_COLOR: '' }, 2)).toBe(2);
    expect(terminalColorLevel(false, { FORCE_COLOR: '3' }, 3)).toBe(0);
  });
});

describe('colorPrompt', () => {
  it('colours the host (with the user in front, for one who is not root), the directory and the arrow', () => {
    const c = new Chalk({ level: 1 });
    expect(colorPrompt('haiku:~> ', c)).toBe(`${c.green('haiku')}:${c.cyan('~')}${c.bold('>')} `);
    expect(colorPrompt('bob@haiku:/tmp> ', c)).toBe(`${c.green('bob@haiku')}:${c.cyan('/tmp')}${c.bold('>')} `);
    expect(colorPrompt('not a prompt', c)).toBe('not a prompt');
  });
});
