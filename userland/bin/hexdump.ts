// hexdump: display file contents in hexadecimal, as util-linux hexdump does: the default format
// ("%07.7_ax " 8/2 "%04x "), -C canonical hex+ASCII ("%08.8_ax  " 8/1 "%02x " "  " 8/1 "%02x "
// "  |" 16/1 "%_p" "|"), and -b -c -d -o -x. As in util-linux: the last item of a group drops its
// trailing space, missing items at the end are padded with spaces, a line equal to the previous
// one becomes "*" (unless -v), and a final line gives the offset just past the data. Files are one
// stream; -s skips and -n limits bytes of it.

import { defineProgram } from '../../kernel/abi/program.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { command, parse } from '../lib/cli.js';
import { parseCount } from '../lib/counts.js';
import { quote, usageError, warn, warnErr } from '../lib/errors.js';
import { closeInput, openInput } from '../lib/fileio.js';
import { guarded, out } from '../lib/guard.js';
import { table } from '../lib/table.js';

const BLOCK = 16;

interface Format {
  /** Width of the offset column (7, or 8 for -C). */
  offsetWidth: number;
  line(block: Uint8Array, offset: number): string;
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');

/** A format of `count` items of `size` bytes each: text before each value, the value, a space. */
function itemFormat(size: 1 | 2, prefix: string, width: number, render: (v: number) => string): Format {
  const count = BLOCK / size;
  return {
    offsetWidth: 7,
    line(block, offset) {
      let s = `${hex(offset, 7)} `;
      for (let i = 0; i < count; i++) {
        const sep = i < count - 1 ? ' ' : '';
        if (i * size >= block.length) {
          s += ' '.repeat(prefix.length + width) + sep;
          continue;
        }
        const v = size === 1 ? block[i]! : block[i * 2]! | ((block[i * 2 + 1] ?? 0) << 8);
        s += prefix + render(v) + sep;
      }
      return `${s}\n`;
    },
  };
}

const C_ESCAPES: Record<number, string> = { 0: '\\0', 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r' };

const FORMATS = table<Format>({
  default: itemFormat(2, '', 4, (v) => hex(v, 4)),
  x: itemFormat(2, '   ', 4, (v) => hex(v, 4)),
  d: itemFormat(2, '  ', 5, (v) => String(v).padStart(5, '0')),
  o: itemFormat(2, ' ', 6, (v) => v.toString(8).padStart(6, '0')),
  b: itemFormat(1, '', 3, (v) => v.toString(8).padStart(3, '0')),
  c: itemFormat(1, '', 3, (v) => (v >= 0x20 && v < 0x7f ? String.fromCharCode(v) : (C_ESCAPES[v] ?? v.toString(8).padStart(3, '0'))).padStart(3)),
  C: {
    offsetWidth: 8,
    line(block, offset) {
      let s = `${hex(offset, 8)}  `;
      for (let i = 0; i < BLOCK; i++) {
        const last = i === 7 || i === 15;
        s += (i < block.length ? hex(block[i]!, 2) : '  ') + (last ? '' : ' ');
        if (i === 7) s += '  ';
      }
      let text = '';
      for (const b of block) text += b >= 0x20 && b < 0x7f ? String.fromCharCode(b) : '.';
      return `${s}  |${text}|\n`;
    },
  },
});

/** The inputs as one stream of blocks. */
class Stream {
  private carry = new Uint8Array(0);
  private fd = -1;
  private index = 0;
  opened = 0;
  failed = false;

  constructor(
    private readonly sys: Sys,
    private readonly files: string[],
  ) {}

  /** Up to `n` bytes; fewer only at the end of the last input. */
  async take(n: number): Promise<Uint8Array> {
    while (this.carry.length < n) {
      const more = await this.read(n - this.carry.length);
      if (more === null) break;
      const joined = new Uint8Array(this.carry.length + more.length);
      joined.set(this.carry);
      joined.set(more, this.carry.length);
      this.carry = joined;
    }
    const got = this.carry.subarray(0, n);
    this.carry = this.carry.subarray(got.length);
    return got;
  }

  private async read(n: number): Promise<Uint8Array | null> {
    for (;;) {
      if (this.fd < 0) {
        if (this.index >= this.files.length) return null;
        const file = this.files[this.index++]!;
        try {
          this.fd = await openInput(this.sys, file);
          this.opened++;
        } catch (e) {
          await warnErr(this.sys, 'hexdump', file, e);
          this.failed = true;
          continue;
        }
      }
      try {
        const chunk = await this.sys.read(this.fd, Math.max(n, 4096));
        if (chunk.length > 0) return chunk;
      } catch (e) {
        await warnErr(this.sys, 'hexdump', this.files[this.index - 1]!, e);
        this.failed = true;
      }
      await closeInput(this.sys, this.fd);
      this.fd = -1;
    }
  }
}

interface Options {
  canonical?: boolean;
  oneByteOctal?: boolean;
  oneByteChar?: boolean;
  twoBytesDecimal?: boolean;
  twoBytesOctal?: boolean;
  twoBytesHex?: boolean;
  length?: string;
  skip?: string;
  noSqueezing?: boolean;
}

const LONG_FORMATS = table<string>({
  '--one-byte-octal': 'b',
  '--one-byte-char': 'c',
  '--canonical': 'C',
  '--two-bytes-decimal': 'd',
  '--two-bytes-octal': 'o',
  '--two-bytes-hex': 'x',
});

export default defineProgram({
  name: 'hexdump',
  summary: 'display file contents in hexadecimal, decimal, octal, or ascii',
  main: guarded('hexdump', async (argv, sys) => {
    const cmd = command('hexdump', 'display the FILEs (standard input by default) in a given format')
      .option('-b, --one-byte-octal', 'one-byte octal display')
      .option('-c, --one-byte-char', 'one-byte character display')
      .option('-C, --canonical', 'canonical hex+ASCII display')
      .option('-d, --two-bytes-decimal', 'two-byte decimal display')
      .option('-o, --two-bytes-octal', 'two-byte octal display')
      .option('-x, --two-bytes-hex', 'two-byte hexadecimal display')
      .option('-n, --length <length>', 'interpret only length bytes of input')
      .option('-s, --skip <offset>', 'skip offset bytes from the beginning')
      .option('-v, --no-squeezing', 'output identical lines')
      .argument('[file...]');
    const r = await parse<Options & { squeezing: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    // Formats apply in the order given, as util-linux adds them: scan the words for them.
    const formats: Format[] = [];
    for (const a of argv.slice(1)) {
      if (a === '--') break;
      if (LONG_FORMATS[a]) formats.push(FORMATS[LONG_FORMATS[a]]!);
      else if (/^-[^-]/.test(a)) {
        for (const f of a.slice(1)) {
          if (f === 'n' || f === 's') break; // the rest of the word is that option's value
          if ('bcCdox'.includes(f)) formats.push(FORMATS[f]!);
        }
      }
    }
    if (formats.length === 0) formats.push(FORMATS.default!);
    let length = Infinity;
    let skip = 0;
    for (const [v, what, set] of [
      [o.length, 'length', (n: number) => (length = n)],
      [o.skip, 'offset', (n: number) => (skip = n)],
    ] as const) {
      if (v === undefined) continue;
      const c = parseCount(v, what);
      if (typeof c === 'string' || c.sign === '-') return usageError(sys, cmd, `failed to parse ${what}: ${quote(v)}`);
      set(c.n);
    }
    const stream = new Stream(sys, r.args.length > 0 ? r.args : ['-']);
    let offset = 0;
    for (let left = skip; left > 0; ) {
      const got = await stream.take(Math.min(left, 65536));
      if (got.length === 0) break;
      left -= got.length;
      offset += got.length;
    }
    let prev: Uint8Array | null = null;
    let squeezed = false;
    let remaining = length;
    for (;;) {
      const block = await stream.take(Math.min(BLOCK, remaining));
      if (block.length === 0) break;
      remaining -= block.length;
      const same = prev !== null && o.squeezing && block.length === BLOCK && prev.length === BLOCK && block.every((b, i) => b === prev![i]);
      if (same) {
        if (!squeezed) await out(sys, '*\n');
        squeezed = true;
      } else {
        squeezed = false;
        await out(sys, formats.map((f) => f.line(block, offset)).join(''));
      }
      prev = block.slice();
      offset += block.length;
      if (block.length < BLOCK) break;
    }
    // The offset just past the data (or past what was skipped), unless there was nothing at all.
    if (offset > 0) {
      const w = formats[formats.length - 1]!.offsetWidth;
      await out(sys, `${hex(offset, w)}\n`);
    }
    if (stream.opened === 0 && stream.failed) {
      await warn(sys, 'hexdump', 'all input file arguments failed');
      return 1;
    }
    return stream.failed ? 1 : 0;
  }),
});
