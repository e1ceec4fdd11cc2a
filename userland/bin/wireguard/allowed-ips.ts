// Cryptokey routing (the whitepaper's section 2): each allowed-ip prefix belongs to one peer. A
// packet from the tun goes to the peer whose prefix is the longest to hold its destination; a packet
// out of the tunnel is accepted only if the longest prefix holding its source is its sender's.
// A prefix is stored masked (10.0.0.5/24 is 10.0.0.0/24, as wireguard-go's trie keeps it) and adding
// one that another peer has moves it. IPv6 prefixes are kept and shown, though the stack is IPv4.

import type { Prefix } from '../../lib/wireguard/prefix.js';

function contains(p: Prefix, addr: Uint8Array): boolean {
  if (p.addr.length !== addr.length) return false;
  for (let i = 0; i < addr.length; i++) {
    const keep = Math.max(0, Math.min(8, p.bits - i * 8));
    if (keep === 0) return true;
    const m = (0xff << (8 - keep)) & 0xff;
    if ((addr[i]! & m) !== p.addr[i]) return false;
  }
  return true;
}

const keyOf = (p: Prefix) => `${p.addr.join('.')}/${p.bits}`;

export class AllowedIps<P> {
  /** Longest prefix first, so the first that holds an address is the match. */
  private entries: Array<{ prefix: Prefix; peer: P; seq: number }> = [];
  private seq = 0;

  /** Give `prefix` to `peer` (taking it from whoever had it). */
  insert(prefix: Prefix, peer: P): void {
    const key = keyOf(prefix);
    this.entries = this.entries.filter((e) => keyOf(e.prefix) !== key);
    const at = this.entries.findIndex((e) => e.prefix.bits < prefix.bits);
    this.entries.splice(at < 0 ? this.entries.length : at, 0, { prefix, peer, seq: this.seq++ });
  }

  removeByPeer(peer: P): void {
    this.entries = this.entries.filter((e) => e.peer !== peer);
  }

  /** The peer whose longest prefix holds `addr` (4 or 16 bytes), if any. */
  lookup(addr: Uint8Array): P | undefined {
    for (const e of this.entries) if (contains(e.prefix, addr)) return e.peer;
    return undefined;
  }

  /** A peer's prefixes in the order they were given to it, as wireguard-go lists a peer's entries. */
  prefixesOf(peer: P): Prefix[] {
    return this.entries
      .filter((e) => e.peer === peer)
      .sort((a, b) => a.seq - b.seq)
      .map((e) => e.prefix);
  }
}
