// Every program in /bin reports an error it did not expect (a bug: a JavaScript exception) and
// exits non-zero, through the one guard of userland/lib/guard.ts, instead of dying silently as a
// crashed process. Each program's main is called with a system call interface in which every call
// but a write to stderr throws a TypeError, the shape a bug takes.

import { describe, expect, it } from 'vitest';
import type { Sys } from '../../kernel/abi/syscalls.js';
import { EX_SOFTWARE } from '../../userland/lib/guard.js';
import { userlandPrograms } from '../../userland/bin/registry.js';

/** A Sys where everything fails as a bug would, but what goes to fd 2, which is kept. */
function faultySys(): { sys: Sys; stderr: () => string } {
  let err = '';
  const dec = new TextDecoder();
  const sys = new Proxy({} as Sys, {
    get(_t, prop) {
      if (prop === 'pid') return 1000;
      if (prop === 'then') return undefined;
      return (...args: unknown[]) => {
        if (prop === 'write' && args[0] === 2) {
          const d = args[1] as Uint8Array | string;
          err += typeof d === 'string' ? d : dec.decode(d);
          return Promise.resolve(d.length);
        }
        throw new TypeError(`injected fault in ${String(prop)}`);
      };
    },
  });
  return { sys, stderr: () => err };
}

/** Operands for the programs that need some before they make a system call. */
const OPERANDS = new Map<string, string[]>([
  ['ethtool', ['-k', 'loop']],
  ['awk', ['{ print }', 'f']],
  ['basename', ['/a/b']],
  ['chmod', ['644', 'f']],
  ['curl', ['http://127.0.0.1/']],
  ['cut', ['-f1', 'f']],
  ['diff', ['a', 'b']],
  ['ln', ['-s', 'a', 'b']],
  ['sed', ['p', 'f']],
  ['tr', ['a', 'b']],
  ['cp', ['a', 'b']],
  ['dirname', ['/a/b']],
  ['grep', ['x']],
  ['iperf', ['-c', '127.0.0.1']],
  ['iperf3', ['-c', '127.0.0.1']],
  ['journey', ['true']],
  ['kill', ['5']],
  ['mkdir', ['d']],
  ['mv', ['a', 'b']],
  ['nc', ['127.0.0.1', '80']],
  ['on', ['vpn', 'true']],
  ['packetdrill', ['x.pkt']],
  ['ping', ['127.0.0.1']],
  ['pki', ['init-pki']],
  ['printf', ['x']],
  ['rm', ['f']],
  ['rmdir', ['d']],
  ['seq', ['3']],
  ['sg', ['root', 'id']],
  ['sleep', ['1']],
  ['strace', ['true']],
  ['sysctl', ['net.ipv4.tcp_syn_retries']],
  ['tc', ['qdisc', 'show']],
  ['touch', ['f']],
  ['traceroute', ['127.0.0.1']],
  ['tunrelay', ['10.0.0.2']],
  ['tunreply', ['/dev/tun/0']],
  ['udpclient', ['127.0.0.1', '7']],
  ['wg-quick', ['up', 'wg0']],
]);

describe('an unexpected error in any program', () => {
  const names = userlandPrograms.names().filter((n) => n !== 'true' && n !== 'false');
  it.each(names)('%s reports it and exits 70', async (name) => {
    const program = (await userlandPrograms.load(name))!;
    const { sys, stderr } = faultySys();
    const status = await program.main([name, ...(OPERANDS.get(name) ?? [])], sys);
    // A program under a second name (bash is sh) reports with its own.
    expect(stderr()).toMatch(new RegExp(`^${program.name.replace(/[.+]/g, '\\$&')}: unexpected error: TypeError: injected fault in \\w+\\n$`));
    expect(status).toBe(EX_SOFTWARE);
  });

  it('true and false make no system call to fail', async () => {
    for (const [name, code] of [['true', 0], ['false', 1]] as const) {
      const { sys, stderr } = faultySys();
      expect(await (await userlandPrograms.load(name))!.main([name], sys)).toBe(code);
      expect(stderr()).toBe('');
    }
  });
});
