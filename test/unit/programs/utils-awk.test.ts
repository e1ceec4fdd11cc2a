// awk: each case is a shell line whose whole output (and status) is that of mawk 1.3.4 (Debian's
// awk) for the same line in bash, within what POSIX and mawk agree on (mawk prints integers past
// 2^31 through OFMT, reads hex in strings and takes substr(s, 0, n) differently; tunlab follows
// POSIX there, as gawk does: see the last cases).

import { describe, expect, it } from 'vitest';
import { run1, shLine } from './utils-helpers.js';

describe('awk, as mawk', () => {
  it.each([
    ["printf 'a b c\\nd e f\\n' | awk '{print $2}'; printf 'a:b:c\\n' | awk -F: '{print $3, NF}'; seq 5 | awk 'NR==2,NR==4 {print NR\": \"$0}'; seq 5 | awk '{s+=$1} END {print s, s/NR}'", "b\ne\nc 3\n2: 2\n3: 3\n4: 4\n15 3\n", 0],
    ["printf 'x 1\\ny 2\\nx 3\\n' | awk '{a[$1]+=$2} END {for (k in a) print k, a[k]}' | sort; awk 'BEGIN {printf \"%5.2f|%-4d|%x|%c|%s|%e\\n\", 3.14159, 42, 255, 65, \"str\", 12345}'", "x 4\ny 2\n 3.14|42  |ff|A|str|1.234500e+04\n", 0],
    ["awk 'BEGIN {s=\"hello world\"; print length(s), substr(s, 7), index(s, \"o\"), toupper(s); n=split(\"a,b,c\", arr, \",\"); print n, arr[3]; t=s; gsub(/o/, \"0\", t); print t; sub(/l+/, \"[&]\", s); print s; print match(\"foobar\", /ob/), RSTART, RLENGTH}'", "11 world 5 HELLO WORLD\n3 c\nhell0 w0rld\nhe[ll]o world\n3 3 2\n", 0],
    ["echo '3 10' | awk '{print ($1 < $2), (\"3\" < \"10\"), $1 $2}'; awk 'BEGIN { x = 1; while (x < 100) x *= 2; print x; for (i=0;i<3;i++) printf \"%d \", i; print \"\"; do { y++ } while (y < 5); print y; if (!(3 in a)) print \"no\"; a[3]; if (3 in a) print \"yes\"; delete a[3]; print length(a) }'", "1 0 310\n128\n0 1 2 \n5\nno\nyes\n0\n", 0],
    ["awk 'function f(n) { return n <= 1 ? 1 : n * f(n-1) } BEGIN { print f(10) }'; awk 'function fill(arr) { arr[\"k\"] = 1 } BEGIN { fill(z); print z[\"k\"] }'; awk 'BEGIN { print 1/3; OFMT=\"%.2f\"; print 1/3; x = 1/3 \"\"; print x; print 1e6, -3 }'", "3628800\n1\n0.333333\n0.33\n0.333333\n1000000 -3\n", 0],
    ["echo 'a b c' | awk '{$2=\"X\"; print; print NF; NF=2; print; $5=\"e\"; print; print $(NF-1)}'; echo 'a b c' | awk -v OFS=- '{$1=$1; print}'; printf '1\\n2\\n' > f; awk '{print x, $0}' x=1 f x=2 f; printf 'foo\\nbar\\nbaz\\n' | awk '/^b/ && !/z/'", "a X c\n3\na X\na X   e\n\na-b-c\n1 1\n1 2\n2 1\n2 2\nbar\n", 0],
    ["printf 'foo\\nbar\\n' | awk 'NR==1 {getline; print \"got\", $0} END {print NR}'; printf 'l1\\nl2\\n' > f; awk 'BEGIN {while ((getline line < \"f\") > 0) print \"r:\" line; close(\"f\")}'", "got bar\n2\nr:l1\nr:l2\n", 0],
    ["awk 'BEGIN {print \"b\" > \"o\"; print \"a\" >> \"o\"; close(\"o\"); while ((getline l < \"o\") > 0) print l}'; awk 'BEGIN {print \"c\\nb\\na\" | \"sort\"; close(\"sort\"); print \"done\"}'; awk 'BEGIN {\"echo hi\" | getline x; print x; r = system(\"exit 3\"); print r}'", "b\na\na\nb\nc\ndone\nhi\n3\n", 0],
    ["awk '{print $}' </dev/null 2>&1; echo $?; awk 'BEGIN{' 2>&1; echo $?; awk '{print}' nosuch 2>&1; echo $?; awk 'BEGIN {exit 3} END {print \"end\"}'; echo $?", "awk: line 1: syntax error at or near }\n2\nawk: line 2: missing } near end of file\n2\nawk: cannot open nosuch (No such file or directory)\n2\nend\n3\n", 0],
    ["printf 'a b\\n\\nc d\\ne\\n' | awk 'BEGIN{RS=\"\"}{print NR\": \"$1\"|\"NF}'; echo 'a1b22c' | awk -F'[0-9]+' '{print $2, NF}'; echo 'x' | awk '{print length, length()}'; awk 'BEGIN {x; print (x == 0), (x == \"\"), length(x)}'", "1: a|2\n2: c|3\nb 3\n1 1\n1 1 0\n", 0],
    ["awk 'BEGIN { printf \"%s %d %i %5s|%-5s|%.2s %o %X %%\\n\", 1.5, -2.7, 3, \"ab\", \"cd\", \"xyz\", 8, 255 }'; echo 'a b' | awk '{ $0 = \"x y z\"; print NF, $3 }'; awk 'BEGIN { a[\"x\",\"y\"] = 1; for (k in a) { split(k, p, SUBSEP); print p[1], p[2] }; if ((\"x\",\"y\") in a) print \"in\" }'", "1.5 -2 3    ab|cd   |xy 10 FF %\n3 z\nx y\nin\n", 0],
    ["printf 'a\\tb c\\n' | awk -F'\\t' '{print $2}'; awk -v 'x=a\\tb' 'BEGIN{print x}'; printf '5\\n3\\n' | awk '$1 > max {max=$1} END {print max}'; awk 'BEGIN { print length(12345), 1==1.0, \"a\" < \"b\", 2 < 10, \"2\" < \"10\" }'", "b c\na\tb\n5\n5 1 1 1 0\n", 0],
    ["awk 'BEGIN { while (1) { if (++i > 3) break; if (i == 2) continue; print i } }'; printf 'a\\nb\\nc\\n' | awk 'NR==1{next} {print} /b/{exit}'; awk 'BEGIN{printf \"%c%c\", 72, \"i!\"; print \"\"}'; echo 'x y' | awk '{printf(\"%s-%s\\n\", $2, $1)}'", "1\n3\nb\nHi\ny-x\n", 0],
  ] as Array<[string, string, number]>)('%s', async (line, out, status) => {
    expect(await shLine(line)).toEqual({ out, status });
  });
});

describe('awk, where POSIX (and gawk) differ from mawk', () => {
  it('prints integral values as integers, reads only decimal numbers, clips substr at 1', async () => {
    expect(await shLine(`awk 'BEGIN { print 100000*100000, "0x1A"+0, substr("abc", 0, 2), 2^53 }'`)).toEqual({ out: '10000000000 0 a 9007199254740992\n', status: 0 });
  });
  it('wants a program; a bad -v is a usage error', async () => {
    expect(await run1(['awk'])).toEqual({ out: "awk: no program given\nusage: awk [-F fs] [-v var=value] ['prog' | -f progfile] [file ...]\n", status: 2 });
    expect((await run1(['awk', '-v', 'x', 'BEGIN{}'])).out).toMatch(/^awk: improper assignment: -v x\n/);
  });
  it('reports run-time errors with status 2', async () => {
    expect(await shLine(`awk 'BEGIN { x = 1; x[1] = 2 }' 2>&1; echo $?; awk 'BEGIN { print 1/0 }' 2>&1; echo $?`)).toEqual({
      out: "awk: run time error: can't use scalar as array\n2\nawk: run time error: division by zero\n2\n",
      status: 0,
    });
  });
});
