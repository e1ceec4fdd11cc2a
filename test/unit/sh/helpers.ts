// Shared helpers for the shell front-end tests.

import { expect } from 'vitest';
import type { Command, Program, SimpleCommand, Word } from '../../../userland/sh/ast.js';
import type { ExpansionContext } from '../../../userland/sh/expand.js';
import { expandWords } from '../../../userland/sh/expand.js';
import type { ShellSyntaxError } from '../../../userland/sh/errors.js';
import { parse } from '../../../userland/sh/parser.js';
import { matchPattern } from '../../../userland/sh/pattern.js';

export function parseOk(src: string): Program {
  const r = parse(src);
  if (!r.ok) throw new Error(`expected ${JSON.stringify(src)} to parse: ${r.error.message}`);
  return r.program;
}

export function parseErr(src: string): { error: ShellSyntaxError; incomplete: boolean } {
  const r = parse(src);
  if (r.ok) throw new Error(`expected ${JSON.stringify(src)} to fail`);
  expect(r.incomplete).toBe(r.error.incomplete);
  return r;
}

/** The only command of a one-command program. */
export function onlyCommand(src: string): Command {
  const items = parseOk(src).body.items;
  expect(items).toHaveLength(1);
  const commands = items[0]!.first.commands;
  expect(commands).toHaveLength(1);
  return commands[0]!;
}

export function simple(src: string): SimpleCommand {
  const cmd = onlyCommand(src);
  if (cmd.kind !== 'SimpleCommand') throw new Error(`not a simple command: ${cmd.kind}`);
  return cmd;
}

/** An AST with spans and sources removed, for comparing shapes. */
export function shape(node: unknown): unknown {
  return JSON.parse(JSON.stringify(node, (k, v: unknown) => (k === 'span' || k === 'source' ? undefined : v)));
}

/** A word as the parser produces it, for `{ kind: 'Word', parts }` comparisons. */
export function lit(value: string): unknown {
  return { kind: 'Word', parts: [{ kind: 'Literal', value }] };
}

export interface FakeContext extends ExpansionContext {
  vars: Map<string, string>;
  /** Source text of each command substitution run. */
  substitutions: string[];
  /** Each pattern passed to glob. */
  globs: string[];
}

export function fakeContext(opts: {
  vars?: Record<string, string>;
  positional?: string[];
  files?: string[];
  substitute?: (text: string) => string;
  ifs?: string;
  nounset?: boolean;
  noglob?: boolean;
} = {}): FakeContext {
  const vars = new Map(Object.entries(opts.vars ?? {}));
  const substitutions: string[] = [];
  const globs: string[] = [];
  const ctx: FakeContext = {
    vars,
    substitutions,
    globs,
    getVar: (name) => vars.get(name),
    setVar: (name, value) => void vars.set(name, value),
    positional: opts.positional ?? [],
    special: { '?': '0', $: '4242', '!': '', '0': 'sh' },
    home: '/home/user',
    async commandSubstitution(program) {
      const text = program.source.slice(program.span.start, program.span.end);
      substitutions.push(text);
      return (opts.substitute ?? ((t) => `<${t}>\n`))(text);
    },
    async glob(pattern) {
      globs.push(pattern);
      return (opts.files ?? []).filter((f) => matchPattern(pattern, f)).sort();
    },
  };
  if (opts.ifs !== undefined) ctx.ifs = opts.ifs;
  if (opts.nounset) ctx.nounset = true;
  if (opts.noglob) ctx.noglob = true;
  return ctx;
}

/** The arguments `echo WORDS` would receive. */
export async function fields(words: string, ctx: ExpansionContext = fakeContext()): Promise<string[]> {
  const cmd = simple(`echo ${words}`);
  return expandWords(cmd.words.slice(1), ctx);
}

/** The single word of `echo WORD`. */
export function wordOf(src: string): Word {
  const cmd = simple(`echo ${src}`);
  expect(cmd.words).toHaveLength(2);
  return cmd.words[1]!;
}

export const FUZZ_RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
