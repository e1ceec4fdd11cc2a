// arp: show and edit the ARP cache with Haiku's syntax, usage text, listing layout and error wording
// (src/bin/network/arp/arp.cpp), over SIOCGARPTABLE, SIOCSARP and SIOCDARP.
//
//   arp [-a]              list every entry: "<address, 15 wide>  <ethernet address>  <flags>"
//   arp <host>            list one entry
//   arp -s <host> <mac>   add a permanent entry (root)
//   arp -d <host>         delete an entry (root)
//   arp -F                flush the temporary entries (root)
//   arp -f <file>         add the entries of a file, one "<host> <mac>" per line (root)
//
// Exit status: 0 on success, 1 when an entry is missing or the system refuses, 2 for bad usage.

import { isSysError, strerror } from '../../kernel/abi/errno.js';
import { O_RDONLY } from '../../kernel/abi/fcntl.js';
import { SIOCDARP, SIOCGARPTABLE, SIOCSARP } from '../../kernel/abi/ioctl.js';
import { formatIpv4 } from '../../kernel/abi/wire/index.js';
import { defineProgram } from '../../kernel/abi/program.js';
import { guarded } from '../lib/guard.js';
import type { ArpEntry } from '../../kernel/abi/route.js';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { parse } from '../lib/cli.js';
import { eprint, print, readText } from '../lib/io.js';
import { EXIT_FAILURE, EXIT_USAGE, netSocket, tryIoctl, usageError, wordCommand } from '../lib/netconf.js';
import { resolveHost } from '../lib/resolve.js';

const NAME = 'arp';

export const ARP_USAGE = `usage: arp [<command>] [<hostname>] [<ethernet-address>] [temp] [pub]
       arp -f <filename>
Where <command> can be the one of:
  -s  - sets an entry in the ARP cache
  -d  - deletes the specified ARP cache entry
  -a  - list all entries [default]
  -f  - read ARP entries from file
  -F  - flush all temporary ARP entries
The ethernet address is specified by six hex bytes separated by colons.
When setting a new ARP cache entry, "temp" creates a temporary entry
that will be removed after a timeout, and "pub" will cause ARP to
answer to ARP requests for this entry.

Example:
\tarp -s 192.168.0.2 00:09:ab:cd:ef:12 pub
`;

/** Flags Haiku's arp accepts when setting an entry; this kernel keeps only permanent entries. */
const SET_FLAGS: ReadonlySet<string> = new Set(['temp', 'temporary', 'pub', 'publish', 'reject']);

/** sscanf("%hhx:%hhx:...") as Haiku parses it: six hex bytes of one or two digits. */
function parseEthernet(s: string): string | null {
  if (!/^[0-9a-f]{1,2}(:[0-9a-f]{1,2}){5}$/i.test(s)) return null;
  return s
    .split(':')
    .map((b) => b.toLowerCase().padStart(2, '0'))
    .join(':');
}

/** Haiku's list_entry(): the address right-aligned in 15, the ethernet address, then the flags. */
function formatEntry(e: ArpEntry): string {
  const flags = [...(e.permanent ? ['permanent'] : []), ...(e.mac !== null ? ['valid'] : [])];
  return `${e.ip.padStart(15)}  ${e.mac ?? '00:00:00:00:00:00'}${flags.length ? `  ${flags.join(' ')}` : ''}\n`;
}

