// Test vectors are written as hex strings, as they appear in captures and RFCs.
export function hex(s: string): Uint8Array {
  const clean = s.replace(/\s+/g, '');
  if (clean.length % 2 !== 0 || !/^[0-9a-f]*$/i.test(clean)) throw new Error(`bad hex: ${s}`);
  const out = new Uint8Array(clean.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(clean.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function toHex(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/** The Internet checksum the slow, obvious way, independent of kernel/net/wire/checksum.ts: fold
 * after every addition, over a freshly concatenated byte list. */
export function referenceChecksum(...parts: Uint8Array[]): number {
  const bytes: number[] = [];
  for (const p of parts) for (const b of p) bytes.push(b);
  if (bytes.length % 2 === 1) bytes.push(0);
  let sum = 0;
  for (let i = 0; i < bytes.length; i += 2) {
    sum += bytes[i]! * 256 + bytes[i + 1]!;
    if (sum > 0xffff) sum = (sum % 0x10000) + 1;
  }
  return 0xffff - sum;
}

export function pseudoHeader(src: number, dst: number, protocol: number, length: number): Uint8Array {
  const b = new Uint8Array(12);
  const v = new DataView(b.buffer);
  v.setUint32(0, src);
  v.setUint32(4, dst);
  b[9] = protocol;
  v.setUint16(10, length);
  return b;
}
