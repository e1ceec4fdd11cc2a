// uname: print system information from uname(), in coreutils' order and spelling. As coreutils
// on Haiku reports it, the processor is the machine name and the hardware platform is unknown
// (left out of -a), and the operating system is "Haiku": real Haiku prints
// "Haiku shredder 1 hrev55181+52 Jul 27 2021 08:11: x86_64 x86_64 Haiku" for uname -a.

import { defineProgram } from '../../kernel/abi/program.js';
import { command, parse } from '../lib/cli.js';
import { guarded, out } from '../lib/guard.js';

interface Options {
  all?: boolean;
  kernelName?: boolean;
  nodename?: boolean;
  kernelRelease?: boolean;
  kernelVersion?: boolean;
  machine?: boolean;
  processor?: boolean;
  hardwarePlatform?: boolean;
  operatingSystem?: boolean;
}

export default defineProgram({
  name: 'uname',
  summary: 'print system information',
  main: guarded('uname', async (argv, sys) => {
    const cmd = command('uname', 'print certain system information (with no option, the same as -s)')
      .option('-a, --all', 'print all information, omitting -p and -i if unknown')
      .option('-s, --kernel-name', 'print the kernel name')
      .option('-n, --nodename', 'print the network node hostname')
      .option('-r, --kernel-release', 'print the kernel release')
      .option('-v, --kernel-version', 'print the kernel version')
      .option('-m, --machine', 'print the machine hardware name')
      .option('-p, --processor', 'print the processor type')
      .option('-i, --hardware-platform', 'print the hardware platform')
      .option('-o, --operating-system', 'print the operating system');
    const r = await parse<Options>(sys, cmd, argv);
    if ('status' in r) return r.status;
    const o = r.opts;
    const u = await sys.uname();
    const fields: string[] = [];
    const none = !Object.values(o).some(Boolean);
    if (o.all || o.kernelName || none) fields.push(u.sysname);
    if (o.all || o.nodename) fields.push(u.nodename);
    if (o.all || o.kernelRelease) fields.push(u.release);
    if (o.all || o.kernelVersion) fields.push(u.version);
    if (o.all || o.machine) fields.push(u.machine);
    if (o.all || o.processor) fields.push(u.machine);
    if (o.hardwarePlatform) fields.push('unknown');
    if (o.all || o.operatingSystem) fields.push(u.sysname);
    await out(sys, `${fields.join(' ')}\n`);
    return 0;
  }),
});