export default defineProgram({
  name: NAME,
  summary: 'show and edit the ARP cache',
  main: guarded(NAME, async (argv, sys) => {
    const r = await parse(sys, wordCommand(NAME, 'show and edit the ARP cache', ARP_USAGE), argv);
    if ('status' in r) return r.status;
    const args = r.args;
    const usage = (message: string | null = null) => usageError(sys, NAME, message, ARP_USAGE);

    let mode: 'list' | 'delete' | 'set' = 'list';
    let rest = args;
    const command = args[0];
    if (command !== undefined && command.startsWith('-')) {
      rest = args.slice(1);
      switch (command) {
        case '-d':
          if (rest.length !== 1) return usage();
          mode = 'delete';
          break;
        case '-s':
          if (rest.length < 2) return usage();
          mode = 'set';
          break;
        case '-a':
          if (rest.length !== 0) return usage();
          break;
        case '-F':
          if (rest.length !== 0) return usage();
          return withSocket(sys, (fd) => flush(sys, fd));
        case '-f':
          if (rest.length !== 1) return usage();
          return withSocket(sys, (fd) => fromFile(sys, fd, rest[0]!));
        default:
          return usage(`Unknown option ${command}`);
      }
    } else if (args.length > 1) {
      return usage();
    }

    const hostname = rest[0];
    let address: string | null = null;
    if (hostname !== undefined) {
      address = await hostAddress(sys, hostname);
      if (address === null) {
        await eprint(sys, `${NAME}: Host "${hostname}" is not known in the IPv4 domain.\n`);
        return EXIT_USAGE;
      }
    }
    if (mode === 'set') {
      const mac = parseEthernet(rest[1]!);
      if (mac === null) {
        await eprint(sys, `${NAME}: "${rest[1]}" is not a valid ethernet address.\n`);
        return EXIT_USAGE;
      }
      for (const flag of rest.slice(2)) {
        if (!SET_FLAGS.has(flag)) {
          await eprint(sys, `${NAME}: Flag "${flag}" is invalid.\n`);
          return EXIT_USAGE;
        }
        await eprint(sys, `${NAME}: Flag "${flag}" is not supported: entries set by hand are permanent.\n`);
        return EXIT_FAILURE;
      }
      return withSocket(sys, async (fd) => {
        const err = await tryIoctl(sys, fd, SIOCSARP, { ip: address!, mac });
        // (sic: arp.cpp words it so)
        if (err === null) return 0;
        await eprint(sys, `${NAME}: ARP entry could not been set: ${strerror(err)}\n`);
        return EXIT_FAILURE;
      });
    }
    if (mode === 'delete') {
      return withSocket(sys, async (fd) => {
        const err = await tryIoctl(sys, fd, SIOCDARP, { ip: address! });
        if (err === null) return 0;
        await eprint(sys, `${NAME}: Could not delete ARP entry: ${strerror(err)}\n`);
        return EXIT_FAILURE;
      });
    }
    return withSocket(sys, async (fd) => {
      const entries = await table(sys, fd);
      if (address === null) {
        await print(sys, entries.map(formatEntry).join(''));
        return 0;
      }
      const e = entries.find((x) => x.ip === address);
      if (!e) {
        await eprint(sys, `${NAME}: ARP entry does not exist.\n`);
        return EXIT_FAILURE;
      }
      await print(sys, formatEntry(e));
      return 0;
    });
  }),
});

async function withSocket(sys: Sys, fn: (fd: number) => Promise<number>): Promise<number> {
  const fd = await netSocket(sys);
  if (fd === null) {
    await eprint(sys, `"ARP" module not available.\n`);
    return EXIT_FAILURE;
  }
  return fn(fd);
}

async function hostAddress(sys: Sys, name: string): Promise<string | null> {
  const a = await resolveHost(sys, name);
  return a === null ? null : formatIpv4(a);
}

async function table(sys: Sys, fd: number): Promise<ArpEntry[]> {
  const t: { entries: ArpEntry[] } = { entries: [] };
  await sys.ioctl(fd, SIOCGARPTABLE, t);
  return t.entries;
}

/** -F: every entry that is not permanent goes. */
async function flush(sys: Sys, fd: number): Promise<number> {
  for (const e of await table(sys, fd)) {
    if (e.permanent) continue;
    const err = await tryIoctl(sys, fd, SIOCDARP, { ip: e.ip, iface: e.iface });
    if (err !== null && err !== 'ENXIO') {
      await eprint(sys, `${NAME}: Could not delete ARP entry: ${strerror(err)}\n`);
      return EXIT_FAILURE;
    }
  }
  return 0;
}

/** -f: "<host> <ethernet-address> [flags]" per line; '#' comments and blank lines are skipped. */
async function fromFile(sys: Sys, fd: number, path: string): Promise<number> {
  let text: string;
  try {
    const f = await sys.open(path, O_RDONLY);
    text = await readText(sys, f);
    await sys.close(f);
  } catch (e) {
    if (!isSysError(e)) throw e;
    await eprint(sys, `${NAME}: Could not open file: ${strerror(e.errno)}\n`);
    return EXIT_FAILURE;
  }
  let status = 0;
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  for (const [n, line] of lines.entries()) {
    const counter = n + 1;
    if (line.startsWith('#') || line === '') continue;
    const [host, mac, ...flags] = line.trim().split(/\s+/);
    if (!host) {
      await eprint(sys, `${NAME}: Line ${counter} is invalid (missing hostname).\n`);
      status = EXIT_FAILURE;
      continue;
    }
    const address = await hostAddress(sys, host);
    if (address === null) {
      await eprint(sys, `${NAME}: Line ${counter}, host "${host}" is not known in the IPv4 domain.\n`);
      status = EXIT_FAILURE;
      continue;
    }
    if (mac === undefined) {
      await eprint(sys, `${NAME}: Line ${counter} is invalid (missing ethernet address).\n`);
      status = EXIT_FAILURE;
      continue;
    }
    const ether = parseEthernet(mac);
    if (ether === null) {
      await eprint(sys, `${NAME}: Line ${counter}, "${mac}" is not a valid ethernet address.\n`);
      status = EXIT_FAILURE;
      continue;
    }
    for (const flag of flags) await eprint(sys, `${NAME}: Line ${counter}, ignoring invalid flag "${flag}".\n`);
    const err = await tryIoctl(sys, fd, SIOCSARP, { ip: address, mac: ether });
    if (err !== null) {
      await eprint(sys, `${NAME}: Line ${counter}, ARP entry could not been set: ${strerror(err)}\n`);
      status = EXIT_FAILURE;
    }
  }
  return status;
}
