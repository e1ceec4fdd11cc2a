// The AST the parser builds for words, expansions and redirections.

import { describe, expect, it } from 'vitest';
import type { HereDoc, Redirect } from '../../../userland/sh/ast.js';
import { sourceOf } from '../../../userland/sh/ast.js';
import { lit, onlyCommand, parseOk, shape, simple } from './helpers.js';

const text = (src: string, node: { span: { start: number; end: number } }): string => src.slice(node.span.start, node.span.end);

function onlyCommandOf(src: string, index: number): unknown {
  return parseOk(src).body.items[index]!.first.commands[0];
}

describe('simple commands', () => {
  it('splits words on blanks and keeps quoting as parts', () => {
    const cmd = simple(`echo  a'b c'"d $x"\\e`);
    expect(shape(cmd.words)).toEqual([
      lit('echo'),
      {
        kind: 'Word',
        parts: [
          { kind: 'Literal', value: 'a' },
          { kind: 'SingleQuoted', value: 'b c' },
          {
            kind: 'DoubleQuoted',
            parts: [
              { kind: 'Literal', value: 'd ' },
              { kind: 'Param', name: 'x', indirect: false, op: null, colon: false, arg: null, arg2: null },
            ],
          },
          { kind: 'Escaped', value: 'e' },
        ],
      },
    ]);
  });

  it('takes assignments before the command name only', () => {
    const cmd = simple('A=1 B+=two cmd C=3');
    expect(cmd.assignments.map((a) => [a.name, a.append, shape(a.value)])).toEqual([
      ['A', false, lit('1')],
      ['B', true, lit('two')],
    ]);
    expect(shape(cmd.words)).toEqual([lit('cmd'), lit('C=3')]);
  });

  it('accepts assignments alone and empty values', () => {
    const cmd = simple('A= B="x y"');
    expect(cmd.words).toEqual([]);
    expect(shape(cmd.assignments[0]!.value)).toEqual({ kind: 'Word', parts: [] });
    expect(shape(cmd.assignments[1]!.value)).toEqual({
      kind: 'Word',
      parts: [{ kind: 'DoubleQuoted', parts: [{ kind: 'Literal', value: 'x y' }] }],
    });
  });

  it('does not take a quoted or escaped name as an assignment', () => {
    expect(simple('"A"=1').assignments).toEqual([]);
    expect(simple('A\\=1').assignments).toEqual([]);
    expect(simple('1A=1').assignments).toEqual([]);
  });

  it('removes line continuations and comments', () => {
    expect(shape(simple('ec\\\nho a \\\n b # c d').words)).toEqual([lit('echo'), lit('a'), lit('b')]);
    expect(shape(simple('echo a#b').words)).toEqual([lit('echo'), lit('a#b')]);
    expect(parseOk('# only a comment\n').body.items).toEqual([]);
  });

  it('splits tilde prefixes out of words and assignment values', () => {
    expect(shape(simple('echo ~ ~/x ~bob/y a~ "~"').words.slice(1))).toEqual([
      { kind: 'Word', parts: [{ kind: 'Tilde', user: '' }] },
      { kind: 'Word', parts: [{ kind: 'Tilde', user: '' }, { kind: 'Literal', value: '/x' }] },
      { kind: 'Word', parts: [{ kind: 'Tilde', user: 'bob' }, { kind: 'Literal', value: '/y' }] },
      lit('a~'),
      { kind: 'Word', parts: [{ kind: 'DoubleQuoted', parts: [{ kind: 'Literal', value: '~' }] }] },
    ]);
    expect(shape(simple('P=~/a:~/b:c~').assignments[0]!.value.parts)).toEqual([
      { kind: 'Tilde', user: '' },
      { kind: 'Literal', value: '/a:' },
      { kind: 'Tilde', user: '' },
      { kind: 'Literal', value: '/b:c~' },
    ]);
  });
});

