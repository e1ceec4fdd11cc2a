// Packet memory carved out of shared slabs, as Linux's page_frag_alloc() carves skb heads out of a
// 32 KiB page of a per-CPU cache (PAGE_FRAG_CACHE_MAX_SIZE); here each host's stack keeps one. A
// Uint8Array of its own costs V8 a backing-store allocation and external-memory accounting (about
// 0.8 us for a packet here), a view into a slab about a tenth of that. A slab is made on first use,
// so a host that never carves a packet holds none.
//
// The price is Linux's too: a slab is freed when the last packet in it is, so a packet kept long
// pins its whole slab. The stack copies what it keeps (socket queues, TCP's receive queue, the
// reassembler), so packets in slabs live as long as one trip through the stack. A slab also holds
// other packets' bytes: a buffer from here never goes to a program as it is (TunFile.take copies,
// into slabs of the reader's own: copyToUser). Slabs are never reused, so a fragment starts zeroed.

/** Linux's PAGE_FRAG_CACHE_MAX_SIZE. */
export const FRAG_SLAB_SIZE = 32 * 1024;
/** Larger packets get a buffer of their own: a few would fill a slab. */
export const FRAG_MAX = 4096;

/** A slab and how much of it is handed out. */
class FragCache {
  private slab = new ArrayBuffer(0);
  private used = 0;

  /** A zeroed buffer of `length` bytes, 8-byte aligned. */
  carve(length: number): Uint8Array {
    if (length > FRAG_MAX) return new Uint8Array(length);
    if (this.used + length > this.slab.byteLength) {
      this.slab = new ArrayBuffer(FRAG_SLAB_SIZE);
      this.used = 0;
    }
    const out = new Uint8Array(this.slab, this.used, length);
    // Aligned starts keep a packet's 32-bit words aligned for the checksum's fast path.
    this.used = (this.used + length + 7) & ~7;
    return out;
  }
}

/** One stack's packet memory: the kernel's slab, and each reader's own. */
export class PageFrags {
  private readonly kernel = new FragCache();
  /** Each reader's own slabs (see copyToUser), dropped with the reader. */
  private readonly readers = new WeakMap<object, FragCache>();

  /** A zeroed buffer of `length` bytes in the kernel's current slab, 8-byte aligned. */
  readonly alloc = (length: number): Uint8Array => this.kernel.carve(length);

  /** The kernel's copy of data[from..], in a fragment. */
  copy(data: Uint8Array, from = 0): Uint8Array {
    const out = this.kernel.carve(data.length - from);
    out.set(from === 0 ? data : data.subarray(from));
    return out;
  }

  /**
   * copy_to_user: a program's copy of a packet, in memory of the program's own, carved the same way
   * from slabs of its reader's (a task's) own: what shares a slab with it is what that same task read
   * before, never a packet of the kernel's or of another program.
   */
  copyToUser(reader: object, data: Uint8Array): Uint8Array {
    let cache = this.readers.get(reader);
    if (!cache) this.readers.set(reader, (cache = new FragCache()));
    const out = cache.carve(data.length);
    out.set(data);
    return out;
  }
}
