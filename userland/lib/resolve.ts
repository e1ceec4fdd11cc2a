// Name resolution as a libc without DNS does it: dotted quads, or names from /etc/hosts (which a
// world fills with its hosts).

import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { parseIpv4 } from '../../kernel/abi/packets.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { readText } from './io.js';

export async function resolveHost(sys: Sys, name: string): Promise<number | null> {
  const direct = parseIpv4(name);
  if (direct !== null) return direct;
  let text: string;
  try {
    const fd = await sys.open('/etc/hosts', O_RDONLY);
    text = await readText(sys, fd);
    await sys.close(fd);
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length >= 2 && fields.slice(1).includes(name)) {
      const a = parseIpv4(fields[0]!);
      if (a !== null) return a;
    }
  }
  return null;
}
