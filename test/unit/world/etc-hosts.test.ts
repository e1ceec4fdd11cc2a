// A session writes /etc/hosts on every host (bin/session.ts) as kernel setup that waits for the
// host's file system to be used: hosts a script never reaches cost no volume at start, and the
// file, when looked at, is the one written at start (same text, same time).

import { afterEach, describe, expect, it } from 'vitest';
import { Session } from '../../../bin/session.js';
import type { Kernel } from '../../../kernel/kernel.js';

const ROOT = { uid: 0, gid: 0 };
let session: Session | null = null;

afterEach(() => {
  session?.close();
  session = null;
});

function hostsFile(k: Kernel) {
  return { text: String(k.root.vol.readFileSync('/etc/hosts', 'utf8')), mtime: k.root.stat('etc/hosts', true, ROOT).st_mtime_ns };
}

describe('/etc/hosts of a session', () => {
  it('is written on a host only once its file system is used, as it would have been at start', async () => {
    session = await Session.create({ clock: 'virtual' });
    const w = session.world;
    const router = w.mustHost('router');
    const intranet = w.mustHost('intranet');
    // The default world's boot runs on vpn; haiku has files from the world file: neither waits.
    expect(w.mustHost('haiku').root.made).toBe(true);
    expect(w.mustHost('vpn').root.made).toBe(true);
    expect(router.root.made).toBe(false);
    expect(intranet.root.made).toBe(false);
    await w.run({ until: () => false, timeLimitNs: w.sched.now() + 5e9 });
    const haiku = hostsFile(w.mustHost('haiku'));
    expect(haiku.text).toBe('127.0.0.1\tlocalhost\n192.168.1.10\thaiku\n192.168.1.1\trouter\n64.233.160.1\tvpn\n10.10.0.10\tintranet\n');
    expect(hostsFile(router)).toEqual(haiku);
    expect(hostsFile(intranet)).toEqual(haiku);
  });
});
