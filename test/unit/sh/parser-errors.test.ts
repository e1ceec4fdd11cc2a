// Syntax errors: bash's wording, the line, and whether more input could complete the text. The
// messages were checked against `bash -n -c` (bash 5.2), which words them the same way.

import { describe, expect, it } from 'vitest';
import { ShellSyntaxError } from '../../../userland/sh/errors.js';
import { parse } from '../../../userland/sh/parser.js';
import { parseErr } from './helpers.js';

const EOF = 'syntax error: unexpected end of file';
const near = (t: string): string => `syntax error near unexpected token \`${t}'`;

describe('incomplete input asks for another line', () => {
  it.each([
    ['if true; then', EOF],
    ['if true; then echo; else', EOF],
    ['while :; do', EOF],
    ['for x in a b', EOF],
    ['for x in a b; do echo', EOF],
    ['case x in', EOF],
    ['case x in\n', EOF],
    ['case x in a) echo', EOF],
    ['case x in a) echo;;', EOF],
    ['{ echo', EOF],
    ['{ echo }', EOF],
    ['(echo', EOF],
    ['f()', EOF],
    ['a |', EOF],
    ['a &&', EOF],
    ['a ||\n', EOF],
    ['! ', EOF],
    ['echo "abc', "unexpected EOF while looking for matching `\"'"],
    ["echo 'abc", "unexpected EOF while looking for matching `''"],
    ['echo `abc', "unexpected EOF while looking for matching ``'"],
    ['echo $(echo', "unexpected EOF while looking for matching `)'"],
    ['echo $(if true', EOF],
    ['echo ${x', "unexpected EOF while looking for matching `}'"],
    ['echo ${x:-"a', "unexpected EOF while looking for matching `\"'"],
    ['echo $((1 +', "unexpected EOF while looking for matching `)'"],
    ["echo $'a", "unexpected EOF while looking for matching `''"],
    ['echo "$(echo \')', "unexpected EOF while looking for matching `''"],
    ['cat <<EOF', "here-document at line 1 delimited by end-of-file (wanted `EOF')"],
    ['cat <<EOF\nbody', "here-document at line 1 delimited by end-of-file (wanted `EOF')"],
    ['echo ok\ncat <<-END\n\tbody\n', "here-document at line 2 delimited by end-of-file (wanted `END')"],
    ['echo a \\\n', EOF],
  ])('%j: %s', (src, message) => {
    const { error, incomplete } = parseErr(src);
    expect(error.message).toBe(message);
    expect(incomplete).toBe(true);
  });

  it('completes once the rest arrives', () => {
    expect(parse('if true; then\necho yes\nfi\n').ok).toBe(true);
    expect(parse('echo "abc\ndef"').ok).toBe(true);
    expect(parse('cat <<EOF\nbody\nEOF').ok).toBe(true);
  });
});

describe('syntax errors', () => {
  it.each([
    [';;', ';;'],
    [';', ';'],
    ['&', '&'],
    ['| a', '|'],
    ['echo a ;; b', ';;'],
    ['a ; ; b', ';'],
    ['a && ; b', ';'],
    ['a | | b', '|'],
    ['fi', 'fi'],
    ['then echo', 'then'],
    ['done', 'done'],
    ['esac', 'esac'],
    ['}', '}'],
    ['echo )', ')'],
    ['if then fi', 'then'],
    ['if true; then fi', 'fi'],
    ['if; then :; fi', ';'],
    ['if :; then :; else fi', 'fi'],
    ['while do done', 'do'],
    ['( )', ')'],
    ['{ }', '}'],
    ['case a in a) echo ) ;; esac', ')'],
    ['echo >', 'newline'],
    ['echo > ;', ';'],
    ['a 2>', 'newline'],
    ['echo < <', '<'],
    ['echo ;&', ';&'],
    ['echo (', 'newline'],
    ['echo (a)', 'a'],
    ['f() echo', 'echo'],
    ['x=(a)', '('],
    ['{ a; } b', 'b'],
    ['in', 'in'],
    ['a && in x', 'in'],
    ['a | ! b', '!'],
    ['case x in a', 'newline'],
    ['case x in a|', 'newline'],
    ['f() 2>&1', '2'],
    ['echo a\nfi\n', 'fi'],
  ])('%j is an error near %s', (src, token) => {
    const { error, incomplete } = parseErr(src);
    expect(error.message).toBe(near(token));
    expect(error.code).toBe('unexpected-token');
    expect(incomplete).toBe(false);
  });

  it('reports the line and offset of the offending token', () => {
    const { error } = parseErr('echo one\necho two\n  fi\n');
    expect(error).toBeInstanceOf(ShellSyntaxError);
    expect(error).toMatchObject({ line: 3, offset: 20, code: 'unexpected-token' });
  });

  it('reports an unterminated quote at the line it opened on', () => {
    expect(parseErr('echo a\necho "b\nc\nd').error.line).toBe(2);
  });

  it('rejects a loop variable that is not a name', () => {
    const { error, incomplete } = parseErr('for 1x in a; do :; done');
    expect(error.message).toBe("`1x': not a valid identifier");
    expect(error.code).toBe('invalid-name');
    expect(incomplete).toBe(false);
  });

  it('reports errors inside a closed backquote or here-document as errors, not incomplete', () => {
    expect(parseErr('echo `if true`').incomplete).toBe(false);
    expect(parseErr('cat <<E\n$(if\nE\n').incomplete).toBe(false);
  });

  it('leaves unknown ${...} forms to expansion time, as bash does', () => {
    expect(parse('echo ${x!} ${} ${!pre*}').ok).toBe(true);
  });

  it('refuses absurd nesting as an error value', () => {
    const { error, incomplete } = parseErr('$('.repeat(1000));
    expect(error.message).toBe('syntax error: nesting too deep');
    expect(error.code).toBe('too-deep');
    expect(incomplete).toBe(false);
  });
});
