// Why a packet was rejected. Malformed input is an ordinary event on a network (a peer's bug, a
// fuzzer, a truncated capture), so it travels as a value the caller inspects and may log or show in
// tcpdump, never as an exception: an exception from deep inside a parser would escape as a stack
// trace to whoever sent the bytes. That is also why this does not extend Error (no stack capture,
// cheap to allocate on the hot path, and nobody is tempted to throw it).

export class WireError {
  constructor(readonly reason: string) {}

  toString(): string {
    return this.reason;
  }
}

export function isWireError(x: unknown): x is WireError {
  return x instanceof WireError;
}

/** What every Repr.parse accepts: `{ checksum: false }` skips checksum verification (offloaded or
 * deliberately unset checksums, as a capture or a test may carry). */
export interface ParseOptions {
  checksum?: boolean;
}
