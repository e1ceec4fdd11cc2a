// Word expansion. Expected fields were checked against bash 5.2 (`printf '<%s>' WORDS`).

import { describe, expect, it } from 'vitest';
import type { HereDoc } from '../../../userland/sh/ast.js';
import { ExpansionError } from '../../../userland/sh/errors.js';
import { expandPattern, expandWord, expandWords, matchPattern } from '../../../userland/sh/expand.js';
import { fakeContext, fields, simple, wordOf } from './helpers.js';

const VARS = { x: 'a b', e: '', s: '  lead  trail  ', c: 'a:b::c:', p: 'file.tar.gz', n: '5', star: '*' };
const POS = ['one 1', '', 'three'];
const ctx = (extra: Parameters<typeof fakeContext>[0] = {}) => fakeContext({ vars: VARS, positional: POS, ...extra });
const f = (words: string, extra: Parameters<typeof fakeContext>[0] = {}) => fields(words, ctx(extra));

describe('quoting and field splitting', () => {
  it.each([
    ['$x', ['a', 'b']],
    ['"$x"', ['a b']],
    ['$e', []],
    ['"$e"', ['']],
    ["''", ['']],
    ['$e""', ['']],
    ['$s', ['lead', 'trail']],
    ['"$s"', ['  lead  trail  ']],
    ['pre$x', ['prea', 'b']],
    ["'$x'", ['$x']],
    ['\\$x', ['$x']],
    ['"\\$x \\\\ \\a \\""', ['$x \\ \\a "']],
    ['a\\ b', ['a b']],
    ['"${x}"$e"$e"', ['a b']],
    ['$1$2$3', ['one', '1three']],
  ])('%s → %j', async (words, expected) => {
    expect(await f(words)).toEqual(expected);
  });

  it.each([
    [':', '$c', ['a', 'b', '', 'c']],
    [':', '"$c"', ['a:b::c:']],
    [' :', '$c', ['a', 'b', '', 'c']],
    ['', '$s', ['  lead  trail  ']],
    [':', '$x', ['a b']],
  ])('IFS=%j %s → %j', async (ifs, words, expected) => {
    expect(await f(words, { ifs })).toEqual(expected);
  });

  it('treats leading IFS whitespace and non-whitespace as POSIX says', async () => {
    const c = fakeContext({ vars: { v: ' :a : b:' }, ifs: ' :' });
    expect(await fields('$v', c)).toEqual(['', 'a', 'b']);
  });

  it('uses the IFS variable when the context gives no ifs', async () => {
    expect(await fields('$c', fakeContext({ vars: { c: 'a-b', IFS: '-' } }))).toEqual(['a', 'b']);
  });

  it('splits the results of command substitution and arithmetic, not literal text', async () => {
    const c = ctx({ substitute: () => 'x  y\n\n' });
    expect(await fields('$(cmd) "$(cmd)" $((1+2))', c)).toEqual(['x', 'y', 'x  y', '3']);
    expect(await fields('${u:-a b} "${u:-a b}"', c)).toEqual(['a', 'b', 'a b']);
  });
});

describe('positional parameters', () => {
  it.each([
    ['$@', ['one', '1', 'three']],
    ['"$@"', ['one 1', '', 'three']],
    ['$*', ['one', '1', 'three']],
    ['"$*"', ['one 1  three']],
    ['x"$@"y', ['xone 1', '', 'threey']],
    ['"$@$@"', ['one 1', '', 'threeone 1', '', 'three']],
    ['${1+"$@"}', ['one 1', '', 'three']],
    ['$#', ['3']],
    ['"$2"', ['']],
    ['$4', []],
    ['"${@:2}"', ['', 'three']],
    ['${@:1:1}', ['one', '1']],
  ])('%s → %j', async (words, expected) => {
    expect(await f(words)).toEqual(expected);
  });

  it('"$@" with no parameters is no field at all', async () => {
    const c = fakeContext();
    expect(await fields('"$@"', c)).toEqual([]);
    expect(await fields('"$*"', c)).toEqual(['']);
    expect(await fields('"$@"""', c)).toEqual(['']);
  });

  it('joins "$*" with the first IFS character', async () => {
    expect(await f('"$*"', { ifs: ':' })).toEqual(['one 1::three']);
    expect(await f('"$*"', { ifs: '' })).toEqual(['one 1three']);
  });

  it('keeps empty parameters of unquoted $* under a non-whitespace IFS, as bash does', async () => {
    expect(await f('$*', { ifs: ':' })).toEqual(['one 1', '', 'three']);
    expect(await f('$@', { ifs: '' })).toEqual(['one 1', 'three']);
  });

  it('gives $0 and the specials from the context', async () => {
    expect(await f('$0 $? $$ "$!"')).toEqual(['sh', '0', '4242', '']);
  });
});

