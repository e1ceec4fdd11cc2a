// sort, uniq, cut, tr and grep's context and -o: each case is a shell line whose whole output (and status) is GNU
// coreutils 9.1's for the same line in bash; the usage errors keep tunlab's usage line and status 2.

import { describe, expect, it } from 'vitest';
import { run1, shLine } from './utils-helpers.js';

type Case = [line: string, out: string, status: number];

function agrees(cases: Case[]): void {
  it.each(cases)('%s', async (line, out, status) => {
    expect(await shLine(line)).toEqual({ out, status });
  });
}

describe('sort, as GNU sort', () => {
  agrees([
    ["printf ' 10 b\\n2 a\\n1K\\n2M\\n-3\\n-0\\n0\\n1.5\\n' > s; sort -h s; echo; sort -n s; echo; sort -k2 s; echo; sort -rn s; echo; sort -g s", "-3\n-0\n0\n1.5\n2 a\n 10 b\n1K\n2M\n\n-3\n-0\n0\n1K\n1.5\n2 a\n2M\n 10 b\n\n-0\n-3\n0\n1.5\n1K\n2M\n2 a\n 10 b\n\n 10 b\n2M\n2 a\n1.5\n1K\n0\n-0\n-3\n\n-3\n-0\n0\n1K\n1.5\n2 a\n2M\n 10 b\n", 0],
    ["printf 'b 2\\na 1\\nb 1\\nB 3\\n' | sort -s -k1,1; printf 'b 2\\na 1\\nb 1\\nB 3\\n' | sort -f -u -k1,1", "B 3\na 1\nb 2\nb 1\na 1\nb 2\n", 0],
    ["printf 'a:3:x\\nb:1:y\\nc:2:x\\n' | sort -t: -k3,3 -k2n", "c:2:x\na:3:x\nb:1:y\n", 0],
    ["printf 'x 1.10\\nx 1.9\\n' | sort -k2.3n; printf 'a\\nA\\nb\\nB\\n' | sort -r; printf '  b\\n a\\nc\\n' | sort -b", "x 1.10\nx 1.9\nb\na\nB\nA\n a\n  b\nc\n", 0],
    ["printf 'a\\na\\nb\\n' | sort -u; printf '3\\n1\\n2\\n' > f; sort -o f f; cat f; printf 'Jan\\nFEB\\nxx\\ndec\\n' | sort -M", "a\nb\n1\n2\n3\nxx\nJan\nFEB\ndec\n", 0],
    ["printf 'b\\na\\n' | sort -c 2>&1; echo $?; printf '1\\n1\\n' | sort -C -u; echo $?; printf '1\\n2\\n' | sort -c -u; echo $?", "sort: -:2: disorder: a\n1\n1\n0\n", 0],
    ["sort nosuch 2>&1; echo $?; sort -k 1x 2>&1 | head -1; sort -k 1.0 2>&1 | head -1; sort -k a 2>&1 | head -1; sort -t ab 2>&1 | head -1; sort -c a b 2>&1 | head -1", "sort: cannot read: nosuch: No such file or directory\n2\nsort: stray character in field spec: invalid field specification '1x'\nsort: character offset is zero: invalid field specification '1.0'\nsort: invalid number at field start: invalid count at start of 'a'\nsort: multi-character tab 'ab'\nsort: extra operand 'b' not allowed with -c\n", 0],
  ]);
  it('answers usage errors with status 2 and the usage line', async () => {
    expect(await run1(['sort', '-k', '0'])).toEqual({ out: "sort: field number is zero: invalid field specification '0'\nusage: sort [options] [file...]\n", status: 2 });
    expect(await run1(['sort', '-t', ''])).toEqual({ out: 'sort: empty tab\nusage: sort [options] [file...]\n', status: 2 });
  });
});

describe('uniq, as GNU uniq', () => {
  agrees([
    ["printf 'a\\na\\nb\\nB\\nb\\nc\\n' > f; uniq f; uniq -c f; uniq -d f; uniq -u f; uniq -i -c f; uniq -D f", "a\nb\nB\nb\nc\n      2 a\n      1 b\n      1 B\n      1 b\n      1 c\na\nb\nB\nb\nc\n      2 a\n      3 b\n      1 c\na\na\n", 0],
    ["printf 'x a\\ny a\\nz b\\n' | uniq -f1 -c; printf 'ax\\nbx\\n' | uniq -s1; printf 'xa\\nxb\\n' | uniq -w1; printf 'a\\na\\n' > i; uniq i o; cat o", "      2 x a\n      1 z b\nax\nxa\na\n", 0],
    ["uniq nosuch 2>&1; echo $?", "uniq: nosuch: No such file or directory\n1\n", 0],
  ]);
  it('refuses -c with -D', async () => {
    expect(await run1(['uniq', '-c', '-D'], { input: '' })).toEqual({ out: 'uniq: printing all duplicated lines and repeat counts is meaningless\nusage: uniq [options] [input] [output]\n', status: 2 });
  });
});

