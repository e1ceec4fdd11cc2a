// sysctl and tc, as procps and iproute2 print them: reading and writing the net.ipv4.tcp_* values
// through /proc/sys (and the module parameters in /sys), their errors and exit statuses; a root
// pfifo on an interface, shown by tc and ip, whose limit 0 refuses every packet with ENOBUFS.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import cat from '../../../userland/bin/cat.js';
import echo from '../../../userland/bin/echo.js';
import ip from '../../../userland/bin/ip/main.js';
import ls from '../../../userland/bin/ls.js';
import ping from '../../../userland/bin/ping.js';
import sh from '../../../userland/bin/sh.js';
import sysctl from '../../../userland/bin/sysctl.js';
import tc from '../../../userland/bin/tc/main.js';
import { routedWorld } from '../../helpers/net.js';
import { run, testWorld } from '../../helpers/world.js';

const PROGRAMS = [sysctl, tc, sh, cat, echo, ls, ip, ping];

async function cmd(argv: string[], w = testWorld(PROGRAMS), host = 'haiku') {
  const r = await run(w, host, argv);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

describe('sysctl', () => {
  it('reads a value by dotted or slashed name, with -n the value alone', async () => {
    expect(await cmd(['sysctl', 'net.ipv4.tcp_rmem'])).toEqual({ out: 'net.ipv4.tcp_rmem = 4096\t131072\t33554432\n', code: 0 });
    expect(await cmd(['sysctl', 'net/ipv4/tcp_sack'])).toEqual({ out: 'net.ipv4.tcp_sack = 1\n', code: 0 });
    expect(await cmd(['sysctl', '-n', 'net.ipv4.tcp_congestion_control'])).toEqual({ out: 'cubic\n', code: 0 });
    expect(await cmd(['sysctl', '-N', 'net.ipv4.tcp_sack'])).toEqual({ out: 'net.ipv4.tcp_sack\n', code: 0 });
  });

  it('writes NAME=VALUE (with or without -w), echoing it unless -q; the file changes', async () => {
    const w = testWorld(PROGRAMS);
    expect(await cmd(['sysctl', 'net.ipv4.tcp_sack=0'], w)).toEqual({ out: 'net.ipv4.tcp_sack = 0\n', code: 0 });
    expect(await cmd(['sysctl', '-q', '-w', 'net.ipv4.tcp_rmem=4096 540000 15728640'], w)).toEqual({ out: '', code: 0 });
    expect(await cmd(['cat', '/proc/sys/net/ipv4/tcp_rmem', '/proc/sys/net/ipv4/tcp_sack'], w)).toEqual({ out: '4096\t540000\t15728640\n0\n', code: 0 });
    expect(await cmd(['sh', '-c', 'echo reno > /proc/sys/net/ipv4/tcp_congestion_control; sysctl -n net.ipv4.tcp_congestion_control'], w)).toEqual({ out: 'reno\n', code: 0 });
  });

  it('says what went wrong as procps does, one status point per failed argument', async () => {
    expect(await cmd(['sysctl', 'net.ipv4.tcp_nosuch'])).toEqual({ out: 'sysctl: cannot stat /proc/sys/net/ipv4/tcp_nosuch: No such file or directory\n', code: 1 });
    expect(await cmd(['sysctl', '-e', 'net.ipv4.tcp_nosuch', 'net.ipv4.tcp_sack'])).toEqual({ out: 'net.ipv4.tcp_sack = 1\n', code: 0 });
    expect(await cmd(['sysctl', 'net.ipv4.tcp_sack=5', 'net.ipv4.tcp_nosuch=1'])).toEqual({
      out: 'sysctl: setting key "net.ipv4.tcp_sack": Invalid Argument\nsysctl: cannot stat /proc/sys/net/ipv4/tcp_nosuch: No such file or directory\n',
      code: 2,
    });
    expect(await cmd(['sysctl', 'net.ipv4.tcp_congestion_control=vegas'])).toEqual({ out: 'sysctl: setting key "net.ipv4.tcp_congestion_control": No such file or directory\n', code: 1 });
    expect(await cmd(['sysctl', 'net.ipv4.tcp_available_congestion_control=reno'])).toEqual({ out: 'sysctl: setting key "net.ipv4.tcp_available_congestion_control": Permission denied\n', code: 0 });
    expect(await cmd(['sysctl', '-w', 'net.ipv4.tcp_sack'])).toEqual({ out: 'sysctl: "net.ipv4.tcp_sack" must be of the form name=value\n', code: 255 });
    expect(await cmd(['sysctl'])).toEqual({ out: "sysctl: no variables specified\nTry 'sysctl --help' for more information.\n", code: 1 });
  });

  it('lists everything with -a, and a directory by its name', async () => {
    const all = await cmd(['sysctl', '-a']);
    expect(all.code).toBe(0);
    const lines = all.out.trim().split('\n');
    expect(lines).toContain('net.core.somaxconn = 4096');
    expect(lines).toContain('net.ipv4.tcp_syn_retries = 6');
    expect(lines.map((l) => l.split(' = ')[0])).toEqual([...lines.map((l) => l.split(' = ')[0])].sort());
    const dir = await cmd(['sysctl', 'net.core']);
    expect(dir.out).toBe('net.core.rmem_max = 212992\nnet.core.somaxconn = 4096\nnet.core.wmem_max = 212992\n');
  });

  it('changes what the kernel does: CUBIC parameters in /sys, and the stack is per host', async () => {
    const w = testWorld(PROGRAMS, {}, ['a', 'b']);
    expect(await cmd(['sh', '-c', 'echo 3 > /sys/module/tcp_cubic/parameters/hystart_detect; cat /sys/module/tcp_cubic/parameters/hystart_detect'], w, 'a')).toEqual({
      out: '3\n',
      code: 0,
    });
    await cmd(['sysctl', '-q', 'net.ipv4.tcp_syn_retries=2'], w, 'a');
    expect(await cmd(['sysctl', '-n', 'net.ipv4.tcp_syn_retries'], w, 'b')).toEqual({ out: '6\n', code: 0 });
    expect(await cmd(['ls', '/proc/sys/net'], w, 'a')).toEqual({ out: 'core\nipv4\n', code: 0 });
  });
});

describe('tc', () => {
  const NIC = '/dev/net/ipro1000/0';
  it('adds, shows, replaces and deletes a root pfifo; ip link shows it', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    const t = (a: string[]) => cmd(a, w, 'a');
    expect(await t(['tc', 'qdisc', 'show', 'dev', NIC])).toEqual({ out: 'qdisc noqueue 0: root refcnt 2 \n', code: 0 });
    expect(await t(['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'pfifo'])).toEqual({ out: '', code: 0 });
    expect(await t(['tc', 'qdisc', 'show', 'dev', NIC])).toEqual({ out: 'qdisc pfifo 8001: root refcnt 2 limit 1000p\n', code: 0 });
    expect(await t(['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'pfifo'])).toEqual({ out: 'Error: Exclusivity flag on, cannot modify.\n', code: 2 });
    expect(await t(['tc', 'qdisc', 'replace', 'dev', NIC, 'root', 'pfifo', 'limit', '50'])).toEqual({ out: '', code: 0 });
    expect((await t(['ip', 'link', 'show', 'dev', NIC])).out).toContain('qdisc pfifo state UP');
    expect(await t(['tc', 'qdisc', 'show', 'dev', NIC])).toEqual({ out: 'qdisc pfifo 8001: root refcnt 2 limit 50p\n', code: 0 });
    expect(await t(['tc', 'qdisc', 'del', 'dev', NIC, 'root'])).toEqual({ out: '', code: 0 });
    expect(await t(['tc', 'qdisc', 'del', 'dev', NIC, 'root'])).toEqual({ out: 'Error: Cannot delete qdisc with handle of zero.\n', code: 2 });
  });

  it('refuses what it does not know, with iproute2 statuses', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    const t = (a: string[]) => cmd(a, w, 'a');
    expect(await t(['tc', 'qdisc', 'add', 'dev', 'nosuch', 'root', 'pfifo'])).toEqual({ out: 'Cannot find device "nosuch"\n', code: 1 });
    expect(await t(['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'fq'])).toEqual({ out: 'Error: Specified qdisc kind is unknown.\n', code: 2 });
    expect(await t(['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'pfifo', 'limit', 'x'])).toEqual({ out: 'Illegal "limit"\nUsage: ... [p|b]fifo [ limit NUMBER ]\n', code: 1 });
    expect(await t(['tc', 'filter'])).toEqual({ out: 'Object "filter" is unknown, try "tc help".\n', code: 1 });
  });

  it('pfifo limit 0 drops every packet sent through the interface: ENOBUFS, counted', async () => {
    const { world: w } = routedWorld(PROGRAMS);
    const t = (a: string[]) => cmd(a, w, 'a');
    // The neighbour first: with it unknown, the qdisc would drop the ARP request instead, as Linux's does.
    await t(['ping', '-c', '1', '192.168.1.1']);
    await t(['tc', 'qdisc', 'add', 'dev', NIC, 'root', 'pfifo', 'limit', '0']);
    const p = await t(['ping', '-c', '1', '192.168.1.1']);
    expect(p.out).toContain('No buffer space available');
    expect(await t(['tc', '-s', 'qdisc', 'show', 'dev', NIC])).toEqual({
      out: 'qdisc pfifo 8001: root refcnt 2 limit 0p\n Sent 0 bytes 0 pkt (dropped 1, overlimits 0 requeues 0) \n backlog 0b 0p requeues 0\n',
      code: 0,
    });
  });
});