describe('parameter operators', () => {
  it.each([
    ['${u:-def val}', ['def', 'val']],
    ['"${u:-def val}"', ['def val']],
    ['${e:-d}', ['d']],
    ['${e-d}', []],
    ['${u+alt}', []],
    ['${x+alt}', ['alt']],
    ['${x:+"q q"}', ['q q']],
    ['${#x} ${#u} ${#@}', ['3', '0', '3']],
    ['${p%.*} ${p%%.*} ${p#*.} ${p##*.}', ['file.tar', 'file', 'tar.gz', 'gz']],
    ['"${p%"gz"}" "${p#\'file\'}"', ['file.tar.', '.tar.gz']],
    ['${p/./_} ${p//./_} ${p/#file/F} ${p/%gz/GZ} ${p//[a-z]}', ['file_tar.gz', 'file_tar_gz', 'F.tar.gz', 'file.tar.GZ', '..']],
    ['${p:2} ${p:2:3} ${p: -2} ${p:1:-2}', ['le.tar.gz', 'le.', 'gz', 'ile.tar.']],
    ['${u:-~/d}', ['/home/user/d']],
    ['${star#\\*}', []],
  ])('%s → %j', async (words, expected) => {
    expect(await f(words)).toEqual(expected);
  });

  it('assigns with := and =', async () => {
    const c = ctx();
    expect(await fields('${u:=v w} "$u" ${e=no} ${e:=yes}', c)).toEqual(['v', 'w', 'v w', 'yes']);
    expect(c.vars.get('u')).toBe('v w');
    expect(c.vars.get('e')).toBe('yes');
  });

  it('expands ${!name} indirectly', async () => {
    expect(await fields('${!r} ${!i}', fakeContext({ vars: { r: 'x', x: 'val', i: '2' }, positional: ['a', 'b'] }))).toEqual([
      'val',
      'b',
    ]);
  });

  it('fails with ExpansionError for ${x?}, bad assignments and bad substitutions', async () => {
    const cases: [string, string][] = [
      ['${u?}', 'u: parameter not set'],
      ['${e:?}', 'e: parameter null or not set'],
      ['${u:?custom $x}', 'u: custom a b'],
      ['${4:=x}', '$4: cannot assign in this way'],
      ['${x!}', '${x!}: bad substitution'],
      ['${!u}', 'u: invalid indirect expansion'],
    ];
    for (const [words, message] of cases) {
      const err = await f(words).catch((e: unknown) => e);
      expect(err, words).toBeInstanceOf(ExpansionError);
      expect((err as ExpansionError).message).toBe(message);
    }
  });

  it('reports unset parameters under set -u, but not $@ or defaults', async () => {
    const c = ctx({ nounset: true });
    await expect(fields('$u', c)).rejects.toThrow('u: unbound variable');
    await expect(fields('$9', c)).rejects.toThrow('9: unbound variable');
    expect(await fields('"$@" $@ ${u:-ok} ${u-}', fakeContext({ nounset: true }))).toEqual(['ok']);
  });
});

