// The packetdrill program itself: its script language (lexer, parser, the Python of %{ }%), and
// what it says when a script fails, in packetdrill's words, with exit status 1.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ParseError, parseScript } from '../../../userland/bin/packetdrill/parser.js';
import { PyError, PyInterpreter } from '../../../userland/bin/packetdrill/python.js';
import { runPacketdrill } from './pd-run.js';

function py(src: string): string {
  let out = '';
  new PyInterpreter((s) => (out += s)).run(src);
  return out;
}

function pyError(src: string): PyError {
  try {
    py(src);
  } catch (e) {
    if (e instanceof PyError) return e;
    throw e;
  }
  throw new Error('no error');
}

describe('the %{ }% Python subset', () => {
  it('computes as Python does: exact ints, true and floor division, chained comparisons, % formatting', () => {
    expect(py('x = 7; x += 2**64; print(x // 2, x % 5, -7 // 2, -7 % 2, 7 / 2)')).toBe('9223372036854775811 3 -4 1 3.5\n');
    expect(py('a = 5\nprint(1 < a <= 5, 1 < a < 5, not a, a and 3, 0 or "z")')).toBe('True False False 3 z\n');
    expect(py("print('cwnd=%d rtt=%.1f %s %x %5d|' % (10, 2.25, 'ok', 255, 42))")).toBe('cwnd=10 rtt=2.2 ok ff    42|\n');
    expect(py('print((0x7fffffff & 0xff) | 0x100, hex(255), min(3, 1, 2), max([4, 9]), abs(-3))')).toBe('511 0xff 1 9 3\n');
    expect(py('t = 1\nassert t == 1, t \\\n  ; print("continued")')).toBe('continued\n');
  });

  it('raises what Python raises', () => {
    const a = pyError('x = 3\nassert x == 10, "cwnd=%d" % x');
    expect([a.type, a.message, a.line]).toEqual(['AssertionError', 'cwnd=3', 2]);
    expect(pyError('assert 0').message).toBe('');
    expect(pyError('y + 1').message).toBe("name 'y' is not defined");
    expect(pyError('1 // 0').type).toBe('ZeroDivisionError');
    expect(pyError('x = (1').type).toBe('SyntaxError');
  });
});

describe('the script parser', () => {
  const parse = (src: string) => parseScript(src, new Map(), () => {});

  it('reads options, the init command, timed events of every kind and the cleanup command', () => {
    const opts: string[] = [];
    const s = parseScript(
      '--tolerance_usecs=7000\n--define=PORT=8081\n`init`\n0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+.1 < S. 0:0(0) ack 1 win 257 <mss 1000,sackOK,TS val 1 ecr 2,nop,wscale 7>\n*   > P. 1:11(10) ack 1 <...>\n0.2~0.3 > F. 11:11(0) ack 1\n+0 %{ x = 1 }%\n+0...0.5 read(3, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)\n`cleanup`\n',
      new Map(),
      (n, v) => opts.push(`${n}=${v}`),
    );
    expect(opts).toEqual(['tolerance_usecs=7000', 'define=PORT=8081']);
    expect(s.init).toBe('init');
    expect(s.cleanup).toBe('cleanup');
    expect(s.events.map((e) => [e.line, e.type, e.timeType, e.usecs, e.endUsecs])).toEqual([
      [4, 'syscall', 'absolute', 0, -1],
      [5, 'packet', 'relative', 100000, -1],
      [6, 'packet', 'any', 0, -1],
      [7, 'packet', 'absolute-range', 200000, 300000],
      [8, 'code', 'relative', 0, -1],
      [9, 'syscall', 'relative', 0, -1],
    ]);
    expect(s.events[1]!.packet!.options!.map((o) => o.kind)).toEqual(['mss', 'sackOK', 'TS', 'nop', 'wscale']);
    expect(s.events[2]!.packet!.options).toBeNull();
    expect(s.events[5]!.syscall).toMatchObject({ name: 'read', endUsecs: 500000, errno: { name: 'EAGAIN', strerror: 'Resource temporarily unavailable' } });
  });

  it('says where and why it stops, as packetdrill does', () => {
    const err = (src: string) => {
      try {
        parse(src);
      } catch (e) {
        if (e instanceof ParseError) return `${e.line}: ${e.message}`;
      }
      return 'parsed';
    };
    expect(err('0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 < S 0:0(0)\n')).toBe('2: semantic error: window must be specified for inbound packets');
    expect(err('0 < S 0:5(0) win 10\n')).toBe('1: semantic error: inconsistent TCP sequence numbers and payload size');
    expect(err('0 write(3, ..., 10) = \n')).toBe("2: parse error at '': syntax error");
    expect(err('0 < S 0:0(0) win 10 <...>\n')).toBe('1: semantic error: <...> for TCP options can only be used with outbound packets');
    expect(err('+0...0.1 < S 0:0(0) win 10\n')).toBe("1: parse error at '<': syntax error");
  });
});

