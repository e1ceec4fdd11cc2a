// sed: each case is a shell line whose whole output (and status) is GNU sed 4.9's for the same line
// in bash: addresses and ranges, s with its flags, the text commands, the hold space, branches,
// -i/-s/-f, w and r, the missing last newline, and the script errors with their positions.

import { describe, expect, it } from 'vitest';
import { run1, shLine } from './utils-helpers.js';

describe('sed, as GNU sed', () => {
  it.each([
    ["seq 10 > n; sed -n '3,5p' n; sed '2q' n; sed -n '$=' n; sed '/4/,/6/d' n; sed -n '/4/,+2p' n; sed '0~3d' n; sed -n '2,~4p' n; sed '5!d' n; sed -n '0,/1/p' n; sed '1,/1/d' n", "3\n4\n5\n1\n2\n10\n1\n2\n3\n7\n8\n9\n10\n4\n5\n6\n1\n2\n4\n5\n7\n8\n10\n2\n3\n4\n5\n1\n", 0],
    ["printf 'hello world\\nfoo bar\\n' > t; sed 's/o/0/g' t; sed 's/o/0/2' t; sed -E 's/(\\w+) (\\w+)/\\2 \\1/' t; sed 's/\\(l*\\)o/[\\1]/' t; sed 's/o/&&/gp' t; sed -n 's/O/x/Ip' t; echo baaac | sed 's/a*/x/g'; echo abc | sed 's/x*/-/g'; sed 'y/abc/xyz/' t", "hell0 w0rld\nf00 bar\nhello w0rld\nfo0 bar\nworld hello\nbar foo\nhe[ll] world\nf[]o bar\nhelloo woorld\nhelloo woorld\nfoooo bar\nfoooo bar\nhellx world\nfxo bar\nxbxcx\n-a-b-c-\nhello world\nfoo yxr\n", 0],
    ["printf 'a\\nb\\nc\\n' > t; sed '2i\\\\\\nbefore' t; sed '2a after' t; sed '2c\\\\\\nchanged' t; sed '1,2c gone' t; sed -e 1d -e 3d t; sed '$!N;s/\\n/-/' t; sed -n 'h;n;G;p' t; sed '1!G;h;$!d' t; sed = t; sed -n '/b/{p;p}' t; printf 'x' | sed p; printf 'a\\nb' | sed '$a end'", "a\n\\nbefore\nb\nc\na\nb\nafter\nc\na\n\\nchanged\nc\ngone\nc\nb\na-b\nc\nb\na\nc\nb\na\n1\na\n2\nb\n3\nc\nb\nb\nx\nxa\nb\nend\n", 0],
    ["printf 'a b\\n' | sed 's/ /\\n/'; printf 'one\\ntwo\\n' | sed ':a;N;$!ba;s/\\n/,/g'; printf 'aaa\\n' | sed -e ':x' -e 's/a/b/' -e 'tx'; printf 'x1\\n' | sed 's/[0-9]/<&>/; T; s/x/y/'; printf 'a\\n' | sed 'q5'; echo $?; printf 'a\\nb\\n' | sed Q; printf 'a.b\\n' | sed 's|\\.|/|'", "a\nb\none,two\nbbb\ny<1>\na\n5\na/b\n", 0],
    ["printf 'a\\nb\\n' > f; sed -i 's/a/A/' f; cat f; sed -i.bak '1d' f; cat f f.bak; ls", "A\nb\nb\nA\nb\nf\nf.bak\n", 0],
    ["printf 'a\\nb\\n' > f; cp f g; sed -s -n '$p' f g; sed -n '$p' f g; sed -n '1p;F' f g; sed -i 1d f g; cat f g", "b\nb\nb\na\nf\nf\ng\ng\nb\nb\n", 0],
    ["printf 's/a/X/\\n2d\\n' > s.sed; printf 'a\\nb\\nc\\n' | sed -f s.sed; printf 'a\\nb\\n' | sed -n 'w out' ; cat out; printf 'r1\\n' > r; printf 'a\\nb\\n' | sed '1r r'", "X\nc\na\nb\na\nr1\nb\n", 0],
    ["sed 's/a/b' </dev/null 2>&1; echo $?; sed -e 'k' </dev/null 2>&1; sed '/x/{p' </dev/null 2>&1; sed 's/\\(a/b/' </dev/null 2>&1; sed 'b foo' </dev/null 2>&1; sed '}' </dev/null 2>&1;  sed 's/a/b/gg' </dev/null 2>&1; sed 's/a/\\2/' </dev/null 2>&1; sed 'y/ab/c/' </dev/null 2>&1", "sed: -e expression #1, char 5: unterminated `s' command\n1\nsed: -e expression #1, char 1: unknown command: `k'\nsed: -e expression #1, char 0: unmatched `{'\nsed: -e expression #1, char 8: Unmatched ( or \\(\nsed: can't find label for jump to `foo'\nsed: -e expression #1, char 1: unexpected `}'\nsed: -e expression #1, char 8: multiple `g' options to `s' command\nsed: -e expression #1, char 7: invalid reference \\2 on `s' command's RHS\nsed: -e expression #1, char 7: strings for `y' command are different lengths\n", 1],
    ["sed 'a' </dev/null 2>&1; sed '1,2,3p' < /dev/null 2>&1; sed p nofile 2>&1; echo $?; sed -e p -e 'k' </dev/null 2>&1; sed 'pq' </dev/null 2>&1; echo x | sed 's/x/y/;s//z/'; echo x | sed '//p' 2>&1; echo x | sed '0p' 2>&1; echo $?", "sed: -e expression #1, char 1: expected \\ after `a', `c' or `i'\nsed: -e expression #1, char 4: unknown command: `,'\nsed: can't read nofile: No such file or directory\n2\nsed: -e expression #2, char 1: unknown command: `k'\nsed: -e expression #1, char 2: extra characters after command\ny\nsed: -e expression #1, char 0: no previous regular expression\nsed: -e expression #1, char 2: invalid usage of line address 0\n1\n", 0],
  ] as Array<[string, string, number]>)('%s', async (line, out, status) => {
    expect(await shLine(line)).toEqual({ out, status });
  });
  it('wants a script (a usage error, status 2)', async () => {
    expect(await run1(['sed'])).toEqual({ out: 'sed: no script specified\nusage: sed [options] {script-only-if-no-other-script} [input-file]...\n', status: 2 });
  });
  it('-i refuses what is not a regular file and leaves it alone', async () => {
    expect(await shLine('mkdir d; sed -i p d nosuch 2>&1; echo $?; ls')).toEqual({ out: "sed: couldn't edit d: not a regular file\nsed: can't read nosuch: No such file or directory\n2\nd\n", status: 0 });
  });
});
