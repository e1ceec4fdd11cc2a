// tunlab --pcap FILE|-: the world-wide capture, every interface of every host, written as pcapng
// while the session runs (so `tunlab --pcap - ... | wireshark -k -i -` works; a FIFO works too).
// Each interface gets its block when it first carries a frame (its name, its host as the
// description, Ethernet or raw IP), each frame its direction and its journey id as a comment. It
// listens to the world's packet events at the interface layer: the same frames tcpdump sees.
//
// Bounded: when the reader falls more than MAX_BUFFERED bytes behind, frames are dropped and
// counted, and the count is reported at the end; a reader that goes away (EPIPE) ends the capture.
// The file is opened before the session starts, as tcpdump -w does: a path that cannot be written
// is an error at once (openCapture throws); one that fails later is reported at the end (`failure`).

import * as fs from 'node:fs';
import type { World } from '../kernel/world/world.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW, DEFAULT_SNAPLEN } from '../userland/lib/pcap.js';
import { PcapngWriter } from '../userland/lib/pcapng.js';
import { errnoText } from './script.js';

const MAX_BUFFERED = 16 * 1024 * 1024;

export class WorldCapture {
  private readonly writer = new PcapngWriter();
  private readonly ids = new Map<string, number>();
  private readonly stream: NodeJS.WritableStream & { writableLength: number };
  private readonly stop: () => void;
  private broken = false;
  /** Why writing failed, other than the reader going away (EPIPE): reported, and the exit status says so. */
  failure: string | null = null;
  written = 0;
  dropped = 0;

  constructor(
    private readonly world: World,
    readonly target: string,
  ) {
    // Opened now, synchronously: ENOENT, EACCES, EISDIR ... throw to the caller before anything runs.
    this.stream = target === '-' ? process.stdout : fs.createWriteStream(target, { fd: fs.openSync(target, 'w') });
    this.stream.on('error', (e: NodeJS.ErrnoException) => {
      // The reader went away (EPIPE) or the file cannot be written: the capture ends, the session goes on.
      this.broken = true;
      if (e.code !== 'EPIPE') this.failure ??= errnoText(e);
    });
    this.put(this.writer.header());
    this.stop = world.events.on('packet', (e) => {
      if (e.layer !== 'nic' || (e.dir !== 'in' && e.dir !== 'out') || this.broken) return;
      if (this.stream.writableLength > MAX_BUFFERED) {
        this.dropped++;
        return;
      }
      const key = `${e.host}\0${e.where}`;
      let id = this.ids.get(key);
      if (id === undefined) {
        const idb = this.writer.addInterface({ linkType: e.link === 'ether' ? LINKTYPE_ETHERNET : LINKTYPE_RAW, snaplen: DEFAULT_SNAPLEN, name: e.where, description: e.host });
        this.ids.set(key, (id = idb.id));
        this.put(idb.block);
      }
      const tsNs = this.world.sched.clock.wallNsExact();
      this.put(this.writer.packet({ interfaceId: id, timestampNs: tsNs, data: e.bytes, origLen: e.bytes.length, direction: e.dir, comment: `journey ${e.id}` }));
      this.written++;
    });
  }

  private put(bytes: Uint8Array): void {
    if (!this.broken) this.stream.write(bytes);
  }

  /** Stop listening and let everything written reach the file or the pipe. */
  async close(): Promise<void> {
    this.stop();
    if (this.target === '-' || this.broken) return;
    await new Promise<void>((resolve) => this.stream.end(() => resolve()));
  }
}
