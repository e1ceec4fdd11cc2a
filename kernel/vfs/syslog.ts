// /var/log/syslog: the kernel log's lines in Haiku's "KERN:" format, stamped with the kernel's
// wall clock, and bounded like everything else (the newer half is kept when it grows too big).

import type { MemFsRoot } from './memfs-root.js';

const SYSLOG = '/var/log/syslog';
const SYSLOG_MAX_BYTES = 256 * 1024;

export function syslogWriter(root: MemFsRoot, wallNs: () => number): (line: string) => void {
  return (line) => {
    const vol = root.vol;
    const stamp = new Date(Math.floor(wallNs() / 1e6)).toISOString().replace('T', ' ').slice(0, 19);
    try {
      vol.appendFileSync(SYSLOG, `${stamp} KERN: ${line}\n`);
      // memfs stamps the file with the host's clock; the kernel clock must have the last word.
      const t = wallNs() / 1e9;
      vol.utimesSync(SYSLOG, t, t);
      if (vol.statSync(SYSLOG).size > SYSLOG_MAX_BYTES) {
        const text = String(vol.readFileSync(SYSLOG, 'utf8'));
        vol.writeFileSync(SYSLOG, text.slice(text.indexOf('\n', text.length / 2) + 1));
      }
    } catch {
      // /var/log removed by a user: the ring buffer still has the line.
    }
  };
}
