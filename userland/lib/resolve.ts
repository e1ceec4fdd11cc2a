// Name resolution as a libc without DNS does it: dotted quads, or names from /etc/hosts (which a
// world fills with its hosts).

import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { parseIpv4 } from '../../kernel/abi/wire/index.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { readText } from './io.js';

export async function resolveHost(sys: Sys, name: string): Promise<number | null> {
  return parseIpv4(name) ?? (await hostsTable(sys)).get(name) ?? null;
}

/** Every name of /etc/hosts with its IPv4 address (the first line naming it wins); empty if unreadable. */
export async function hostsTable(sys: Sys): Promise<Map<string, number>> {
  const table = new Map<string, number>();
  let text: string;
  try {
    const fd = await sys.open('/etc/hosts', O_RDONLY);
    text = await readText(sys, fd);
    await sys.close(fd);
  } catch {
    return table;
  }
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    const a = fields.length >= 2 ? parseIpv4(fields[0]!) : null;
    if (a === null) continue;
    for (const name of fields.slice(1)) if (!table.has(name)) table.set(name, a);
  }
  return table;
}
