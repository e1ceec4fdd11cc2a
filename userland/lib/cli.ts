// Argument parsing for every program, on commander: help and usage go to the program's own fds
// (never to the real process), errors give a usage message and exit status 2, and nothing ever
// calls process.exit.

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { writeAll } from './io.js';

export { Command, InvalidArgumentError, Option };

/** Exit status for a usage error, as the issue tracker and POSIX utilities agree. */
export const EXIT_USAGE = 2;

export interface Parsed<O> {
  opts: O;
  args: string[];
}

/** A commander Command that reports instead of exiting; configure options, then call parse(). */
export function command(name: string, summary: string): Command {
  return new Command(name)
    .description(summary)
    .exitOverride()
    .allowExcessArguments(false)
    .helpOption('-h, --help', 'show this help')
    .configureHelp({ helpWidth: 80 });
}

/**
 * Parse `argv` (argv[0] is the program name). On --help, prints it and returns status 0; on an
 * error, prints commander's message and the usage line to stderr and returns 2.
 */
export async function parse<O>(sys: Sys, cmd: Command, argv: string[]): Promise<Parsed<O> | { status: number }> {
  let out = '';
  let err = '';
  cmd.configureOutput({
    writeOut: (s) => {
      out += s;
    },
    writeErr: (s) => {
      err += s;
    },
    outputError: (s, write) => write(s),
  });
  try {
    cmd.parse(argv.slice(1), { from: 'user' });
  } catch (e) {
    if (!(e instanceof CommanderError)) throw e;
    if (out) await writeAll(sys, 1, out);
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return { status: 0 };
    const usage = cmd.createHelp().commandUsage(cmd);
    await writeAll(sys, 2, `${cmd.name()}: ${err.replace(/^error: /, '').trimEnd()}\nusage: ${usage}\n`);
    return { status: EXIT_USAGE };
  }
  return { opts: cmd.opts() as O, args: cmd.args };
}

/** An option value parser for integers in a range; out of range is a usage error. */
export function intArg(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^-?\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be a whole number`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}`);
    return n;
  };
}

/** An option value parser for decimal numbers (seconds, say) in a range. */
export function numberArg(name: string, min: number, max: number): (v: string) => number {
  return (v: string) => {
    if (!/^\d+(\.\d+)?$|^\.\d+$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be a number`);
    const n = Number(v);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be from ${min} to ${max}`);
    return n;
  };
}
