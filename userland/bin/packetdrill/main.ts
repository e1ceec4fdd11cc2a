// packetdrill: test a TCP stack with scripts of system calls and packets (github.com/google/
// packetdrill). Each script runs against this host's own kernel through a tun device, tun0, made
// for the run: inbound packets are written into it, outbound ones read from it and checked, system
// calls made for real. Scripts, options, messages and exit statuses are packetdrill's; the %{ }%
// Python snippets are evaluated by the runner itself (python.ts).

import { isSysError } from '../../../kernel/abi/errno.js';
import { O_RDONLY } from '../../../kernel/abi/fcntl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { guarded } from '../../lib/guard.js';
import type { Sys } from '../../../kernel/abi/syscalls.js';
import { command, parse } from '../../lib/cli.js';
import { eprint, readText } from '../../lib/io.js';
import { applyOption, defaultConfig, finalizeAddresses, takesValue } from './config.js';
import { Die, Netdev } from './netdev.js';
import { ParseError, parseScript } from './parser.js';
import { Runner } from './runner.js';

const USAGE = `Usage: packetdrill
\t[--ip_version=[ipv4,ipv4-mapped-ipv6,ipv6]]
\t[--bind_port=bind_port]
\t[--code_command=code_command]
\t[--code_format=code_format]
\t[--code_sockopt=TCP_INFO]
\t[--connect_port=connect_port]
\t[--remote_ip=remote_ip]
\t[--local_ip=local_ip]
\t[--gateway_ip=gateway_ip]
\t[--netmask_ip=netmask_ip]
\t[--init_scripts=<comma separated filenames>
\t[--speed=<speed in Mbps>
\t[--mss=<MSS in bytes>
\t[--mtu=<MTU in bytes>
\t[--tolerance_usecs=tolerance_usecs]
\t[--tolerance_percent=percentage]
\t[--tcp_ts_ecr_scaled]
\t[--tcp_ts_tick_usecs=<microseconds per TCP TS val tick>]
\t[--strict_segments]
\t[--non_fatal=<comma separated types: packet,syscall>]
\t[--dry_run]
\t[--define symbol1=val1 --define symbol2=val2 ...]
\t[--verbose|-v]
\tscript_path ...
`;

const OPTION_NAMES: readonly string[] = [
  'ip_version', 'bind_port', 'code_command', 'code_format', 'code_sockopt', 'connect_port', 'remote_ip', 'local_ip',
  'gateway_ip', 'netmask_ip', 'init_scripts', 'speed', 'mss', 'mtu', 'tolerance_usecs', 'tolerance_percent',
  'tcp_ts_ecr_scaled', 'tcp_ts_tick_usecs', 'strict_segments', 'non_fatal', 'dry_run', 'debug', 'define',
];

export default defineProgram({
  name: 'packetdrill',
  summary: 'test a TCP stack with scripts of system calls and packets',
  main: guarded('packetdrill', async (argv, sys) => {
    const cmd = command('packetdrill', 'run packetdrill scripts against this host through the tun device tun0').argument('<script_path...>', 'scripts to run, in order');
    for (const name of OPTION_NAMES) {
      if (name === 'define') cmd.option('--define <symbol=value>', 'define a symbol for the scripts', (v: string, prev: string[] = []) => [...prev, v]);
      else if (takesValue(name)) cmd.option(`--${name} <value>`);
      else cmd.option(`--${name}`);
    }
    cmd.option('-v, --verbose', 'print each packet and system call as it happens');
    cmd.addHelpText('after', `\n${USAGE}`);
    const r = await parse<Record<string, string | boolean | string[]>>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const given: Array<[string, string | null]> = [];
    for (const [k, v] of Object.entries(r.opts)) {
      if (Array.isArray(v)) for (const d of v) given.push([k, d]);
      else given.push([k, typeof v === 'string' ? v : null]);
    }
    for (const path of r.args) {
      const status = await runScript(sys, path, given);
      if (status !== 0) return status;
    }
    return 0;
  }),
});

async function runScript(sys: Sys, path: string, given: Array<[string, string | null]>): Promise<number> {
  const cfg = defaultConfig();
  cfg.scriptPath = path;
  let text: string;
  // read_script's messages: stat() first, then open() and read().
  let step = 'stat() of script file';
  try {
    await sys.stat(path);
    step = 'opening script file';
    const fd = await sys.open(path, O_RDONLY);
    step = 'reading script file';
    try {
      text = await readText(sys, fd);
    } finally {
      await sys.close(fd);
    }
  } catch (e) {
    if (!isSysError(e)) throw e;
    await eprint(sys, step.startsWith('stat') ? `parse error: ${step} '${path}': ${e.message}\n` : `parse error ${step} '${path}': ${e.message}\n`);
    return 1;
  }
  const applyGiven = (): string | null => {
    for (const [k, v] of given) {
      const err = applyOption(cfg, k, v, 'command line');
      if (err) return err;
    }
    return null;
  };
  // Defines from the command line hold while the script lexes; its own options come first.
  const early = applyGiven();
  if (early) return fail(sys, early);
  let script;
  try {
    script = parseScript(text, cfg.defines, (name, value) => {
      const err = applyOption(cfg, name, value, path);
      if (err) throw new Die(err);
    });
  } catch (e) {
    if (e instanceof ParseError) return fail(sys, `${path}:${e.line}: ${e.message}\n`);
    if (e instanceof Die) return fail(sys, e.message);
    throw e;
  }
  const late = applyGiven();
  if (late) return fail(sys, late);
  if (cfg.dryRun) return 0;
  const rnd = await random32(sys);
  const addrs = finalizeAddresses(cfg, rnd);
  if (typeof addrs === 'string') return fail(sys, addrs);
  let dev: Netdev;
  try {
    dev = await Netdev.create(sys, { ...addrs, mtu: cfg.mtu });
  } catch (e) {
    if (e instanceof Die) return fail(sys, e.message);
    throw e;
  }
  try {
    return await new Runner(sys, cfg, addrs, script, dev).run();
  } finally {
    await sys.close(dev.tunFd);
  }
}

async function fail(sys: Sys, message: string): Promise<number> {
  await eprint(sys, message);
  return 1;
}

/** urandom_read: four bytes for the local address. */
async function random32(sys: Sys): Promise<number> {
  try {
    const fd = await sys.open('/dev/urandom', O_RDONLY);
    try {
      const b = await sys.read(fd, 4);
      return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
    } finally {
      await sys.close(fd);
    }
  } catch (e) {
    if (!isSysError(e)) throw e;
    return 0;
  }
}
