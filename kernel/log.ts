// The kernel log: a ring buffer of the last lines (what `dmesg` prints), mirrored to
// /var/log/syslog in Haiku's "KERN:" format, and emitted as events for observers.

import type { Kernel } from './kernel.js';

const SYSLOG = '/var/log/syslog';
const SYSLOG_MAX_BYTES = 256 * 1024;

export class KernelLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly capacity: number,
  ) {}

  write(line: string): void {
    const k = this.kernel;
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.shift();
    const vol = k.root.vol;
    const stamp = new Date(Math.floor(k.wallNs() / 1e6)).toISOString().replace('T', ' ').slice(0, 19);
    try {
      vol.appendFileSync(SYSLOG, `${stamp} KERN: ${line}\n`);
      // memfs stamps the file with the host's clock; the kernel clock must have the last word.
      const t = k.wallNs() / 1e9;
      vol.utimesSync(SYSLOG, t, t);
      if (vol.statSync(SYSLOG).size > SYSLOG_MAX_BYTES) {
        // Keep the newer half: the log is bounded like everything else.
        const text = String(vol.readFileSync(SYSLOG, 'utf8'));
        vol.writeFileSync(SYSLOG, text.slice(text.indexOf('\n', text.length / 2) + 1));
      }
    } catch {
      // /var/log removed by a user: the ring buffer still has the line.
    }
    if (k.events.listening('log')) k.events.emit('log', { host: k.name, line, timeNs: k.sched.now() });
  }

  snapshot(): string[] {
    return [...this.lines];
  }
}