describe('tilde, command substitution and arithmetic', () => {
  it('expands ~ from HOME, then from the context', async () => {
    expect(await f('~ ~/x "~" a~ ~+ ~nobody/y')).toEqual(['/home/user', '/home/user/x', '~', 'a~', '~+', '~nobody/y']);
    const c = fakeContext({ vars: { HOME: '/root', PWD: '/tmp' } });
    c.homeOf = (u) => (u === 'bob' ? '/home/bob' : undefined);
    expect(await fields('~ ~+ ~bob', c)).toEqual(['/root', '/tmp', '/home/bob']);
  });

  it('does not split or glob the result of ~', async () => {
    const c = fakeContext({ vars: { HOME: '/a b/*' }, files: ['/a b/x'] });
    expect(await fields('~', c)).toEqual(['/a b/*']);
    expect(c.globs).toEqual([]);
  });

  it('runs command substitutions through the callback and strips trailing newlines', async () => {
    const c = ctx({ substitute: (t) => (t === 'hostname' ? 'haiku\n\n' : `[${t}]\n`) });
    expect(await fields('$(hostname) "`echo a`" "$(echo $(nested))"', c)).toEqual(['haiku', '[echo a]', '[echo $(nested)]']);
    expect(c.substitutions).toEqual(['hostname', 'echo a', 'echo $(nested)']);
  });

  it('evaluates arithmetic after expanding the expression', async () => {
    const c = ctx();
    expect(await fields('$((1+2*3)) $((n*2)) $(($n - 1)) $((n>3 && n<10)) $((7/2)) $((-7%3)) $(( ))', c)).toEqual([
      '7', '10', '4', '1', '3', '-1', '0',
    ]);
    expect(await fields('$((i+=2)) $((i++)) $i', c)).toEqual(['2', '2', '3']);
    expect(c.vars.get('i')).toBe('3');
  });

  it('turns a division by zero into an ExpansionError', async () => {
    const err = await f('$((n / (n - 5)))').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExpansionError);
    expect((err as ExpansionError).message).toBe('n / (n - 5): division by 0 (error token is "(n - 5)")');
  });
});

describe('pathname expansion', () => {
  const files = ['a.txt', 'b.txt', 'c.log', 'weird*name'];

  it('globs unquoted pattern characters through the callback', async () => {
    const c = fakeContext({ files });
    expect(await fields('*.txt ?.log [ab].txt none*', c)).toEqual(['a.txt', 'b.txt', 'c.log', 'a.txt', 'b.txt', 'none*']);
    expect(c.globs).toEqual(['*.txt', '?.log', '[ab].txt', 'none*']);
  });

  it('escapes quoted pattern characters in what it passes', async () => {
    const c = fakeContext({ files, vars: { pat: '*.txt' } });
    expect(await fields('"weird*"* \'*\'.txt $pat "$pat"', c)).toEqual(['weird*name', '*.txt', 'a.txt', 'b.txt', '*.txt']);
    expect(c.globs).toEqual(['weird\\**', '*.txt']);
  });

  it('does not glob under set -f or without pattern characters', async () => {
    const c = fakeContext({ files, noglob: true });
    expect(await fields('*.txt plain', c)).toEqual(['*.txt', 'plain']);
    expect(c.globs).toEqual([]);
  });
});

describe('expandWord and expandPattern', () => {
  it('produce one string without splitting or globbing', async () => {
    const c = ctx({ files: ['a.txt'] });
    expect(await expandWord(wordOf('$x*"$@"$s'), c)).toBe('a b*one 1  three  lead  trail  ');
    expect(c.globs).toEqual([]);
    expect(await expandWord(simple('A=$*').assignments[0]!.value, ctx({ ifs: ':' }))).toBe('one 1::three');
  });

  it('expand here-document bodies', async () => {
    const cmd = simple('cat <<EOF\n$x "quoted" \'single\' \\$x\nEOF\n');
    expect(await expandWord((cmd.redirects[0] as HereDoc).body, ctx())).toBe('a b "quoted" \'single\' $x\n');
  });

  it('escape quoted characters so that case patterns match them literally', async () => {
    const c = ctx();
    const pattern = await expandPattern(wordOf('"*"$star\\?[ab]'), c);
    expect(pattern).toBe('\\**\\?[ab]');
    expect(matchPattern(pattern, '*xyz?a')).toBe(true);
    expect(matchPattern(pattern, 'xyz?a')).toBe(false);
  });

  it('work for every word list in one call', async () => {
    const cmd = simple('for_each a "b c" $x');
    expect(await expandWords(cmd.words, ctx())).toEqual(['for_each', 'a', 'b c', 'a', 'b']);
  });
});
