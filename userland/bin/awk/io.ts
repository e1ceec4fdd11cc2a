// awk's input and output streams: records read with RS (a newline, one character, "" for
// paragraphs, or a regular expression), files and pipes opened by name for print > >> | and
// getline < and cmd | getline, closed with close(). Commands run as sh -c through spawn.

import { O_APPEND, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../../../kernel/abi/wait.js';
import { out } from '../../lib/guard.js';
import { writeAll } from '../../lib/io.js';
import { readChunk } from '../../lib/readers.js';
import { awkRegex } from './values.js';

export class RecordReader {
  private buf = '';
  private eof = false;
  private readonly dec = new TextDecoder();

  constructor(
    private readonly sys: Sys,
    readonly fd: number,
  ) {}

  private async fill(): Promise<boolean> {
    if (this.eof) return false;
    const chunk = await readChunk(this.sys, this.fd);
    if (chunk.length === 0) {
      this.eof = true;
      this.buf += this.dec.decode();
      return false;
    }
    this.buf += this.dec.decode(chunk, { stream: true });
    return true;
  }

  /** The next record without its terminator, or null at end of input. */
  async next(rs: string): Promise<string | null> {
    if (rs === '') return this.paragraph();
    for (;;) {
      let at = -1;
      let len = 1;
      if (rs.length === 1) at = this.buf.indexOf(rs);
      else {
        const m = new RegExp(awkRegex(rs).source).exec(this.buf);
        // A match at the very end may grow with more input.
        if (m && m[0].length > 0 && (this.eof || m.index + m[0].length < this.buf.length)) {
          at = m.index;
          len = m[0].length;
        }
      }
      if (at >= 0) {
        const rec = this.buf.slice(0, at);
        this.buf = this.buf.slice(at + len);
        return rec;
      }
      if (!(await this.fill())) {
        if (this.buf === '') return null;
        const rec = this.buf;
        this.buf = '';
        return rec;
      }
    }
  }

  /** RS = "": records are separated by blank lines; leading newlines are skipped. */
  private async paragraph(): Promise<string | null> {
    for (;;) {
      this.buf = this.buf.replace(/^\n+/, '');
      const m = /\n\n+/.exec(this.buf);
      if (m && (this.eof || m.index + m[0].length < this.buf.length)) {
        const rec = this.buf.slice(0, m.index);
        this.buf = this.buf.slice(m.index + m[0].length);
        return rec;
      }
      if (!(await this.fill())) {
        const rec = this.buf.replace(/\n+$/, '');
        this.buf = '';
        return rec === '' ? null : rec;
      }
    }
  }
}

interface OutStream {
  fd: number;
  pid?: number;
}

interface InStream {
  reader: RecordReader;
  pid?: number;
}

/** The named streams of a running program. */
export class Streams {
  private readonly outs = new Map<string, OutStream>();
  private readonly ins = new Map<string, InStream>();

  constructor(private readonly sys: Sys) {}

  async write(kind: string, name: string, text: string): Promise<void> {
    if (name === '/dev/stdout' || name === '-') return out(this.sys, text);
    if (name === '/dev/stderr') return writeAll(this.sys, 2, text);
    let s = this.outs.get(name);
    if (!s) {
      if (kind === '|') {
        const [r, w] = await this.sys.pipe();
        const pid = await this.sys.spawn('/bin/sh', ['sh', '-c', name], { fds: [r, 1, 2] });
        await this.sys.close(r);
        s = { fd: w, pid };
      } else {
        s = { fd: await this.sys.open(name, O_WRONLY | O_CREAT | (kind === '>>' ? O_APPEND : O_TRUNC), 0o666) };
      }
      this.outs.set(name, s);
    }
    await writeAll(this.sys, s.fd, text);
  }

  /** The reader for getline < file (kind '<') or cmd | getline (kind '|'). */
  async reader(kind: '<' | '|', name: string): Promise<RecordReader> {
    let s = this.ins.get(name);
    if (!s) {
      if (kind === '|') {
        const [r, w] = await this.sys.pipe();
        const pid = await this.sys.spawn('/bin/sh', ['sh', '-c', name], { fds: [0, w, 2] });
        await this.sys.close(w);
        s = { reader: new RecordReader(this.sys, r), pid };
      } else {
        s = { reader: new RecordReader(this.sys, name === '-' || name === '/dev/stdin' ? 0 : await this.sys.open(name, O_RDONLY)) };
      }
      this.ins.set(name, s);
    }
    return s.reader;
  }

  /** close(name): the command's exit status for a pipe, 0 for a file, -1 when nothing was open. */
  async close(name: string): Promise<number> {
    let status = -1;
    const o = this.outs.get(name);
    if (o) {
      this.outs.delete(name);
      await this.sys.close(o.fd);
      status = o.pid !== undefined ? await this.wait(o.pid) : 0;
    }
    const i = this.ins.get(name);
    if (i) {
      this.ins.delete(name);
      if (i.reader.fd > 2) await this.sys.close(i.reader.fd);
      status = i.pid !== undefined ? await this.wait(i.pid) : 0;
    }
    return status;
  }

  async closeAll(): Promise<void> {
    for (const name of [...this.outs.keys(), ...this.ins.keys()]) await this.close(name);
  }

  async wait(pid: number): Promise<number> {
    const { status } = await this.sys.waitpid(pid);
    return WIFSIGNALED(status) ? 256 + WTERMSIG(status) : WEXITSTATUS(status);
  }
}
