// The client's DNS while the tunnel is up. A real OpenVPN on Linux leaves this to an --up/--down
// script, mostly Debian's /etc/openvpn/update-resolv-conf (through resolvconf); tunlab runs no
// scripts, so the client does that script's work itself: the `dhcp-option DNS a.b.c.d`,
// `DOMAIN x` and `DOMAIN-SEARCH x` it has (its own, then the pushed ones unless --route-nopull)
// become the `nameserver` and `search` lines of /etc/resolv.conf, the file that was there is kept
// aside and put back (or the new one removed, if there was none) when the tun closes.
//
// Logged at verb 3: each option, as update-resolv-conf echoes it into OpenVPN's log, then one line
// saying what was written where, and on close what was put back.

import { isSysError, strerror } from '../../../kernel/abi/errno.js';
import { O_CLOEXEC, O_CREAT, O_RDONLY, O_TRUNC, O_WRONLY } from '../../../kernel/abi/fcntl.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { parseIpv4 } from '../../../kernel/abi/wire/index.js';
import { mkdirAll } from '../../lib/fileio.js';
import { readAll, writeAll } from '../../lib/io.js';
import { D_ROUTE, type Logger, M_WARN } from './log.js';

export const RESOLV_CONF = '/etc/resolv.conf';

/** M_ERR's "strerror (errno=N)" (device.ts has the same for the tun; this file sits below it). */
function why(e: unknown): string {
  if (!isSysError(e)) throw e;
  return `${strerror(e.errno)} (errno=${e.code})`;
}
const BACKUP_DIR = '/var/run/openvpn';

/** What was changed, to undo when the tun closes. */
export interface ResolvChange {
  /** Where the previous /etc/resolv.conf is kept, or null when there was none. */
  readonly backup: string | null;
}

/** The nameserver and search entries of a list of dhcp-options, in their order, each once. */
export function resolvEntries(options: readonly (readonly [string, string])[]): { servers: string[]; search: string[] } {
  const servers: string[] = [];
  const search: string[] = [];
  for (const [type, value] of options) {
    const list = type === 'DNS' ? servers : type === 'DOMAIN' || type === 'DOMAIN-SEARCH' ? search : null;
    if (list && value !== '' && !list.includes(value)) list.push(value);
  }
  return { servers, search };
}

/** The file resolvconf writes for one interface: nameservers, then one search line. */
export function resolvText(servers: readonly string[], search: readonly string[]): string {
  return servers.map((s) => `nameserver ${s}\n`).join('') + (search.length ? `search ${search.join(' ')}\n` : '');
}

async function readFile(sys: Sys, path: string): Promise<Uint8Array | null> {
  try {
    const fd = await sys.open(path, O_RDONLY | O_CLOEXEC);
    try {
      return await readAll(sys, fd, 1 << 20);
    } finally {
      await sys.close(fd);
    }
  } catch (e) {
    if (!isSysError(e, 'ENOENT')) throw e;
    return null;
  }
}

async function writeFile(sys: Sys, path: string, data: Uint8Array | string): Promise<void> {
  const fd = await sys.open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644);
  try {
    await writeAll(sys, fd, data);
  } finally {
    await sys.close(fd);
  }
}

/**
 * Point the resolver at the tunnel's servers, as the up script does once the tun is configured
 * (with --persist-tun, once for the tun's life). Returns what to undo, or null.
 */
export async function applyResolv(sys: Sys, log: Logger, iface: string, options: readonly (readonly [string, string])[]): Promise<ResolvChange | null> {
  for (const [type, value] of options) await log.msg(D_ROUTE, `dhcp-option ${type}${value ? ` ${value}` : ''}`);
  const { servers: all, search } = resolvEntries(options);
  const servers = all.filter((s) => parseIpv4(s) !== null);
  for (const s of all.filter((a) => parseIpv4(a) === null)) await log.msg(M_WARN, `WARNING: dhcp-option DNS ${s}: not an IPv4 address, left out of ${RESOLV_CONF}`);
  if (servers.length === 0 && search.length === 0) return null;
  try {
    let backup: string | null = null;
    const old = await readFile(sys, RESOLV_CONF);
    if (old) {
      await mkdirAll(sys, BACKUP_DIR);
      backup = `${BACKUP_DIR}/${iface.replace(/\//g, '')}.resolv.conf`;
      await writeFile(sys, backup, old);
    }
    await writeFile(sys, RESOLV_CONF, resolvText(servers, search));
    const what = [servers.length ? `nameserver ${servers.join(' ')}` : '', search.length ? `search ${search.join(' ')}` : ''].filter(Boolean).join(', ');
    await log.msg(D_ROUTE, `${RESOLV_CONF}: ${what}${backup ? ` (the previous file kept as ${backup})` : ''}`);
    return { backup };
  } catch (e) {
    await log.msg(M_WARN, `WARNING: could not write ${RESOLV_CONF}: ${why(e)}`);
    return null;
  }
}

/** Put the previous /etc/resolv.conf back, or remove ours if there was none. */
export async function restoreResolv(sys: Sys, log: Logger, change: ResolvChange): Promise<void> {
  try {
    if (change.backup) {
      await sys.rename(change.backup, RESOLV_CONF);
      await log.msg(D_ROUTE, `${RESOLV_CONF}: restored from ${change.backup}`);
    } else {
      await sys.unlink(RESOLV_CONF);
      await log.msg(D_ROUTE, `${RESOLV_CONF}: removed (there was none before the tunnel)`);
    }
  } catch (e) {
    await log.msg(M_WARN, `WARNING: could not restore ${RESOLV_CONF}: ${why(e)}`);
  }
}