describe('expansions inside words', () => {
  const part = (src: string): unknown => shape(simple(`echo ${src}`).words[1]!.parts[0]);

  it('parses each ${...} form', () => {
    const p = (name: string, op: string | null, colon: boolean, arg: string | null, arg2: string | null = null) => ({
      kind: 'Param',
      name,
      indirect: false,
      op,
      colon,
      arg: arg === null ? null : arg === '' ? { kind: 'Word', parts: [] } : lit(arg),
      arg2: arg2 === null ? null : lit(arg2),
    });
    expect(part('${x}')).toEqual(p('x', null, false, null));
    expect(part('${x:-d}')).toEqual(p('x', '-', true, 'd'));
    expect(part('${x-d}')).toEqual(p('x', '-', false, 'd'));
    expect(part('${x:=d}')).toEqual(p('x', '=', true, 'd'));
    expect(part('${x:+d}')).toEqual(p('x', '+', true, 'd'));
    expect(part('${x:?}')).toEqual(p('x', '?', true, ''));
    expect(part('${#x}')).toEqual(p('x', 'length', false, null));
    expect(part('${#}')).toEqual(p('#', null, false, null));
    expect(part('${x##*/}')).toEqual(p('x', '##', false, '*/'));
    expect(part('${x%.c}')).toEqual(p('x', '%', false, '.c'));
    expect(part('${x//a/b}')).toEqual(p('x', '//', false, 'a', 'b'));
    expect(part('${x:1:2}')).toEqual(p('x', 'substring', false, '1', '2'));
    expect(part('${10}')).toEqual(p('10', null, false, null));
    expect(part('${!ref}')).toEqual({ ...p('ref', null, false, null), indirect: true });
  });

  it('reads $name, $1 and special parameters', () => {
    expect(shape(simple('echo $ab_1c-x').words[1])).toMatchObject({ parts: [{ name: 'ab_1c' }, { value: '-x' }] });
    const label = (x: { kind: string; name?: string; value?: string }): string =>
      x.kind === 'Param' ? `$${x.name}` : x.value!;
    const names = simple('echo $10 $@ $# $? $$ $! $- $0')
      .words.slice(1)
      .map((w) => w.parts.map(label).join('|'));
    expect(names).toEqual(['$1|0', '$@', '$#', '$?', '$$', '$!', '$-', '$0']);
    expect(shape(simple('echo $ a$').words.slice(1))).toEqual([lit('$'), lit('a$')]);
  });

  it('parses nested command substitutions with quotes inside', () => {
    const src = 'echo "$(echo "$(date)" \')\')" `echo \\`x\\``';
    const cmd = simple(src);
    const dq = cmd.words[1]!.parts[0]!;
    if (dq.kind !== 'DoubleQuoted') throw new Error(dq.kind);
    const outer = dq.parts[0]!;
    if (outer.kind !== 'CommandSubst') throw new Error(outer.kind);
    expect(outer.backquote).toBe(false);
    expect(sourceOf(outer.program, outer.program)).toBe('echo "$(date)" \')\'');
    const back = cmd.words[2]!.parts[0]!;
    if (back.kind !== 'CommandSubst') throw new Error(back.kind);
    expect(back.backquote).toBe(true);
    expect(back.program.source).toBe('echo `x`');
  });

  it('knows $(( arithmetic from $( ( subshell', () => {
    expect(part('$((1 + (2*3)))')).toEqual({ kind: 'Arith', expr: lit('1 + (2*3)') });
    expect(part('$((echo a); (echo b))')).toMatchObject({ kind: 'CommandSubst' });
  });

  it('parses a case statement inside $( )', () => {
    const cmd = simple('echo $(case $x in a) echo A;; esac)');
    expect(cmd.words[1]!.parts[0]).toMatchObject({ kind: 'CommandSubst' });
  });

  it("decodes $'...'", () => {
    expect(part("$'a\\tb\\x41\\101\\n\\''")).toEqual({ kind: 'SingleQuoted', value: "a\tbAA\n'" });
  });
});

