// A small seeded generator (sfc32) for everything random in a world: MAC addresses, IP ids, packet
// loss, /dev/random in virtual time. One seed, one run: the same bytes every time.

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number | string) {
    const h = typeof seed === 'number' ? seed >>> 0 : hashString(seed);
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = h;
    for (let i = 0; i < 15; i++) this.nextU32();
  }

  /** A generator for a named sub-stream, independent of how much this one has been used. */
  fork(name: string): Random {
    return new Random(`${this.d}:${this.a}:${name}`);
  }

  nextU32(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /**
   * `n` bytes: each nextU32() in turn, least significant byte first. One loop over words with the
   * state in locals: a page for /dev/urandom (4096 bytes) is 1024 rounds, which as nextU32() calls
   * made V8 compile the loop on the stack (OSR) at the first read of every start, 6-13 ms of it.
   */
  bytes(n: number): Uint8Array {
    const words = new Uint32Array(Math.ceil(n / 4));
    let { a, b, c, d } = this;
    for (let i = 0; i < words.length; i++) {
      const t = (((a + b) | 0) + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (c << 21) | (c >>> 11);
      c = (c + t) | 0;
      words[i] = t;
    }
    this.a = a;
    this.b = b;
    this.c = c;
    this.d = d;
    const all = new Uint8Array(words.buffer);
    if (!LITTLE_ENDIAN) for (let i = 0; i < all.length; i += 4) all.subarray(i, i + 4).reverse();
    return n === all.length ? all : all.slice(0, n);
  }
}

/** Whether a Uint32Array's bytes are least significant first, as bytes() hands them out. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

export function hashString(s: string): number {
  // FNV-1a, enough to spread seeds.
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
