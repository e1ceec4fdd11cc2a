// The receive counter's sliding window (RFC 6479's ring of bitmap blocks, as wireguard-go's
// replay/replay.go): 128 blocks of 64 bits, one of which is always being cleared, so a counter up to
// 8128 behind the newest is still accepted once, and anything older or seen is refused. Moving
// forward clears whole blocks, never bit by bit, so a jump costs at most one pass over the ring.

const BLOCK_BITS_LOG = 6n;
const BLOCK_BITS = 1n << BLOCK_BITS_LOG;
const RING_BLOCKS = 128n;
export const REPLAY_WINDOW = Number((RING_BLOCKS - 1n) * BLOCK_BITS);

export class ReplayFilter {
  private last = 0n;
  private readonly ring = new BigUint64Array(Number(RING_BLOCKS));

  reset(): void {
    this.last = 0n;
    this.ring.fill(0n);
  }

  /** Whether `counter` (below `limit`) is new; if it is, it is marked as seen. */
  validate(counter: bigint, limit: bigint): boolean {
    if (counter >= limit) return false;
    let indexBlock = counter >> BLOCK_BITS_LOG;
    if (counter > this.last) {
      const current = this.last >> BLOCK_BITS_LOG;
      let diff = indexBlock - current;
      if (diff > RING_BLOCKS) diff = RING_BLOCKS;
      for (let i = current + 1n; i <= current + diff; i++) this.ring[Number(i & (RING_BLOCKS - 1n))] = 0n;
      this.last = counter;
    } else if (this.last - counter > BigInt(REPLAY_WINDOW)) return false;
    indexBlock &= RING_BLOCKS - 1n;
    const bit = 1n << (counter & (BLOCK_BITS - 1n));
    const old = this.ring[Number(indexBlock)]!;
    if (old & bit) return false;
    this.ring[Number(indexBlock)] = old | bit;
    return true;
  }
}
