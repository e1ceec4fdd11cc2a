// Every builtin by name, and the two that describe the shell itself: help and history.

import { O_RDONLY } from '../../../kernel/abi/fcntl.js';
import { PROGRAM_MAGIC } from '../../../kernel/abi/program.js';
import { readText, writeAll } from '../../lib/io.js';
import { table } from '../../lib/table.js';
import { coreBuiltins } from './core.js';
import { jobBuiltins } from './jobs.js';
import { syscallBuiltin } from './syscall.js';
import { testBuiltins } from './test.js';
import { umaskBuiltin } from './umask.js';
import type { Builtin, BuiltinEntry } from './types.js';

const meta: Record<string, BuiltinEntry> = {
  help: {
    summary: 'list builtins and programs',
    usage: 'help [name]',
    async run(sh, argv) {
      const sys = sh.sys;
      const name = argv[1];
      if (name) {
        const b = BUILTINS[name];
        if (!b) {
          await sh.error(`help: no help topics match \`${name}'.  Try \`${name} --help'.`);
          return 1;
        }
        await writeAll(sys, 1, `${b.usage}\n    ${b.summary}\n`);
        return 0;
      }
      let text = 'tunlab shell builtins (run in the shell itself):\n';
      for (const [n, b] of Object.entries(BUILTINS).sort(([a], [b2]) => (a < b2 ? -1 : 1))) text += `  ${n.padEnd(10)} ${b.summary}\n`;
      text += '\nPrograms in /bin (each has --help):\n';
      for (const d of await sys.readdir('/bin')) {
        let summary = '';
        try {
          const fd = await sys.open(`/bin/${d.d_name}`, O_RDONLY);
          const lines = (await readText(sys, fd)).split('\n');
          await sys.close(fd);
          if (lines[0]?.startsWith(PROGRAM_MAGIC) && lines[1]?.startsWith('# ')) summary = lines[1].slice(2);
        } catch {
          // unreadable: list the name alone
        }
        text += `  ${d.d_name.padEnd(10)} ${summary}\n`.replace(/ +\n$/, '\n');
      }
      text += '\nOther hosts of the world: `hosts`, and `on HOST COMMAND` to run something there.\n';
      await writeAll(sys, 1, text);
      return 0;
    },
  },
  history: {
    summary: 'list the commands typed in this session',
    usage: 'history [n]',
    async run(sh, argv) {
      const all = sh.history;
      const n = argv[1] && /^\d+$/.test(argv[1]) ? Number(argv[1]) : all.length;
      const start = Math.max(0, all.length - n);
      let text = '';
      for (let i = start; i < all.length; i++) text += `${String(i + 1).padStart(5)}  ${all[i]}\n`;
      await writeAll(sh.sys, 1, text);
      return 0;
    },
  },
};

export const BUILTINS = table<BuiltinEntry>({ ...coreBuiltins, ...testBuiltins, ...jobBuiltins, ...umaskBuiltin, ...syscallBuiltin, ...meta });

/** The builtin `name`, if it is one; with job control the stand-ins for programs are not. */
export function lookupBuiltin(name: string, jobControl = false): Builtin | undefined {
  const b = BUILTINS[name];
  return b && !(jobControl && b.programWithJobControl) ? b.run : undefined;
}
