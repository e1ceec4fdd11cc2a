// Random bytes for programs, from /dev/urandom read a page at a time: the world's seeded generator
// in virtual time, so a scenario's keys, IVs and indices are the same on every run.

import { O_CLOEXEC, O_RDONLY } from '../../kernel/abi/fcntl.js';
import type { Sys } from '../../kernel/abi/syscalls.js';

export class RandomPool {
  private fd = -1;
  private pool = new Uint8Array(0);

  constructor(private readonly sys: Sys) {}

  async ensure(n: number): Promise<void> {
    if (this.pool.length >= n) return;
    if (this.fd < 0) this.fd = await this.sys.open('/dev/urandom', O_RDONLY | O_CLOEXEC);
    const more = await this.sys.read(this.fd, 4096);
    const next = new Uint8Array(this.pool.length + more.length);
    next.set(this.pool);
    next.set(more, this.pool.length);
    this.pool = next;
  }

  /** `n` fresh bytes, reading as many pages as that takes. */
  async bytes(n: number): Promise<Uint8Array> {
    while (this.pool.length < n) {
      const had = this.pool.length;
      await this.ensure(had + 1);
      if (this.pool.length === had) throw new Error('/dev/urandom gave nothing');
    }
    return this.take(n);
  }

  take(n: number): Uint8Array {
    const out = this.pool.slice(0, n);
    this.pool = this.pool.subarray(n);
    return out;
  }

  async close(): Promise<void> {
    if (this.fd >= 0) await this.sys.close(this.fd);
    this.fd = -1;
  }
}
