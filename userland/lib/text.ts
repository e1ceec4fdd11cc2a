// Showing bytes from the network as text, without letting control characters loose on a terminal.

export function printable(data: Uint8Array, max = 200): string {
  let s = '';
  for (let i = 0; i < Math.min(data.length, max); i++) {
    const b = data[i]!;
    s += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : b === 0x0a ? '\\n' : `\\x${b.toString(16).padStart(2, '0')}`;
  }
  return data.length > max ? `${s}...` : s;
}
