// Two small TCP programs for tests and benchmarks: an echo server and a client that sends a
// counting pattern, half-closes and checks what comes back.

import { isSysError } from '../../kernel/abi/errno.js';
import type { Program } from '../../kernel/abi/program.js';
import { AF_INET, SHUT_WR, SOCK_STREAM, sockaddrIn } from '../../kernel/abi/socket.js';
import type { Sys } from '../../kernel/abi/syscalls.js';

async function say(sys: Sys, s: string): Promise<void> {
  await sys.write(1, s);
}

export const echoServer: Program = {
  name: 'echod',
  summary: '',
  async main(_argv, sys) {
    const ls = await sys.socket(AF_INET, SOCK_STREAM, 0);
    await sys.bind(ls, sockaddrIn('0.0.0.0', 7));
    await sys.listen(ls, 5);
    const { fd, addr } = await sys.accept(ls);
    await say(sys, `accepted ${addr.sin_addr}\n`);
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
    let got = 0;
    let ok = true;
    for (;;) {
      const d = await sys.read(fd, 65536);
      if (d.length === 0) break;
      for (let i = 0; i < d.length; i++) if (d[i] !== ((got + i) & 0xff)) ok = false;
      got += d.length;
    }
    await say(sys, `echoed ${got} ${ok ? 'intact' : 'CORRUPT'}\n`);
    return 0;
  },
};