describe('cut, as GNU cut', () => {
  agrees([
    ["printf 'a:b:c\\nno delim\\nd:e:f\\n' > f; cut -d: -f2 f; cut -d: -f1,3 f; cut -d: -s -f2- f; cut -d: --complement -f2 f; cut -c2-4 f; cut -b -2,5- f; cut -d: -f1,3 --output-delimiter=XX f", "b\nno delim\ne\na:c\nno delim\nd:f\nb:c\ne:f\na:c\nno delim\nd:f\n:b:\no d\n:e:\na:c\nnoelim\nd:f\naXXc\nno delim\ndXXf\n", 0],
    ["printf 'a\\tb\\tc\\n' | cut -f2; printf 'abcdef\\n' | cut -c 3,1; printf 'abcdef' | cut -b 4-; printf 'a b c\\n' | cut -d ' ' -f 3,1", "b\nac\ndef\na c\n", 0],
    ["cut -f1 nosuch 2>&1; echo $?", "cut: nosuch: No such file or directory\n1\n", 0],
  ]);
  it.each([
    [[], 'you must specify a list of bytes, characters, or fields'],
    [['-f', '0'], 'fields are numbered from 1'],
    [['-d', 'ab', '-f1'], 'the delimiter must be a single character'],
    [['-b', '1', '-f', '2'], 'only one list may be specified'],
    [['-f', '3-1'], 'invalid decreasing range'],
    [['-c', '1', '-d:'], 'an input delimiter may be specified only when operating on fields'],
    [['-f', 'x'], "invalid field value 'x'"],
  ])('cut %j: usage error', async (args, msg) => {
    expect(await run1(['cut', ...args])).toEqual({ out: `cut: ${msg}\nusage: cut [options] [file...]\n`, status: 2 });
  });
});

describe('tr, as GNU tr', () => {
  agrees([
    ["printf 'hello World\\n' | tr a-z A-Z; printf 'hello\\n' | tr -d l; printf 'aabbccdd\\n' | tr -s a-c; printf 'hello 123\\n' | tr -cd '0-9\\n'", "HELLO WORLD\nheo\nabcdd\n123\n", 0],
    ["printf 'hello\\n' | tr '[:lower:]' '[:upper:]'; printf 'abc\\n' | tr abc 'x[y*]'; printf 'a  b\\n' | tr -s ' ' '_'; printf 'abcd\\n' | tr -t abcd xy; printf 'abcd\\n' | tr abcd xy", "HELLO\nxyy\na_b\nxycd\nxyyy\n", 0],
    ["printf 'a\\tb\\n' | tr '\\t' ,; printf 'a\\n' | tr -C a x; printf 'aaa\\n' | tr 'a' '[b*2]'; printf 'a.b,c\\n' | tr -d '[:punct:]'; printf 'x\\\\\\\\y\\n' | tr '\\\\\\\\' /; printf 'abc\\n' | tr '\\141' Z", "a,b\naxbbb\nabc\nx//y\nZbc\n", 0],
    ["printf 'aa  bb\\n' | tr -ds a ' '", " bb\n", 0],
    ["tr z-a x 2>&1; echo $?; tr a '[:digit:]' 2>&1; echo $?; tr '[:foo:]' x 2>&1; echo $?; tr a '' 2>&1 </dev/null; echo $?", "tr: range-endpoints of 'z-a' are in reverse collating sequence order\n1\ntr: when translating, the only character classes that may appear in\nstring2 are 'upper' and 'lower'\n1\ntr: invalid character class 'foo'\n1\ntr: when not truncating set1, string2 must be non-empty\n1\n", 0],
  ]);
  it('wants its operands as GNU tr does', async () => {
    const usage = 'usage: tr [options] [set1] [set2]\n';
    expect(await run1(['tr'])).toEqual({ out: `tr: missing operand\n${usage}`, status: 2 });
    expect(await run1(['tr', 'a'])).toEqual({ out: `tr: missing operand after 'a'\nTwo strings must be given when translating.\n${usage}`, status: 2 });
    expect(await run1(['tr', '-d', 'a', 'b'])).toEqual({ out: `tr: extra operand 'b'\nOnly one string may be given when deleting without squeezing repeats.\n${usage}`, status: 2 });
  });
});

describe('grep context, -o, -c, -H/-h, as GNU grep', () => {
  agrees([
    ["seq 1 20 > n; grep -o -A1 '1[05]' n; echo ==; grep -n -C1 -e 5 -e 12 n; echo ==; grep -c -A1 5 n; grep -H -h 5 n; grep -hH 5 n", "10\n--\n15\n==\n4-4\n5:5\n6-6\n--\n11-11\n12:12\n13-13\n14-14\n15:15\n16-16\n==\n2\n5\n15\nn:5\nn:15\n", 0],
    ["seq 1 20 > n; printf 'ab ab\\nx\\n' > t; grep -on 'ab' t n; grep -ov ab t; echo $?; grep -m1 -A2 1 n; echo ==; grep -A1 -B1 -m2 '[0-9]' n", "t:1:ab\nt:1:ab\n0\n1\n2\n3\n==\n1\n2\n3\n", 0],
    ["seq 1 20 > n; seq 3 > m; grep -A1 -n 2 m n; grep -B2 -H 1 n m; grep -C 1 -v '[2-9]' n; printf 'aAbA\\n' | grep -oi 'A'; grep -c -v 1 n m", "m:2:2\nm-3-3\n--\nn:2:2\nn-3-3\n--\nn:12:12\nn-13-13\n--\nn:20:20\nn:1\n--\nn-8\nn-9\nn:10\nn:11\nn:12\nn:13\nn:14\nn:15\nn:16\nn:17\nn:18\nn:19\n--\nm:1\n1\n2\n--\n9\n10\n11\n12\na\nA\nA\nn:9\nm:2\n", 0],
  ]);
  it('wants a number for a context length', async () => {
    expect((await run1(['grep', '-A', 'x', 'a'])).out).toMatch(/^grep: option '-A, --after-context <num>' argument 'x' is invalid\. x: invalid context length argument\nusage: grep /);
  });
});
