// A host's root file system and its /proc table are made when first used (MemFsRoot.later,
// TableFs.addLater): two hosts booted alike, one looked at right away and one only later, must
// show the same tree, inode for inode and timestamp for timestamp, syslog lines included.

import { describe, expect, it } from 'vitest';
import type { Kernel } from '../../../kernel/kernel.js';
import type { Credentials } from '../../../kernel/vfs/filesystem.js';
import { testWorld } from '../../helpers/world.js';

const ROOT: Credentials = { uid: 0, gid: 0 };

/** Every path under the root with its stat, and every regular file's text. */
function tree(k: Kernel): unknown[] {
  const out: unknown[] = [];
  const walk = (rel: string) => {
    const st = k.root.stat(rel, false, ROOT);
    const entry: Record<string, unknown> = { rel, ...st };
    if ((st.st_mode & 0o170000) === 0o100000) entry['text'] = String(k.root.vol.readFileSync('/' + rel, 'utf8'));
    out.push(entry);
    if ((st.st_mode & 0o170000) === 0o040000) {
      for (const d of k.root.readdir(rel, ROOT)) {
        if (d.d_name === '.' || d.d_name === '..') continue;
        walk(rel === '' ? d.d_name : `${rel}/${d.d_name}`);
      }
    }
  };
  walk('');
  return out;
}

describe('a root file system made when first used', () => {
  it('is the tree a root made at boot would be, syslog lines and their times included', async () => {
    const w = testWorld([], {}, ['early', 'later']);
    const a = w.mustHost('early');
    const b = w.mustHost('later');
    a.root.vol; // a's volume is made now; b's when first looked at
    for (const k of [a, b]) k.log.write('first line');
    await w.run({ until: () => false, timeLimitNs: 5e9 });
    w.sched.at(w.sched.now() + 3e9, () => {
      for (const k of [a, b]) k.log.write('another line');
    });
    await w.run({ until: () => false, timeLimitNs: 10e9 });
    const ta = tree(a);
    const tb = tree(b);
    // The host name is in /etc/hostname and the motd: the one difference there is to allow.
    expect(JSON.parse(JSON.stringify(tb).replaceAll("later", "early"))).toEqual(ta);
    expect(ta.length).toBeGreaterThan(15);
    expect(String(b.root.vol.readFileSync('/var/log/syslog', 'utf8'))).toMatch(/KERN: first line\n.*KERN: another line\n$/s);
  });

  it('gives /proc the inodes it would have had at boot', () => {
    const w = testWorld([], {}, ['a', 'b']);
    const a = w.mustHost('a');
    const b = w.mustHost('b');
    a.procfs.stat('sys');
    const paths = ['sys', 'sys/net/ipv4/tcp_rmem', 'sys/net/ipv4/tcp_congestion_control'];
    expect(paths.map((p) => b.procfs.stat(p).st_ino)).toEqual(paths.map((p) => a.procfs.stat(p).st_ino));
  });
});
