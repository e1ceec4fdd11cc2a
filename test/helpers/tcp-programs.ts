// Two small TCP programs for tests and benchmarks: an echo server and a client that sends a
// counting pattern, half-closes and checks what comes back.

import { isSysError } from '../../kernel/abi/errno.js';
import type { Program } from '../../kernel/abi/program.js';
import { AF_INET, IP_MTU_DISCOVER, IP_PMTUDISC_DONT, IPPROTO_IP, SHUT_WR, SOCK_STREAM, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';

async function say(sys: Sys, s: string): Promise<void> {
  await sys.write(1, s);
}

/** Read `fd` to its end; `badAt(data, offset)` gives the stream offset of a wrong byte in it, or -1. */
async function readChecked(sys: Sys, fd: number, badAt: (d: Uint8Array, at: number) => number): Promise<{ got: number; firstBad: number }> {
  let got = 0;
  let firstBad = -1;
  for (;;) {
    const d = await sys.read(fd, 262144);
    if (d.length === 0) break;
    if (firstBad < 0) firstBad = badAt(d, got);
    got += d.length;
  }
  return { got, firstBad };
}

/** The echo client's data: byte i is i mod 256. */
function firstNotCounting(d: Uint8Array, at: number): number {
  for (let i = 0; i < d.length; i++) if (d[i] !== ((at + i) & 0xff)) return at + i;
  return -1;
}

export const echoServer: Program = {
  name: 'echod',
  summary: '',
  async main(_argv, sys) {
    const ls = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(ls, sockaddrIn('0.0.0.0', 7));
    await sys.listen(ls, 5);
    const { fd, addr } = await sys.accept(ls);
    await say(sys, `accepted ${'sin_addr' in addr ? addr.sin_addr : '?'}\n`);
    for (;;) {
      const d = await sys.read(fd, 100000);
      if (d.length === 0) break;
      await sys.write(fd, d);
    }
    await sys.close(fd);
    return 0;
  },
};

export const client: Program = {
  name: 'client',
  summary: '',
  async main(argv, sys) {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    try {
      await sys.connect(fd, sockaddrIn(argv[1]!, 7));
    } catch (e) {
      if (isSysError(e)) {
        await say(sys, `connect: ${e.errno}\n`);
        return 1;
      }
      throw e;
    }
    const size = Number(argv[2] ?? 5);
    const data = new Uint8Array(size).map((_, i) => i & 0xff);
    await sys.write(fd, data);
    await sys.shutdown(fd, SHUT_WR);
    const { got, firstBad } = await readChecked(sys, fd, firstNotCounting);
    await say(sys, `echoed ${got} ${firstBad < 0 ? 'intact' : 'CORRUPT'}\n`);
    return 0;
  },
};


/**
 * The byte at stream offset i: a table of a prime number of hashed bytes, repeated. Not periodic
 * at any segment size, so a misplaced segment shows; and a table, so the programs fill and check
 * with memcpy and memcmp: a bulk benchmark then measures the stack, not a JavaScript loop per byte.
 */
const PATTERN_PERIOD = 65521;
/** The table followed by its first 256 KiB again, so any window up to that length is one slice. */
const PATTERN = (() => {
  const window = 262144;
  const t = new Uint8Array(PATTERN_PERIOD + window);
  for (let i = 0; i < t.length; i++) {
    const j = i % PATTERN_PERIOD;
    t[i] = ((Math.imul(j, 2654435761) >>> 24) ^ (j >>> 8)) & 0xff;
  }
  return t;
})();
const PATTERN_WINDOW = PATTERN.length - PATTERN_PERIOD;

/** The pattern from stream offset `at`, `n` bytes (n <= PATTERN_WINDOW). */
export function patternSlice(at: number, n: number): Uint8Array {
  const o = at % PATTERN_PERIOD;
  return PATTERN.subarray(o, o + n);
}

/** Stream offset of the first byte of `d` (at offset `at`) that is not the pattern's, or -1. */
export function firstBadByte(d: Uint8Array, at: number): number {
  for (let off = 0; off < d.length; off += PATTERN_WINDOW) {
    const part = d.subarray(off, off + PATTERN_WINDOW);
    const want = patternSlice(at + off, part.length);
    if (Buffer.compare(part, want) === 0) continue;
    for (let i = 0; i < part.length; i++) if (part[i] !== want[i]) return at + off + i;
  }
  return -1;
}

/** `tcpsource HOST PORT BYTES [nodf]`: connect, send BYTES of the pattern in 64 KiB writes, close; nodf: IP_PMTUDISC_DONT. */
export const tcpSource: Program = {
  name: 'tcpsource',
  summary: '',
  async main(argv, sys) {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    if (argv[4] === 'nodf') await sys.setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT);
    await sys.connect(fd, sockaddrIn(argv[1]!, Number(argv[2])));
    const total = Number(argv[3]);
    const buf = new Uint8Array(65536);
    for (let at = 0; at < total; ) {
      const n = Math.min(buf.length, total - at);
      buf.set(patternSlice(at, n));
      at += await sys.write(fd, buf.subarray(0, n));
    }
    await sys.close(fd);
    return 0;
  },
};

/** `tcpsink PORT`: accept one connection, read to its end checking the pattern, say what came. */
export const tcpSink: Program = {
  name: 'tcpsink',
  summary: '',
  async main(argv, sys) {
    const ls = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(ls, sockaddrIn('0.0.0.0', Number(argv[1])));
    await sys.listen(ls, 1);
    const { fd } = await sys.accept(ls);
    const { got, firstBad } = await readChecked(sys, fd, firstBadByte);
    await say(sys, firstBad < 0 ? `received ${got} bytes intact\n` : `received ${got} bytes, CORRUPT from ${firstBad}\n`);
    return 0;
  },
};
