// /var/log/syslog: the kernel log's lines in Haiku's "KERN:" format, stamped with the kernel's
// wall clock, and bounded like everything else (the newer half is kept when it grows too big).

import type { MemFsRoot } from './memfs-root.js';

const SYSLOG = '/var/log/syslog';
const SYSLOG_MAX_BYTES = 256 * 1024;

export function syslogWriter(root: MemFsRoot, wallNs: () => number): (line: string) => void {
  return (line) => {
    const now = wallNs();
    const stamp = new Date(Math.floor(now / 1e6)).toISOString().replace('T', ' ').slice(0, 19);
    // Written when the root is first used, if it has not been yet (MemFsRoot.later): with the
    // time taken now.
    root.later(() => append(root, `${stamp} KERN: ${line}\n`, now / 1e9));
  };
}

function append(root: MemFsRoot, text: string, t: number): void {
  const vol = root.vol;
  try {
    vol.appendFileSync(SYSLOG, text);
    // memfs stamps the file with the host's clock; the kernel clock must have the last word.
    vol.utimesSync(SYSLOG, t, t);
    if (vol.statSync(SYSLOG).size > SYSLOG_MAX_BYTES) {
      const old = String(vol.readFileSync(SYSLOG, 'utf8'));
      vol.writeFileSync(SYSLOG, old.slice(old.indexOf('\n', old.length / 2) + 1));
    }
  } catch {
    // /var/log removed by a user: the ring buffer still has the line.
  }
}
