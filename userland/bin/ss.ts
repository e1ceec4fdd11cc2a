// ss: iproute2's socket statistics for TCP and UDP (-t -u -a -l -n -p -H), beside netstat. By default
// only connected sockets show (not LISTEN, UNCONN, TIME-WAIT or SYN-RECV, as ss's default filter);
// -l only listening ones, -a all. Columns are laid out as ss renders them: each as wide as its
// widest cell, and on a terminal the spare width spread over the columns of the line.

import { SIOCGSOCKTABLE } from '../../kernel/abi/ioctl.js';
import { defineProgram } from '../../kernel/abi/program.js';
import type { SocketInfo } from '../../kernel/abi/socket.js';
import { guarded } from '../lib/guard.js';
import { command, parse } from '../lib/cli.js';
import { isatty, terminalWidth } from '../lib/fileio.js';
import { serviceName, sysMessage } from '../lib/inet.js';
import { eprint, print } from '../lib/io.js';
import { netSocket } from '../lib/netconf.js';

const STATES: ReadonlyMap<string, string> = new Map<string, string>([
  ['ESTABLISHED', 'ESTAB'],
  ['SYN_SENT', 'SYN-SENT'],
  ['SYN_RECV', 'SYN-RECV'],
  ['FIN_WAIT1', 'FIN-WAIT-1'],
  ['FIN_WAIT2', 'FIN-WAIT-2'],
  ['TIME_WAIT', 'TIME-WAIT'],
  ['CLOSE', 'UNCONN'],
  ['CLOSE_WAIT', 'CLOSE-WAIT'],
  ['LAST_ACK', 'LAST-ACK'],
  ['LISTEN', 'LISTEN'],
  ['CLOSING', 'CLOSING'],
]);
/** States ss leaves out unless asked (SS_CONN's complement). */
const NOT_CONNECTED: ReadonlySet<string> = new Set(['LISTEN', 'UNCONN', 'TIME-WAIT', 'SYN-RECV']);

interface Column {
  header: string;
  /** What ss prints before the cell when the line has started (" " or nothing). */
  ldelim: string;
  right: boolean;
  width: number;
}

interface Opts {
  tcp?: boolean;
  udp?: boolean;
  all?: boolean;
  listening?: boolean;
  numeric?: boolean;
  noHeader?: boolean;
  ipv4?: boolean;
  processes?: boolean;
}

/** render_calc_width: widths from the cells, then on a terminal the spare space shared out. */
function widths(cols: Column[], rows: string[][], screen: number | null): void {
  let first = true;
  cols.forEach((c, i) => {
    const max = Math.max(...rows.map((r) => r[i]!.length));
    c.width = !first && max ? max + c.ldelim.length : max;
    if (screen !== null) c.width = Math.min(c.width, screen);
    if (c.width) first = false;
  });
  if (screen === null) return;
  let len = 0;
  let linecols = 0;
  let eol = -1;
  for (let i = 0; i < cols.length; i++) {
    if (!cols[i]!.width) continue;
    linecols++;
    len += cols[i]!.width;
    const last = !cols.slice(i + 1).some((c) => c.width);
    if (!last && len < screen) continue;
    if (len !== screen) {
      if (len > screen) {
        len -= cols[i]!.width;
        i--;
        linecols--;
      }
      const pad = screen - len;
      const spacing = Math.floor(pad / linecols);
      let rem = pad % linecols;
      for (let t = i; t > eol; t--) {
        if (!cols[t]!.width) continue;
        cols[t]!.width += spacing;
        if (rem) {
          cols[t]!.width++;
          rem--;
        }
      }
    }
    eol = i;
    len = 0;
    linecols = 0;
  }
}

function render(cols: Column[], rows: string[][]): string {
  let out = '';
  for (const r of rows) {
    let line = '';
    let started = false;
    cols.forEach((c, i) => {
      if (!c.width) return;
      let printed = 0;
      if (started) {
        line += c.ldelim;
        printed = c.ldelim.length;
      }
      started = true;
      const cell = r[i]!;
      if (c.right) line += ' '.repeat(Math.max(0, c.width - cell.length - printed)) + cell;
      else line += cell + ' '.repeat(Math.max(0, c.width - printed - cell.length));
    });
    out += `${line}\n`;
  }
  return out;
}