describe('packetdrill failures', () => {
  function scriptDir(files: Record<string, string>): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pd-'));
    for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
    return dir;
  }
  const open = `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3
+0 setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0
+0 bind(3, ..., ...) = 0
+0 listen(3, 1) = 0
+0 < S 0:0(0) win 32792 <mss 1000,nop,wscale 7>
`;

  it('shows the field that differs, then the script and actual packets', async () => {
    const dir = scriptDir({ 'bad.pkt': `${open}+0 > S. 0:0(0) ack 2 <mss 1460,nop,wscale 10>\n` });
    expect(await runPacketdrill(dir, 'bad.pkt')).toEqual({
      status: 1,
      out:
        'bad.pkt:6: error handling packet: live packet field tcp_ack_seq: expected: 2 (0x2) vs actual: 1 (0x1)\n' +
        'script packet:  0.000000 S. 0:0(0) ack 2 <mss 1460,nop,wscale 10>\n' +
        'actual packet:  0.000000 S. 0:0(0) ack 1 win 64240 <mss 1460,nop,wscale 10>\n',
    });
  });

  it('reports a packet at the wrong time, a missing one, and a system call result', async () => {
    const dir = scriptDir({
      'late.pkt': `${open}+.1 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 10>\n`,
      'none.pkt': `${open}+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 10>\n+0 < . 1:1(0) ack 1 win 257\n+0 > . 1:1(0) ack 1\n`,
      'errno.pkt': `0 socket(..., SOCK_STREAM, IPPROTO_TCP) = 3\n+0 read(3, ..., 10) = -1 EAGAIN (Resource temporarily unavailable)\n`,
      'fd.pkt': `0 close(5) = 0\n`,
    });
    expect((await runPacketdrill(dir, 'late.pkt')).out.split('\n')[0]).toBe(
      'late.pkt:6: error handling packet: timing error: expected outbound packet at 0.100000 sec but happened at 0.000000 sec; tolerance 0.012500 sec',
    );
    expect(await runPacketdrill(dir, 'none.pkt')).toEqual({ status: 1, out: 'none.pkt:8: error handling packet: Timed out waiting for packet\n' });
    expect((await runPacketdrill(dir, 'errno.pkt')).out).toMatch(/^errno\.pkt:2: runtime error in read call: Expected errno -?\d+ \(Operation would block\) but got -?\d+ \(Socket is not connected\)\n$/);
    expect(await runPacketdrill(dir, 'fd.pkt')).toEqual({ status: 1, out: 'fd.pkt:1: runtime error in close call: unable to find fd with script fd 5\n' });
  });

  it('runs the %{ }% code after the script, each snippet with its own tcp_info', async () => {
    const dir = scriptDir({
      'code.pkt': `${open}+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 10>\n+.1 < . 1:1(0) ack 1 win 257\n+0 accept(3, ..., ...) = 4\n+0 %{ print(tcpi_state, tcpi_snd_mss) }%\n+0 shutdown(4, SHUT_WR) = 0\n+0 %{ assert tcpi_state == TCP_ESTABLISHED, tcpi_state }%\n`,
      'closed.pkt': `${open}+0 > S. 0:0(0) ack 1 <mss 1460,nop,wscale 10>\n+.1 < . 1:1(0) ack 1 win 257\n+0 accept(3, ..., ...) = 4\n+0 close(4) = 0\n+0 %{ x = 1 }%\n`,
    });
    expect(await runPacketdrill(dir, 'code.pkt')).toEqual({
      status: 1,
      out: '1 1000\ncode.pkt:11: error in Python code\nTraceback (most recent call last):\n  File "code.pkt", line 11, in <module>\nAssertionError: 4\ncode.pkt: error executing code: \'python3\' returned non-zero status 1\n',
    });
    expect(await runPacketdrill(dir, 'closed.pkt')).toEqual({ status: 1, out: "closed.pkt:10: runtime error in code: can't find getsockopt to get TCP info\n" });
  });
});
