// Bytes as `hexdump -C` shows them: offset, sixteen hex bytes in two groups, the printable text.

export function hexdumpCanonical(data: Uint8Array, offset = 0): string {
  let out = '';
  for (let i = 0; i < data.length; i += 16) {
    const row = data.subarray(i, i + 16);
    let hex = '';
    for (let j = 0; j < 16; j++) {
      hex += j < row.length ? row[j]!.toString(16).padStart(2, '0') + ' ' : '   ';
      if (j === 7) hex += ' ';
    }
    let text = '';
    for (const b of row) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
    out += `${(offset + i).toString(16).padStart(8, '0')}  ${hex} |${text}|\n`;
  }
  return out + `${(offset + data.length).toString(16).padStart(8, '0')}\n`;
}
