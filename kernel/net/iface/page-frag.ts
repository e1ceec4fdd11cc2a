// Packet memory carved out of shared slabs, as Linux's page_frag_alloc() carves skb heads out of a
// 32 KiB page per CPU (PAGE_FRAG_CACHE_MAX_SIZE); this emulator is one thread, so one cache serves
// every host. A Uint8Array of its own costs V8 a backing-store allocation and external-memory
// accounting (about 0.8 us for a packet here), a view into a slab about a tenth of that.
//
// The price is Linux's too: a slab is freed when the last packet in it is, so a packet kept long
// pins its whole slab. The stack copies what it keeps (socket queues, TCP's receive queue, the
// reassembler), so packets in slabs live as long as one trip through the stack. A slab also holds
// other packets' bytes: a buffer from here never goes to a program as it is (TunFile.take copies,
// into slabs of the reader's own: userFragCopy). Slabs are never reused, so a fragment starts zeroed.

/** Linux's PAGE_FRAG_CACHE_MAX_SIZE. */
export const FRAG_SLAB_SIZE = 32 * 1024;
/** Larger packets get a buffer of their own: a few would fill a slab. */
export const FRAG_MAX = 4096;

/** A slab and how much of it is handed out. */
interface FragCache {
  slab: ArrayBuffer;
  used: number;
}

function carve(cache: FragCache, length: number): Uint8Array {
  if (length > FRAG_MAX) return new Uint8Array(length);
  if (cache.used + length > cache.slab.byteLength) {
    cache.slab = new ArrayBuffer(FRAG_SLAB_SIZE);
    cache.used = 0;
  }
  const out = new Uint8Array(cache.slab, cache.used, length);
  // Aligned starts keep a packet's 32-bit words aligned for the checksum's fast path.
  cache.used = (cache.used + length + 7) & ~7;
  return out;
}

const kernelCache: FragCache = { slab: new ArrayBuffer(0), used: 0 };

/** A zeroed buffer of `length` bytes in the kernel's current slab, 8-byte aligned. */
export function fragAlloc(length: number): Uint8Array {
  return carve(kernelCache, length);
}

/** Each reader's own slabs (see userFragCopy), dropped with the reader. */
const userCaches = new WeakMap<object, FragCache>();

/**
 * copy_to_user: a program's copy of a packet, in memory of the program's own, carved the same way
 * from slabs of its reader's (a task's) own: what shares a slab with it is what that same task read
 * before, never a packet of the kernel's or of another program.
 */
export function userFragCopy(reader: object, data: Uint8Array): Uint8Array {
  let cache = userCaches.get(reader);
  if (!cache) userCaches.set(reader, (cache = { slab: new ArrayBuffer(0), used: 0 }));
  const out = carve(cache, data.length);
  out.set(data);
  return out;
}

/** The kernel's copy of data[from..], in a fragment. */
export function fragCopy(data: Uint8Array, from = 0): Uint8Array {
  const out = fragAlloc(data.length - from);
  out.set(from === 0 ? data : data.subarray(from));
  return out;
}
