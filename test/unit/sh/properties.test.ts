// Property tests: the parser must return (never throw, never hang) on any input, and what it returns
// must be well formed; expansion of whatever parses must resolve or fail with an ExpansionError.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Program, Word } from '../../../userland/sh/ast.js';
import { ExpansionError, ShellSyntaxError } from '../../../userland/sh/errors.js';
import { expandWord, expandWords } from '../../../userland/sh/expand.js';
import { parse, parseCommands, type ParseResult } from '../../../userland/sh/parser.js';
import { evaluateArithmetic } from '../../../userland/sh/arith.js';
import { matchPattern } from '../../../userland/sh/pattern.js';
import { FUZZ_RUNS, fakeContext } from './helpers.js';

const FRAGMENTS = [
  ' ', ' ', '\n', '\t', ';', ';;', '&', '&&', '|', '||', '(', ')', '{', '}', '<', '>', '>>', '<<', '<<-', '<<<',
  '2>&1', '>&2', '&>', "'", '"', '`', '\\', '\\\n', '$', '${', '$(', '$((', '))', '$#', '$@', '"$@"', '$?', '$1',
  '#', '*', '?', '[', ']', '!', '~', '=', ':', '-', '+', '%', '/', ',', 'x', 'a b', 'X=1', '0', '12', 'EOF', '\nEOF\n',
  'if ', 'then ', 'elif ', 'else ', 'fi', 'while ', 'until ', 'do ', 'done', 'for ', 'in ', 'case ', 'esac', 'function ',
  'f()', 'echo ', '${x:-', '${#', '${x%', '${x/', '${x:', '$\'', '\u00e9', '\u{1F600}',
];

const shellish = fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 40 }).map((a) => a.join(''));

const VALID = [
  'echo hello world',
  'A=1 B="x y" cmd arg >out 2>&1 <in',
  'if test -f /etc/passwd; then echo yes; elif false; then :; else echo no; fi',
  'for i in 1 2 3; do echo "$i"; done; for j; do :; done',
  'while read -r line; do echo "${line%%#*}"; done < file',
  'until false; do break; done &',
  'case "$1" in start|up) ifconfig tun/0 up;; (stop) :;; *) echo "usage: $0" >&2; exit 1;; esac',
  'f() { local x=$1; echo "${x:-none}"; return 0; }\nf a | tr a b && echo ok || echo fail',
  'cat <<EOF\nhost $HOSTNAME\n$(date)\nEOF\ncat <<-\'END\'\n\tliteral $x\n\tEND\n',
  'x=$(echo "$(echo inner) `echo back`") y=$((x + 2 * (3 % 2)))',
  '( cd /tmp; ls *.txt ) 2>/dev/null; { echo a; echo b; } >> log',
  '! grep -q x file && echo "missing \\"x\\"" || : # comment',
  'echo ~ ~/bin ${HOME:+home} ${#PATH} ${1+"$@"} $\'\\t\'',
  'ping -c 1 10.0.0.1 &>/dev/null; echo $? $$ $! $#',
];

function check(src: string): ParseResult {
  const r = parse(src);
  if (!r.ok) {
    expect(r.error).toBeInstanceOf(ShellSyntaxError);
    expect(r.error.code).not.toBe('internal');
    expect(r.error.offset).toBeGreaterThanOrEqual(0);
    expect(r.error.offset).toBeLessThanOrEqual(src.length);
    expect(r.error.line).toBeGreaterThanOrEqual(1);
    expect(r.incomplete).toBe(r.error.incomplete);
  } else {
    checkSpans(r.program);
  }
  return r;
}

/** Every node under a program (up to nested programs) has a span inside that program's source. */
function checkSpans(program: Program): void {
  const visit = (value: unknown, source: string): void => {
    if (Array.isArray(value)) {
      for (const v of value) visit(v, source);
      return;
    }
    if (typeof value !== 'object' || value === null) return;
    const node = value as { kind?: string; span?: { start: number; end: number }; source?: string };
    if (node.kind === 'Program') source = node.source!;
    if (node.span) {
      expect(node.span.start).toBeGreaterThanOrEqual(0);
      expect(node.span.end).toBeGreaterThanOrEqual(node.span.start);
      expect(node.span.end).toBeLessThanOrEqual(source.length);
    }
    // here-document bodies index their own text
    for (const [k, v] of Object.entries(node)) if (k !== 'span' && !(node.kind === 'HereDoc' && k === 'body')) visit(v, source);
  };
  visit(program, program.source);
}

function collectWords(value: unknown, out: Word[] = []): Word[] {
  if (Array.isArray(value)) {
    for (const v of value) collectWords(v, out);
  } else if (typeof value === 'object' && value !== null) {
    const node = value as { kind?: string };
    if (node.kind === 'Word') out.push(node as Word);
    else for (const v of Object.values(node)) collectWords(v, out);
  }
  return out;
}

/** Random edits of a valid script: delete, insert, duplicate, truncate. */
const mutated = fc
  .tuple(
    fc.constantFrom(...VALID),
    fc.array(
      fc.tuple(fc.nat(), fc.nat(), fc.constantFrom(...FRAGMENTS), fc.constantFrom('del', 'ins', 'dup', 'cut')),
      { minLength: 1, maxLength: 4 },
    ),
  )
  .map(([src, edits]) => {
    let s = src;
    for (const [a, b, frag, op] of edits) {
      const i = a % (s.length + 1);
      const j = Math.min(s.length, i + (b % 8));
      if (op === 'del') s = s.slice(0, i) + s.slice(j);
      else if (op === 'ins') s = s.slice(0, i) + frag + s.slice(i);
      else if (op === 'dup') s = s.slice(0, j) + s.slice(i, j) + s.slice(j);
      else s = s.slice(0, i);
    }
    return s;
  });