/** "10.0.0.2:80" → ["10.0.0.2:", "http"] (the address cell carries the colon, as ss's does). */
function split(endpoint: string, proto: 'tcp' | 'udp', numeric: boolean): [string, string] {
  const at = endpoint.lastIndexOf(':');
  const port = endpoint.slice(at + 1);
  const name = !numeric && port !== '*' ? serviceName(proto, Number(port)) : undefined;
  return [`${endpoint.slice(0, at)}:`, name ?? port];
}

export default defineProgram({
  name: 'ss',
  summary: 'another utility to investigate sockets',
  main: guarded('ss', async (argv, sys) => {
    const cmd = command('ss', 'another utility to investigate sockets')
      .option('-n, --numeric', "don't resolve service names")
      .option('-a, --all', 'display all sockets')
      .option('-l, --listening', 'display listening sockets')
      .option('-t, --tcp', 'display only TCP sockets')
      .option('-u, --udp', 'display only UDP sockets')
      .option('-p, --processes', 'show process using socket')
      .option('-4, --ipv4', 'display only IP version 4 sockets')
      .option('-H, --no-header', 'Suppress header line');
    const r = await parse<Opts & { header?: boolean }>(sys, cmd, argv);
    if ('status' in r) return r.status === 2 ? 255 : r.status;
    const o = r.opts;
    const fd = await netSocket(sys);
    if (fd === null) return 1;
    const t: { sockets: SocketInfo[] } = { sockets: [] };
    try {
      await sys.ioctl(fd, SIOCGSOCKTABLE, t);
    } catch (e) {
      await eprint(sys, `ss: ${sysMessage(e)}\n`);
      return 1;
    }
    await sys.close(fd);
    // -p: which processes hold each socket, by the inode their fds point at.
    const users = new Map<number, string[]>();
    if (o.processes)
      for (const p of await sys.getprocs())
        for (const { fd: n, ino } of p.sockets ?? []) users.set(ino, [...(users.get(ino) ?? []), `("${p.command}",pid=${p.pid},fd=${n})`]);
    const protos = new Set<string>(o.tcp || o.udp ? [...(o.tcp ? ['tcp'] : []), ...(o.udp ? ['udp'] : [])] : ['tcp', 'udp']);
    const rows: string[][] = [];
    for (const s of t.sockets) {
      if (s.proto !== 'tcp' && s.proto !== 'udp') continue;
      if (!protos.has(s.proto)) continue;
      const state = s.proto === 'tcp' ? (STATES.get(s.state ?? '') ?? s.state ?? 'UNKNOWN') : s.remote === '*:*' ? 'UNCONN' : 'ESTAB';
      const listening = state === 'LISTEN' || (s.proto === 'udp' && state === 'UNCONN');
      if (o.listening ? !listening : !o.all && NOT_CONNECTED.has(state)) continue;
      const [la, lp] = split(s.local, s.proto, !!o.numeric);
      const [ra, rp] = s.remote === '*:*' ? ['0.0.0.0:', '*'] : split(s.remote, s.proto, !!o.numeric);
      const owners = s.ino === undefined ? undefined : users.get(s.ino);
      rows.push([s.proto, state, String(s.recvQ).padEnd(6), String(s.sendQ ?? 0).padEnd(6), la, lp, ra, rp, owners ? `users:(${owners.join(',')})` : '']);
    }
    const cols: Column[] = [
      { header: 'Netid', ldelim: '', right: false, width: 0 },
      { header: 'State', ldelim: ' ', right: false, width: 0 },
      { header: 'Recv-Q', ldelim: ' ', right: false, width: 0 },
      { header: 'Send-Q', ldelim: ' ', right: false, width: 0 },
      { header: 'Local Address:', ldelim: ' ', right: true, width: 0 },
      { header: 'Port', ldelim: '', right: false, width: 0 },
      { header: 'Peer Address:', ldelim: ' ', right: true, width: 0 },
      { header: 'Port', ldelim: '', right: false, width: 0 },
      { header: 'Process', ldelim: '', right: false, width: 0 },
    ];
    // One protocol asked for: no Netid column (ss disables it).
    const table = [...(o.header === false ? [] : [cols.map((c) => c.header)]), ...rows];
    if (protos.size === 1) for (const row of table) row[0] = '';
    if (table.length === 0) return 0;
    const screen = (await isatty(sys, 1)) ? await terminalWidth(sys, 1) : null;
    widths(cols, table, screen);
    await print(sys, render(cols, table));
    return 0;
  }),
});
