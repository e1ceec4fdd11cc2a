// wg-quick's parse_options: which file (a bare interface name means /etc/wireguard/NAME.conf), the
// interface named after it, the world-accessible warning, and the [Interface] keys wg-quick keeps
// for itself (Address, DNS, MTU, Table, PreUp/PostUp/PreDown/PostDown, SaveConfig, matched without
// regard to case); every other line is passed on to `wg setconf` as it was.

import { isSysError } from '../../../kernel/abi/errno.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { readFileText } from '../../lib/io.js';
import { absolute } from '../../lib/tree.js';

export interface QuickConfig {
  /** The configuration file, absolute. */
  file: string;
  iface: string;
  addresses: string[];
  dns: string[];
  dnsSearch: string[];
  mtu: string | null;
  table: string | null;
  preUp: string[];
  postUp: string[];
  preDown: string[];
  postDown: string[];
  saveConfig: boolean;
  /** What `wg setconf` gets: the file without wg-quick's own keys. */
  wgConfig: string;
}

/** Why wg-quick stops: its message (printed as "wg-quick: ...", status 1). */
export class Die {
  constructor(readonly message: string) {}
}

const NAME = /^[a-zA-Z0-9_=+.-]{1,15}$/;
const CONF = /(^|\/)([a-zA-Z0-9_=+.-]{1,15})\.conf$/;

/** bash's ${x##*([[:space:]])} and ${x%%*([[:space:]])}. */
const trim = (s: string) => s.replace(/^[ \t\n\v\f\r]+|[ \t\n\v\f\r]+$/g, '');

export async function parseOptions(sys: Sys, arg: string, warn: (line: string) => Promise<void>): Promise<QuickConfig | Die> {
  let file = NAME.test(arg) ? `/etc/wireguard/${arg}.conf` : arg;
  let mode: number;
  try {
    mode = (await sys.stat(file)).st_mode;
  } catch (e) {
    if (!isSysError(e)) throw e;
    return new Die(`\`${file}' does not exist`);
  }
  const m = CONF.exec(file);
  if (!m) return new Die('The config file must be a valid interface name, followed by .conf');
  file = absolute(await sys.getcwd(), file);
  const dir = file.slice(0, file.lastIndexOf('/')) || '/';
  let dirMode = 0;
  try {
    dirMode = (await sys.stat(dir)).st_mode;
  } catch (e) {
    if (!isSysError(e)) throw e;
  }
  if (mode & dirMode & 0o007) await warn(`Warning: \`${file}' is world accessible`);
  let text: string;
  try {
    text = await readFileText(sys, file, 1 << 20);
  } catch (e) {
    if (!isSysError(e)) throw e;
    return new Die(`\`${file}' does not exist`);
  }
  const c: QuickConfig = {
    file,
    iface: m[2]!,
    addresses: [],
    dns: [],
    dnsSearch: [],
    mtu: null,
    table: null,
    preUp: [],
    postUp: [],
    preDown: [],
    postDown: [],
    saveConfig: false,
    wgConfig: '',
  };
  let inInterface = false;
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  for (const line of lines) {
    const stripped = line.replace(/#.*/, '');
    const eq = stripped.indexOf('=');
    const key = trim(eq < 0 ? stripped : stripped.slice(0, eq)).toLowerCase();
    const value = trim(eq < 0 ? stripped : stripped.slice(eq + 1));
    if (key.startsWith('[')) inInterface = false;
    if (key === '[interface]') inInterface = true;
    if (inInterface) {
      const list = () => value.split(/[\s,]+/).filter(Boolean);
      switch (key) {
        case 'address':
          c.addresses.push(...list());
          continue;
        case 'mtu':
          c.mtu = value;
          continue;
        case 'dns':
          for (const v of list()) (/^[0-9.]+$|:/.test(v) ? c.dns : c.dnsSearch).push(v);
          continue;
        case 'table':
          c.table = value;
          continue;
        case 'preup':
          c.preUp.push(value);
          continue;
        case 'predown':
          c.preDown.push(value);
          continue;
        case 'postup':
          c.postUp.push(value);
          continue;
        case 'postdown':
          c.postDown.push(value);
          continue;
        case 'saveconfig':
          if (value !== 'true' && value !== 'false') return new Die(`\`${value}' is neither true nor false`);
          c.saveConfig = value === 'true';
          continue;
      }
    }
    c.wgConfig += `${line}\n`;
  }
  return c;
}