describe('redirections', () => {
  const redirects = (src: string): unknown => simple(src).redirects.map((r) => ({ ...(shape(r) as object) }));

  it('records operator, fd and target', () => {
    expect(redirects('cmd <in >out 2>>err 2>&1 >&2 3<&0 &>all <>rw >|clobber 4<&-')).toEqual([
      { kind: 'Redirect', op: '<', fd: 0, explicitFd: false, target: lit('in') },
      { kind: 'Redirect', op: '>', fd: 1, explicitFd: false, target: lit('out') },
      { kind: 'Redirect', op: '>>', fd: 2, explicitFd: true, target: lit('err') },
      { kind: 'Redirect', op: '>&', fd: 2, explicitFd: true, target: lit('1') },
      { kind: 'Redirect', op: '>&', fd: 1, explicitFd: false, target: lit('2') },
      { kind: 'Redirect', op: '<&', fd: 3, explicitFd: true, target: lit('0') },
      { kind: 'Redirect', op: '&>', fd: 1, explicitFd: false, target: lit('all') },
      { kind: 'Redirect', op: '<>', fd: 0, explicitFd: false, target: lit('rw') },
      { kind: 'Redirect', op: '>|', fd: 1, explicitFd: false, target: lit('clobber') },
      { kind: 'Redirect', op: '<&', fd: 4, explicitFd: true, target: lit('-') },
    ]);
  });

  it('reads the digits after a redirection operator as its target, as bash does', () => {
    expect(shape(simple('cmd 2>&1>>log').redirects)).toEqual([
      { kind: 'Redirect', op: '>&', fd: 2, explicitFd: true, target: lit('1') },
      { kind: 'Redirect', op: '>>', fd: 1, explicitFd: false, target: lit('log') },
    ]);
  });

  it("turns bash's |& into 2>&1 on the left command", () => {
    const [left, right] = parseOk('make |& tee log').body.items[0]!.first.commands;
    expect(shape(left)).toMatchObject({
      words: [lit('make')],
      redirects: [{ kind: 'Redirect', op: '>&', fd: 2, explicitFd: true, target: lit('1') }],
    });
    expect(shape(right)).toMatchObject({ words: [lit('tee'), lit('log')], redirects: [] });
  });

  it('keeps redirections in order wherever they stand', () => {
    const cmd = simple('>out echo 2>&1 a');
    expect(shape(cmd.words)).toEqual([lit('echo'), lit('a')]);
    expect(cmd.redirects.map((r) => (r as Redirect).op)).toEqual(['>', '>&']);
  });

  it('reads a here-string', () => {
    expect(redirects('cat <<< "$x y"')).toMatchObject([{ op: '<<<', fd: 0, target: { parts: [{ kind: 'DoubleQuoted' }] } }]);
  });

  it('reads here-document bodies after the line, expanding unless the delimiter is quoted', () => {
    const src = "cat <<EOF; cat <<'Q' >out\nhello $USER \\$x\nEOF\n$not $(expanded)\nQ\necho next\n";
    const prog = parseOk(src);
    expect(prog.body.items).toHaveLength(3);
    const first = prog.body.items[0]!.first.commands[0]!;
    if (first.kind !== 'SimpleCommand') throw new Error(first.kind);
    const hd = first.redirects[0] as HereDoc;
    expect(shape(hd)).toEqual({
      kind: 'HereDoc',
      op: '<<',
      fd: 0,
      delimiter: 'EOF',
      quoted: false,
      body: {
        kind: 'Word',
        parts: [
          { kind: 'Literal', value: 'hello ' },
          { kind: 'Param', name: 'USER', indirect: false, op: null, colon: false, arg: null, arg2: null },
          { kind: 'Literal', value: ' ' },
          { kind: 'Escaped', value: '$' },
          { kind: 'Literal', value: 'x\n' },
        ],
      },
    });
    expect(text(src, hd)).toBe('<<EOF');
    const second = prog.body.items[1]!.first.commands[0]!;
    if (second.kind !== 'SimpleCommand') throw new Error(second.kind);
    const q = second.redirects[0] as HereDoc;
    expect(q.quoted).toBe(true);
    expect(q.delimiter).toBe('Q');
    expect(shape(q.body)).toEqual({ kind: 'Word', parts: [{ kind: 'SingleQuoted', value: '$not $(expanded)\n' }] });
    expect(second.redirects[1]).toMatchObject({ op: '>', target: { parts: [{ value: 'out' }] } });
    const third = onlyCommandOf(src, 2);
    expect(shape(third)).toMatchObject({ words: [lit('echo'), lit('next')] });
  });

  it('strips leading tabs for <<- and reads quoted delimiters', () => {
    const cmd = simple('cat <<-"E F"\n\t\tone\n\ttwo\n\tE F\n');
    const hd = cmd.redirects[0] as HereDoc;
    expect(hd).toMatchObject({ op: '<<-', delimiter: 'E F', quoted: true });
    expect(shape(hd.body)).toEqual({ kind: 'Word', parts: [{ kind: 'SingleQuoted', value: 'one\ntwo\n' }] });
    expect((simple('cat <<\\E\nx\nE').redirects[0] as HereDoc).quoted).toBe(true);
    expect((simple("cat <<E'N'D\nx\nEND").redirects[0] as HereDoc).delimiter).toBe('END');
  });

  it('reads here-documents inside compound commands and command substitutions', () => {
    const loop = onlyCommand('while read l; do\n  cat <<EOF\n$l\nEOF\ndone');
    expect(loop.kind).toBe('While');
    const subst = simple('x=$(cat <<EOF\ninside\nEOF\n)');
    expect(subst.assignments[0]!.value.parts[0]).toMatchObject({ kind: 'CommandSubst' });
  });
});

describe('arithmetic or command substitution', () => {
  it('looks past quoted parentheses', () => {
    expect(simple('echo $(( ")" ))').words[1]!.parts[0]!.kind).toBe('Arith');
    expect(simple("echo $(( ')' ))").words[1]!.parts[0]!.kind).toBe('Arith');
  });
});
