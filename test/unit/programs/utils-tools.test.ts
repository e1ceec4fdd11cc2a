// find, xargs and diff: each case is a shell line whose whole output (and status) is that of GNU
// findutils 4.9 and diffutils 3.8 for the same line in bash.

import { describe, expect, it } from 'vitest';
import { run1, shLine } from './utils-helpers.js';

type Case = [line: string, out: string, status: number];

function agrees(cases: Case[]): void {
  it.each(cases)('%s', async (line, out, status) => {
    expect(await shLine(line)).toEqual({ out, status });
  });
}

describe('find, as GNU find', () => {
  agrees([
    ["mkdir -p a/b/c; touch a/x.txt a/b/y.TXT a/b/c/z; find a | sort; find a -name '*.txt'; find a -iname '*.txt' | sort; find a -type d | sort; find a -maxdepth 1 | sort; find a -mindepth 2 -type f | sort", "a\na/b\na/b/c\na/b/c/z\na/b/y.TXT\na/x.txt\na/x.txt\na/b/y.TXT\na/x.txt\na\na/b\na/b/c\na\na/b\na/x.txt\na/b/c/z\na/b/y.TXT\n", 0],
    ["mkdir -p a/b/c; touch a/x.txt a/b/y.TXT a/b/c/z; find a -path '*b/c*' | sort; find a/ -name z; find a -name b -prune -o -print | sort; find a -type f -exec echo got {} \\; | sort; find a -name z -exec echo {} + ; find a ! -type d | sort; find a \\( -name z -o -name x.txt \\) | sort; find a -empty | sort", "a/b/c\na/b/c/z\na/b/c/z\na\na/x.txt\ngot a/b/c/z\ngot a/b/y.TXT\ngot a/x.txt\na/b/c/z\na/b/c/z\na/b/y.TXT\na/x.txt\na/b/c/z\na/x.txt\na/b/c/z\na/b/y.TXT\na/x.txt\n", 0],
    ["find nosuch 2>&1; echo $?; find . -foo 2>&1; echo $?; find . -name 2>&1; echo $?; find . -type z 2>&1; echo $?; find . -maxdepth x 2>&1; echo $?; find . -name x y 2>&1; echo $?; find . -exec echo 2>&1; echo $?; find . \\( -name x 2>&1; echo $?", "find: 'nosuch': No such file or directory\n1\nfind: unknown predicate `-foo'\n1\nfind: missing argument to `-name'\n1\nfind: Unknown argument to -type: z\n1\nfind: Expected a positive decimal integer argument to -maxdepth, but got 'x'\n1\nfind: paths must precede expression: `y'\n1\nfind: missing argument to `-exec'\n1\nfind: invalid expression; I was expecting to find a ')' somewhere but did not see one.\n1\n", 0],
    ["touch f; find . -name f -exec false \\; ; echo $?; find . -name f -exec nosuch {} + 2>&1; echo $?", "0\nfind: 'nosuch': No such file or directory\n1\n", 0],
  ]);
});

describe('xargs, as GNU xargs', () => {
  agrees([
    ["printf 'a b\\nc' | xargs -n1 echo x; printf 'a\\nb\\n' | xargs -I{} echo [{}]; printf \"'a b' c\\n\" | xargs -t echo 2>&1; printf \"'a b c\\n\" | xargs echo 2>&1; echo $?; echo | xargs -r echo hi; echo | xargs echo hi", "x a\nx b\nx c\n[a]\n[b]\necho 'a b' c\na b c\nxargs: unmatched single quote; by default quotes are special to xargs unless you use the -0 option\n1\nhi\n", 0],
    ["printf 'x\\n' | xargs false; echo $?; printf 'a,b,c' | xargs -d, -n2 echo; printf '1\\n2\\n3\\n' | xargs -L2 echo; printf '  a  \\n' | xargs -I X echo '<X>'; printf 'a\\0b\\0' | xargs -0 echo; printf 'a\\nb\\n' | xargs", "123\na b\nc\n1 2\n3\n<a  >\na b\na b\n", 0],
    ["printf '1 2 3' | xargs -n 2 sh -c 'echo $0-$1'; printf 'x\\n' | xargs sh -c 'exit 255' 2>&1; echo $?; printf 'x\\n' | xargs nosuch 2>&1; echo $?; mkdir d; touch d/a d/b; find d -type f | sort | xargs ls; printf 'q\\n' > args; xargs -a args echo got", "1-2\n3-\nxargs: sh: exited with status 255; aborting\n124\nxargs: nosuch: No such file or directory\n127\nd/a\nd/b\ngot q\n", 0],
  ]);
  it('takes only a positive -n', async () => {
    expect((await run1(['xargs', '-n', '0'], { input: '' })).out).toMatch(/^xargs: option '-n, --max-args <max-args>' argument '0' is invalid\. max-args must be from 1 to /);
  });
});

describe('diff, as GNU diff', () => {
  agrees([
    ["printf 'a\\nb\\nc\\nd\\ne\\nf\\ng\\nh\\ni\\nj\\n' > x; printf 'a\\nB\\nc\\nd\\ne\\nf\\ng\\nh\\nj\\nk\\n' > y; diff x y; echo $?; diff -U1 x y | tail -n +3; diff x x; echo $?; diff -u x y | tail -n +3", "2c2\n< b\n---\n> B\n9d8\n< i\n10a10\n> k\n1\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n@@ -8,3 +8,3 @@\n h\n-i\n j\n+k\n0\n@@ -1,10 +1,10 @@\n a\n-b\n+B\n c\n d\n e\n f\n g\n h\n-i\n j\n+k\n", 0],
    ["printf 'a' > p; printf 'a\\n' > q; diff p q; diff -u p q | tail -n +3; printf '' > e; printf 'x\\ny\\n' > x; diff e x | head -3; diff x e | tail -2; diff -u e q | tail -n +3; diff -q x e; diff -s x x", "1c1\n< a\n\\ No newline at end of file\n---\n> a\n@@ -1 +1 @@\n-a\n\\ No newline at end of file\n+a\n0a1,2\n> x\n> y\n< x\n< y\n@@ -0,0 +1 @@\n+a\nFiles x and e differ\nFiles x and x are identical\n", 0],
    ["diff nosuch x 2>&1; echo $?; mkdir d1 d2; printf '1\\n' > d1/f; printf '2\\n' > d2/f; touch d1/only; mkdir d1/s d2/s; diff d1 d2; echo $?; diff -u d1 d2 | grep -v '^[-+][-+]'; diff d1/f d2 ; echo $?", "diff: nosuch: No such file or directory\ndiff: x: No such file or directory\n2\ndiff d1/f d2/f\n1c1\n< 1\n---\n> 2\nOnly in d1: only\nCommon subdirectories: d1/s and d2/s\n1\ndiff -u d1/f d2/f\n@@ -1 +1 @@\n-1\n+2\nOnly in d1: only\nCommon subdirectories: d1/s and d2/s\n1c1\n< 1\n---\n> 2\n1\n", 0],
  ]);
  it('prints the files\' times in the unified header', async () => {
    const r = await shLine("printf 'a\\n' > x; printf 'b\\n' > y; diff -u x y");
    expect(r).toEqual({ out: '--- x\t2026-01-01 00:00:00.000000000 +0000\n+++ y\t2026-01-01 00:00:00.000000000 +0000\n@@ -1 +1 @@\n-a\n+b\n', status: 1 });
  });
  it('wants two operands', async () => {
    expect(await run1(['diff', 'a'])).toEqual({ out: "diff: missing operand after 'a'\nusage: diff [options] [file1] [file2]\n", status: 2 });
  });
});
