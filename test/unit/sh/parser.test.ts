// The AST the parser builds for commands, lists and compound commands, and the spans it records.

import { describe, expect, it } from 'vitest';
import type { AndOr, CaseCommand, ForCommand, HereDoc, IfCommand } from '../../../userland/sh/ast.js';
import { lineAt, sourceOf } from '../../../userland/sh/ast.js';
import { parseCommands } from '../../../userland/sh/parser.js';
import { lit, onlyCommand, parseOk, shape, simple } from './helpers.js';

const text = (src: string, node: { span: { start: number; end: number } }): string => src.slice(node.span.start, node.span.end);

describe('lists, pipelines and and-or lists', () => {
  it('parses operators with their precedence', () => {
    const items = parseOk('a | b && ! c || d & e; f\ng').body.items;
    expect(items.map((i) => i.background)).toEqual([true, false, false, false]);
    const first: AndOr = items[0]!;
    expect(first.first.commands).toHaveLength(2);
    expect(first.rest.map((r) => [r.op, r.pipeline.negated])).toEqual([
      ['&&', true],
      ['||', false],
    ]);
  });

  it('allows newlines after | && || and around lists', () => {
    const items = parseOk('\n\na |\n\n b &&\n c ||\n d\n\n').body.items;
    expect(items).toHaveLength(1);
    expect(items[0]!.rest).toHaveLength(2);
  });

  it('parses negation once per ! (twice cancels)', () => {
    expect(parseOk('! ! true').body.items[0]!.first.negated).toBe(false);
  });
});

describe('compound commands', () => {
  it('if / elif / else', () => {
    const cmd = onlyCommand('if a; then b; elif c\nthen d; else e; fi') as IfCommand;
    expect(cmd.kind).toBe('If');
    expect(cmd.clauses).toHaveLength(2);
    expect(cmd.elseBody?.items).toHaveLength(1);
  });

  it('while and until', () => {
    expect(onlyCommand('while a; do b; done')).toMatchObject({ kind: 'While', until: false });
    expect(onlyCommand('until a\ndo\nb\ndone')).toMatchObject({ kind: 'While', until: true });
  });

  it('for with a list, an empty list, and over "$@"', () => {
    const withList = onlyCommand('for i in a "b c" $x; do echo $i; done') as ForCommand;
    expect(withList.name).toBe('i');
    expect(withList.words).toHaveLength(3);
    expect((onlyCommand('for i in; do :; done') as ForCommand).words).toEqual([]);
    expect((onlyCommand('for i; do :; done') as ForCommand).words).toBeNull();
    expect((onlyCommand('for i do :; done') as ForCommand).words).toBeNull();
    expect((onlyCommand('for i\ndo :; done') as ForCommand).words).toBeNull();
    expect((onlyCommand('for i in a\ndo :; done') as ForCommand).words).toHaveLength(1);
  });

  it('case with alternatives, optional (, empty bodies and a last item without ;;', () => {
    const cmd = onlyCommand('case $x in\n (a|b) echo ab;;\n c) ;;\n *.txt) t;& \n d) x;;& e) y\nesac') as CaseCommand;
    expect(cmd.kind).toBe('Case');
    expect(cmd.items.map((i) => [i.patterns.length, i.body.items.length, i.terminator])).toEqual([
      [2, 1, ';;'],
      [1, 0, ';;'],
      [1, 1, ';&'],
      [1, 1, ';;&'],
      [1, 1, ';;'],
    ]);
    expect((onlyCommand('case x in esac') as CaseCommand).items).toEqual([]);
  });

  it('reserved words only where a command starts', () => {
    expect(shape(simple('echo if then fi }').words.slice(1))).toEqual([lit('if'), lit('then'), lit('fi'), lit('}')]);
    expect(onlyCommand('{ echo }; }').kind).toBe('BraceGroup');
    expect(simple('"if" x').words).toHaveLength(2);
  });

  it('brace groups and subshells, with redirections', () => {
    const brace = onlyCommand('{ a; b; } >out 2>&1');
    expect(brace).toMatchObject({ kind: 'BraceGroup', redirects: [{ op: '>' }, { op: '>&' }] });
    expect(onlyCommand('(a; b)')).toMatchObject({ kind: 'Subshell', body: { items: [{}, {}] } });
    expect(onlyCommand('((a) | b)')).toMatchObject({ kind: 'Subshell' });
  });

  it('function definitions, POSIX and bash style', () => {
    expect(onlyCommand('f() { echo; }')).toMatchObject({ kind: 'FunctionDef', name: 'f', body: { kind: 'BraceGroup' } });
    expect(onlyCommand('my-func ( )\n{ :; } >log')).toMatchObject({
      name: 'my-func',
      body: { kind: 'BraceGroup', redirects: [{ op: '>' }] },
    });
    expect(onlyCommand('f() ( echo sub )')).toMatchObject({ body: { kind: 'Subshell' } });
    expect(onlyCommand('function g { :; }')).toMatchObject({ kind: 'FunctionDef', name: 'g' });
    expect(onlyCommand('function g() if a; then b; fi')).toMatchObject({ name: 'g', body: { kind: 'If' } });
  });
});

describe('spans', () => {
  it('cover each command as written, for jobs and set -x', () => {
    const src = 'sleep 10 | cat >out &\nif true; then\n  echo "a b" 2>&1\nfi # done';
    const prog = parseOk(src);
    const [job, cond] = prog.body.items;
    expect(text(src, job!)).toBe('sleep 10 | cat >out');
    expect(text(src, job!.first.commands[1]!)).toBe('cat >out');
    expect(text(src, cond!)).toBe('if true; then\n  echo "a b" 2>&1\nfi');
    const ifCmd = cond!.first.commands[0] as IfCommand;
    const echo = ifCmd.clauses[0]!.body.items[0]!;
    expect(text(src, echo)).toBe('echo "a b" 2>&1');
    expect(lineAt(src, echo.span.start)).toBe(3);
    expect(sourceOf(prog, prog)).toBe(src);
  });

  it('cover words and parts', () => {
    const src = 'echo pre"$x"${y:-z}';
    const word = simple(src).words[1]!;
    expect(text(src, word)).toBe('pre"$x"${y:-z}');
    expect(word.parts.map((p) => text(src, p))).toEqual(['pre', '"$x"', '${y:-z}']);
  });

  it('of command substitution programs index the same source', () => {
    const src = 'echo $(a | b; c)';
    const part = simple(src).words[1]!.parts[0]!;
    if (part.kind !== 'CommandSubst') throw new Error(part.kind);
    expect(part.program.source).toBe(src);
    expect(sourceOf(part.program, part.program.body.items[0]!)).toBe('a | b');
  });
});

describe('parseCommands', () => {
  it('yields one complete command at a time and stops at the first error', () => {
    const results = [...parseCommands('a; b &\nif x\nthen y\nfi\n\nc )\nd')];
    expect(results.map((r) => (r.ok ? r.program.body.items.length : r.error.message))).toEqual([
      2,
      1,
      "syntax error near unexpected token `)'",
    ]);
    const first = results[0]!;
    if (!first.ok) throw new Error('first failed');
    expect(sourceOf(first.program, first.program)).toBe('a; b');
  });

  it('reads here-documents before yielding their command', () => {
    const [r] = [...parseCommands('cat <<E\nbody\nE\n')];
    if (!r?.ok) throw new Error('failed');
    const cmd = r.program.body.items[0]!.first.commands[0]!;
    expect(cmd.kind === 'SimpleCommand' && shape((cmd.redirects[0] as HereDoc).body)).toEqual(lit('body\n'));
  });
});
