// Initial sequence numbers and timestamp offsets, as Linux makes them (secure_tcp_seq,
// secure_tcp_ts_off): a keyed hash of the 4-tuple, so that each connection starts somewhere
// unpredictable, plus, for the ISN, a clock ticking every 64 ns (RFC 6528). The keys come from the
// world's seeded generator: a run is the same every time, two hosts differ.

function mix(h: number, v: number): number {
  // A 32-bit avalanche of each word in turn (murmur3's finaliser around a multiply-add).
  let x = (h ^ v) >>> 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b) >>> 0;
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

export class SequenceKeys {
  private readonly isnKey: number[];
  private readonly tsKey: number[];

  constructor(random: () => number) {
    const word = () => Math.floor(random() * 0x1_0000_0000) >>> 0;
    this.isnKey = [word(), word(), word(), word()];
    this.tsKey = [word(), word(), word(), word()];
  }

  private hash(key: number[], saddr: number, daddr: number, sport: number, dport: number): number {
    let h = key[0]!;
    h = mix(h, saddr ^ key[1]!);
    h = mix(h, daddr ^ key[2]!);
    h = mix(h, ((sport << 16) | dport) ^ key[3]!);
    return h;
  }

  /** secure_tcp_seq: hash + ns/64 of the real-time clock. */
  isn(saddr: number, daddr: number, sport: number, dport: number, wallNs: number): number {
    return (this.hash(this.isnKey, saddr, daddr, sport, dport) + Math.floor(wallNs / 64)) >>> 0;
  }

  /** The per-connection offset of TSval (secure_tcp_ts_off). */
  tsOffset(saddr: number, daddr: number, sport: number, dport: number): number {
    return this.hash(this.tsKey, saddr, daddr, sport, dport);
  }

  /** A SYN cookie's keyed hash of the 4-tuple, the minute counter and the peer's ISN. */
  cookieHash(saddr: number, daddr: number, sport: number, dport: number, count: number, peerIsn: number): number {
    let h = this.hash(this.isnKey, saddr, daddr, sport, dport);
    h = mix(h, count ^ this.tsKey[0]!);
    return mix(h, peerIsn ^ this.tsKey[1]!);
  }
}
