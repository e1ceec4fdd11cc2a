// Two small TCP programs for tests and benchmarks: an echo server and a client that sends a
// counting pattern, half-closes and checks what comes back.

import { isSysError } from '../../kernel/abi/errno.js';
import type { Program } from '../../kernel/abi/program.js';
import { AF_INET, SHUT_WR, SOCK_STREAM, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';

async function say(sys: Sys, s: string): Promise<void> {
  await sys.write(1, s);
}

/** Read `fd` to its end, checking each byte against `expected(offset)`. */
async function readChecked(sys: Sys, fd: number, expected: (offset: number) => number): Promise<{ got: number; firstBad: number }> {
  let got = 0;
  let firstBad = -1;
  for (;;) {
    const d = await sys.read(fd, 262144);
    if (d.length === 0) break;
    if (firstBad < 0)
      for (let i = 0; i < d.length; i++)
        if (d[i] !== expected(got + i)) {
          firstBad = got + i;
          break;
        }
    got += d.length;
  }
  return { got, firstBad };
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
    const { got, firstBad } = await readChecked(sys, fd, (i) => i & 0xff);
    await say(sys, `echoed ${got} ${firstBad < 0 ? 'intact' : 'CORRUPT'}\n`);
    return 0;
  },
};


/** The byte at stream offset i: not periodic at any segment size, so a misplaced segment shows. */
export function patternByte(i: number): number {
  return (Math.imul(i, 2654435761) >>> 24) ^ (i >>> 16);
}

function fill(buf: Uint8Array, at: number): void {
  for (let i = 0; i < buf.length; i++) buf[i] = patternByte(at + i) & 0xff;
}

/** `tcpsource HOST PORT BYTES`: connect, send BYTES of the pattern in 64 KiB writes, close. */
export const tcpSource: Program = {
  name: 'tcpsource',
  summary: '',
  async main(argv, sys) {
    const fd = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.connect(fd, sockaddrIn(argv[1]!, Number(argv[2])));
    const total = Number(argv[3]);
    const buf = new Uint8Array(65536);
    for (let at = 0; at < total; ) {
      const n = Math.min(buf.length, total - at);
      fill(buf.subarray(0, n), at);
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
    const { got, firstBad } = await readChecked(sys, fd, (i) => patternByte(i) & 0xff);
    await say(sys, firstBad < 0 ? `received ${got} bytes intact\n` : `received ${got} bytes, CORRUPT from ${firstBad}\n`);
    return 0;
  },
};