describe('parse never throws', () => {
  it('on the valid corpus', () => {
    for (const src of VALID) expect(check(src).ok, src).toBe(true);
  });

  it('on random shell-like text', () => {
    fc.assert(fc.property(shellish, (src) => void check(src)), { numRuns: FUZZ_RUNS });
  });

  it('on random unicode strings', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), (src) => void check(src)), {
      numRuns: FUZZ_RUNS,
    });
  });

  it('on mutations of valid scripts', () => {
    fc.assert(fc.property(mutated, (src) => void check(src)), { numRuns: FUZZ_RUNS });
  });

  it('on every prefix of the valid corpus, which is complete or incomplete but never an internal error', () => {
    for (const src of VALID) for (let i = 0; i <= src.length; i++) check(src.slice(0, i));
  });

  it('on nesting far deeper than the parser allows', () => {
    const deep = [
      '('.repeat(20_000),
      '$('.repeat(20_000),
      '${x:-'.repeat(20_000),
      '"$('.repeat(10_000),
      '$(('.repeat(20_000),
      'if '.repeat(20_000),
      '{ '.repeat(20_000),
      'case x in x) '.repeat(5_000),
      '! '.repeat(5_000) + 'true',
      'a | '.repeat(5_000) + 'b',
      '$(('.repeat(100) + '1' + '))'.repeat(100),
    ];
    for (const src of deep) {
      const r = check(src);
      if (!r.ok) expect(['too-deep', 'unexpected-eof', 'unterminated']).toContain(r.error.code);
    }
    expect(parse('('.repeat(20_000) + ')'.repeat(20_000)).ok).toBe(false);
    expect(parse('('.repeat(50) + 'x' + ')'.repeat(50)).ok).toBe(true);
  });
});

describe('parseCommands agrees with parse', () => {
  it('yields the same commands, one complete command at a time', () => {
    fc.assert(
      fc.property(fc.oneof(mutated, fc.constantFrom(...VALID)), (src) => {
        const whole = parse(src);
        const steps = [...parseCommands(src)];
        const failed = steps.find((s) => !s.ok);
        if (whole.ok) {
          expect(failed).toBeUndefined();
          const items = steps.flatMap((s) => (s.ok ? s.program.body.items : []));
          expect(items.map((i) => i.span)).toEqual(whole.program.body.items.map((i) => i.span));
        } else {
          expect(failed).toBeDefined();
          expect(steps[steps.length - 1]).toBe(failed);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});

describe('expansion of anything that parses', () => {
  it('resolves, or rejects with an ExpansionError', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(shellish, mutated), fc.constantFrom(undefined, '', ':', ' x'), async (src, ifs) => {
        const r = parse(src);
        if (!r.ok) return;
        const ctx = fakeContext({
          vars: { x: 'a b*', e: '', n: '3' },
          positional: ['p 1', '', '*'],
          files: ['a', 'b', '.hidden'],
          ...(ifs === undefined ? {} : { ifs }),
        });
        for (const word of collectWords(r.program)) {
          for (const run of [() => expandWords([word], ctx), () => expandWord(word, ctx)]) {
            try {
              await run();
            } catch (e) {
              expect(e).toBeInstanceOf(ExpansionError);
            }
          }
        }
      }),
      { numRuns: Math.ceil(FUZZ_RUNS / 2) },
    );
  });
});

describe('arithmetic and patterns on random input', () => {
  it('arithmetic returns a 64-bit integer or an ExpansionError', () => {
    const expr = fc
      .array(fc.constantFrom(...'0123456789xyn()+-*/%<>=!&|^~?:, '.split(''), '**', '<<', '0x', '#', 'zz'), {
        maxLength: 30,
      })
      .map((a) => a.join(''));
    fc.assert(
      fc.property(expr, (src) => {
        const vars = new Map([['x', '7'], ['y', 'x*2'], ['n', 'n']]);
        try {
          const v = evaluateArithmetic(src, { get: (k) => vars.get(k), set: (k, val) => void vars.set(k, val) });
          expect(v).toBe(BigInt.asIntN(64, v));
        } catch (e) {
          expect(e).toBeInstanceOf(ExpansionError);
        }
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('matchPattern agrees with a regular expression on patterns without brackets', () => {
    const toRegExp = (p: string): RegExp =>
      new RegExp(
        '^' +
          p.replace(/\\(.)|([*?])|([^\\*?])/gsu, (_m, esc: string, wild: string, ch: string) =>
            esc !== undefined
              ? esc.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
              : wild === '*'
                ? '[^]*'
                : wild === '?'
                  ? '[^]'
                  : ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'),
          ) +
          '$',
        'u',
      );
    const pat = fc.array(fc.constantFrom('a', 'b', '*', '?', '\\*', '.'), { maxLength: 8 }).map((a) => a.join(''));
    const text = fc.array(fc.constantFrom('a', 'b', '*', '.'), { maxLength: 10 }).map((a) => a.join(''));
    fc.assert(
      fc.property(pat, text, (p, t) => {
        expect(matchPattern(p, t)).toBe(toRegExp(p).test(t));
      }),
      { numRuns: FUZZ_RUNS },
    );
  });

  it('matchPattern never throws', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 20 }), fc.string({ maxLength: 20 }), (p, t) => {
        expect(typeof matchPattern(p, t)).toBe('boolean');
      }),
      { numRuns: FUZZ_RUNS },
    );
  });
});
