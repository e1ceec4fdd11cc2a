// Guests (kernel/proc/guest.ts): `--load` programs run in a thread of their own, so nothing they do
// can freeze or crash the kernel. Each one below misbehaves in one way; the world goes on, and the
// run is the same every time (a guest that computes holds virtual time, as a task does).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defineProgram } from '../../../kernel/abi/program.js';
import { SIGKILL, SIGSEGV, SIGXCPU } from '../../../kernel/abi/signal.js';
import { WEXITSTATUS, WIFSIGNALED, WTERMSIG } from '../../../kernel/abi/wait.js';
import { nodePort } from '../../../kernel/port/node.js';
import { describeGuest, guestProgram } from '../../../kernel/proc/guest.js';
import type { World } from '../../../kernel/world/world.js';
import { GUEST_RUNTIME } from '../../../bin/paths.js';
import { print } from '../../../userland/lib/io.js';
import { run, start, testWorld } from '../../helpers/world.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-guest-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Write a guest module and install it in the world as /bin/NAME. */
async function guest(w: World, name: string, body: string): Promise<void> {
  const file = path.join(dir, `${name}.mjs`);
  fs.writeFileSync(file, `export default { name: ${JSON.stringify(name)}, summary: 'a test guest', ${body} };\n`);
  const about = await describeGuest(nodePort, GUEST_RUNTIME, file);
  w.addProgram(guestProgram(nodePort, GUEST_RUNTIME, file, about.name, about.summary));
}

/** Starts argv[1], sleeps argv[2] s beside it, says when it woke and how the other ended. */
const beside = defineProgram({
  name: 'beside',
  summary: '',
  async main(argv, sys) {
    const child = await sys.spawn(`/bin/${argv[1]}`, [argv[1]!]);
    await sys.nanosleep(Number(argv[2]) * 1e9);
    if (argv[3] === 'kill') await sys.kill(child, SIGKILL);
    const { status } = await sys.waitpid(child);
    const how = WIFSIGNALED(status) ? `signal ${WTERMSIG(status)}` : `status ${WEXITSTATUS(status)}`;
    await print(sys, `woke at ${(await sys.clock_gettime(1)) / 1e9} s; ${argv[1]} ended by ${how}\n`);
  },
});

const world = () => testWorld([beside], { cpuSliceMs: 100 });

describe('a guest', () => {
  it('makes system calls across the thread boundary: results, errnos, structures filled in, handlers run', async () => {
    const w = world();
    await guest(
      w,
      'calls',
      `async main(argv, sys) {
        const out = [];
        const u = await sys.uname();
        out.push(u.nodename + ' pid ' + sys.pid + ' home ' + sys.getenv('HOME') + ' argv ' + argv.join(','));
        try { await sys.open('/nope', 0); } catch (e) { out.push('open: ' + e.errno + ' ' + e.name); }
        const fd = await sys.socket(1, 2, 0);
        const ifr = { ifr_name: 'loop' };
        await sys.ioctl(fd, 0x8900 + 0x21, ifr);
        out.push('mtu ' + ifr.ifr_mtu);
        try { await sys.ioctl(fd, 0x8900 + 0x21, Object.freeze({ ifr_name: 'loop' })); } catch (e) { out.push('frozen: ' + e.errno); }
        let got = 0;
        await sys.sigaction(18, (s) => { got = s; });
        await sys.kill(sys.pid, 18);
        await sys.getppid();
        out.push('handler got ' + got);
        await sys.write(1, out.join('\\n') + '\\n');
        return 7;
      }`,
    );
    const r = await run(w, 'haiku', ['calls', 'a', 'b']);
    expect(r.out).toBe(`haiku pid 2 home /boot/home argv calls,a,b\nopen: ENOENT SysError\nmtu 16384\nfrozen: EFAULT\nhandler got 18\n`.replace('16384', String(w.mustHost('haiku').net.loop.mtu)));
    expect(WEXITSTATUS(r.status)).toBe(7);
  });

  it('that loops without a system call holds virtual time until its CPU slice ends it with SIGXCPU', async () => {
    const w = world();
    await guest(w, 'spin', 'async main() { for (;;) {} }');
    const r = await run(w, 'haiku', ['beside', 'spin', '1']);
    expect(r.out).toBe(`woke at 1 s; spin ended by signal ${SIGXCPU}\n`);
  });

  it('that loops is killed at once by SIGKILL, wherever it is', async () => {
    const w = testWorld([beside], { cpuSliceMs: 60_000 });
    await guest(w, 'spin', 'async main(argv, sys) { await sys.getpid(); for (;;) {} }');
    const wall = Date.now();
    // Virtual time is held while spin runs, so the sleep cannot end first: beside is woken only
    // once spin is gone. Here a second process kills it.
    const killer = defineProgram({
      name: 'killer',
      summary: '',
      async main(_argv, sys) {
        const pid = await sys.spawn('/bin/spin', ['spin']);
        await sys.kill(pid, SIGKILL);
        const { status } = await sys.waitpid(pid);
        await print(sys, `spin ended by signal ${WTERMSIG(status)}\n`);
      },
    });
    w.addProgram(killer);
    const r = await run(w, 'haiku', ['killer']);
    expect(r.out).toBe(`spin ended by signal ${SIGKILL}\n`);
    expect(Date.now() - wall).toBeLessThan(30_000);
  });

  it('that throws in a timer callback dies as a crashed program, alone, with its error in the log', async () => {
    const w = world();
    await guest(w, 'thrower', "async main(argv, sys) { setTimeout(() => { throw new Error('from a timer'); }, 0); await new Promise(() => {}); }");
    const r = await run(w, 'haiku', ['beside', 'thrower', '1']);
    expect(r.out).toBe(`woke at 1 s; thrower ended by signal ${SIGSEGV}\n`);
    expect(w.mustHost('haiku').log.snapshot()).toContainEqual(expect.stringContaining('thrower[3]: crashed: GuestCrash: Error: from a timer'));
  });

  it('that leaves a promise rejected and unhandled dies the same way', async () => {
    const w = world();
    await guest(w, 'rejecter', "async main() { Promise.reject(new Error('nobody catches this')); await new Promise(() => {}); }");
    const r = await run(w, 'haiku', ['beside', 'rejecter', '1']);
    expect(r.out).toBe(`woke at 1 s; rejecter ended by signal ${SIGSEGV}\n`);
  });

  it('that computes for a while holds virtual time: a sleeper beside it wakes on time, every run', async () => {
    const outs: string[] = [];
    for (let i = 0; i < 2; i++) {
      const w = world();
      await guest(w, 'busy', 'async main(argv, sys) { const t = Date.now(); while (Date.now() - t < 50) {} await sys.write(1, "busy done\\n"); return 0; }');
      const { proc, output } = await start(w.mustHost('haiku'), ['beside', 'busy', '0.5']);
      await w.run({ until: () => !proc.alive });
      outs.push(output());
    }
    expect(outs).toEqual(['busy done\nwoke at 0.5 s; busy ended by status 0\n', 'busy done\nwoke at 0.5 s; busy ended by status 0\n']);
  });

  it('whose module is no program is refused when it is described', async () => {
    const file = path.join(dir, 'bad.mjs');
    fs.writeFileSync(file, 'export default 42;\n');
    await expect(describeGuest(nodePort, GUEST_RUNTIME, file)).rejects.toThrow(/the default export must be a program/);
  });
});
