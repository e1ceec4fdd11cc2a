// Permissions, through the shell as a user would meet them: `su 1000 -c CMD` gets EPERM (in each
// program's own words) for creating interfaces (ifconfig, TUNSETIFF from the syscall builtin,
// tunreply, tunrelay, openvpn, bridges), for setting addresses and routes, for capturing, for
// binding a privileged port, and for attaching to a tun another user owns (or of a group it is not
// in: su -G and /etc/group give groups); root, running the same command, does not. (The
// syscall-level rules are in test/unit/tun/permissions.test.ts and the direct program runs in
// test/unit/programs/net-tools*.test.ts.)

import { describe, expect, it } from 'vitest';
import { crashes, JS_LEAK, runBounded, userlandWorld } from './harness.js';

const NIC = '/dev/net/ipro1000/0';

interface Row {
  what: string;
  cmd: string;
  user: RegExp;
  /** What root gets: an exit status, or 'runs' for a program that goes on until killed. */
  root: { code: number | 'runs'; out: RegExp };
}

const ROWS: Row[] = [
  { what: 'create a tun by ifconfig', cmd: 'ifconfig tun/0 up', user: /^ifconfig: Could not add interface: Operation not allowed\n$/, root: { code: 0, out: /^$/ } },
  { what: 'create a bridge', cmd: 'ifconfig bridge/0 create', user: /^ifconfig: Could not create interface bridge\/0: Operation not allowed\n$/, root: { code: 0, out: /^$/ } },
  { what: 'set an address', cmd: `ifconfig ${NIC} 192.168.1.20`, user: /^ifconfig: Setting address failed: Operation not allowed\n$/, root: { code: 0, out: /^$/ } },
  {
    what: 'add a route',
    cmd: `route add ${NIC} 10.9.0.0 netmask 255.255.0.0 gw 192.168.1.1`,
    user: /^route: Could not add route for \/dev\/net\/ipro1000\/0: Operation not allowed\n$/,
    root: { code: 0, out: /^$/ },
  },
  { what: 'delete a route', cmd: `route delete ${NIC} default`, user: /^route: Could not delete route for \/dev\/net\/ipro1000\/0: Operation not allowed\n$/, root: { code: 0, out: /^$/ } },
  { what: 'set an ARP entry', cmd: 'arp -s 192.168.1.50 02:00:00:00:00:50', user: /Operation not allowed\n$/, root: { code: 0, out: /^$/ } },
  {
    what: 'TUNSETIFF from the syscall builtin',
    cmd: 'syscall open /dev/misc/tun O_RDWR; syscall ioctl 3 TUNSETIFF tun/%d IFF_TUN',
    user: /^3\n-1 EPERM \(Operation not allowed\)\n$/,
    root: { code: 0, out: /^3\n0 \{ifr_name="tun\/0", ifr_flags=IFF_TUN\}\n$/ },
  },
  { what: 'create a tun with tunreply', cmd: 'tunreply -c tun/%d', user: /^tunreply: \/dev\/misc\/tun: Operation not allowed\n$/, root: { code: 'runs', out: /^tunreply: answering on tun\/0 \(tun\)\n$/ } },
  { what: 'create a tun with tunrelay', cmd: 'tunrelay 10.0.0.2', user: /^tunrelay: Operation not allowed\n$/, root: { code: 'runs', out: /^tunrelay: tun\/0 <-> udp 10\.0\.0\.2:5555/ } },
  {
    what: 'create a tun with openvpn',
    cmd: 'openvpn --dev tun --ifconfig 10.8.0.2 10.8.0.1',
    user: /ERROR: Cannot ioctl TUNSETIFF tun: Operation not allowed/,
    root: { code: 'runs', out: /UDPv4 link local/ },
  },
  {
    what: 'capture with tcpdump',
    cmd: 'tcpdump -c 1',
    user: /^tcpdump: \/dev\/net\/ipro1000\/0: You don't have permission to perform this capture on that device\n\(SIOCSPACKETCAP: Operation not allowed\)\n$/,
    root: { code: 'runs', out: /listening on \/dev\/net\/ipro1000\/0/ },
  },
  // FreeBSD's traceroute reads the ICMP answers on a raw socket, which only root may open now (12.24).
  { what: 'trace a route', cmd: 'traceroute -q 1 192.168.1.1', user: /^traceroute: icmp socket: Operation not allowed\n$/, root: { code: 0, out: /^traceroute to 192\.168\.1\.1 / } },
  { what: 'bind a privileged port', cmd: 'udpserver -p 80', user: /^udpserver: bind 0\.0\.0\.0:80: Permission denied\n$/, root: { code: 'runs', out: /^udpserver: listening on 0\.0\.0\.0:80\n$/ } },
  { what: 'become another user', cmd: 'su 0 -c id', user: /^su: Authentication failure\n$/, root: { code: 0, out: /^uid=0\(user\) gid=0/ } },
];

describe('an unprivileged user, through the shell', () => {
  it.each(ROWS.map((r) => [r.what, r] as const))('%s: EPERM for uid 1000, allowed for root', async (_what, row) => {
    const { w, panics } = userlandWorld();
    const user = await runBounded(w, 'a', ['su', '1000', '-c', row.cmd], { limitNs: 10e9 });
    expect(user.out).toMatch(row.user);
    expect(user.code).toBe(1);
    expect(user.killed).toBe(false);
    expect(user.out).not.toMatch(JS_LEAK);

    const { w: w2, panics: panics2 } = userlandWorld();
    const root = await runBounded(w2, 'a', ['sh', '-c', row.cmd], { limitNs: 10e9 });
    expect(root.out).toMatch(row.root.out);
    expect(root.out).not.toMatch(/not allowed|Permission denied/);
    if (row.root.code === 'runs') expect(root.killed).toBe(true);
    else expect(root.code).toBe(row.root.code);
    expect([...crashes(w), ...crashes(w2), ...panics, ...panics2]).toEqual([]);
  });

  it('may attach to a tun only when it is the owner; owning it still does not let it configure it', async () => {
    const { w, panics } = userlandWorld();
    const setup = await runBounded(w, 'a', [
      'sh',
      '-c',
      'syscall open /dev/misc/tun O_RDWR >/dev/null; syscall ioctl 3 TUNSETIFF tun/0 IFF_TUN,IFF_NO_PI >/dev/null; ' +
        'syscall ioctl 3 TUNSETPERSIST 1; syscall ioctl 3 TUNSETOWNER 1000; syscall close 3; ifconfig tun/0 10.8.0.2 peer 10.8.0.1 up',
    ]);
    expect(setup.out).toBe('0\n0\n0\n');
    const as = (uid: number | 'root', cmd: string) => runBounded(w, 'a', uid === 'root' ? ['sh', '-c', cmd] : ['su', String(uid), '-c', cmd], { limitNs: 5e9 });

    const other = await as(1001, 'tunreply /dev/tun/0');
    expect([other.out, other.code]).toEqual(['tunreply: /dev/tun/0: Operation not allowed\n', 1]);
    const otherRelay = await as(1001, 'tunrelay -d tun/0 10.0.0.2');
    expect([otherRelay.out, otherRelay.code]).toEqual(['tunrelay: Operation not allowed\n', 1]);
    const otherSyscall = await as(1001, 'syscall open /dev/misc/tun O_RDWR; syscall ioctl 3 TUNSETIFF tun/0 IFF_TUN,IFF_NO_PI');
    expect(otherSyscall.out).toBe('3\n-1 EPERM (Operation not allowed)\n');

    const owner = await as(1000, 'tunreply /dev/tun/0');
    expect(owner.out).toBe('tunreply: answering on tun/0 (tun)\n');
    expect(owner.killed).toBe(true);
    const ownerDown = await as(1000, 'ifconfig tun/0 down');
    expect([ownerDown.out, ownerDown.code]).toEqual(['ifconfig: Setting flags failed: Operation not allowed\n', 1]);

    const root = await as('root', 'tunreply /dev/tun/0');
    expect(root.out).toBe('tunreply: answering on tun/0 (tun)\n');
    expect(root.killed).toBe(true);
    expect(w.mustHost('a').net.byName('tun/0')!.up).toBe(true);
    expect([...crashes(w), ...panics]).toEqual([]);
  });

  it("may attach to a tun of a group it is in (TUNSETGROUP): su -G, or the groups /etc/group gives it", async () => {
    const { w, panics } = userlandWorld();
    const setup = await runBounded(w, 'a', [
      'sh',
      '-c',
      'syscall open /dev/misc/tun O_RDWR >/dev/null; syscall ioctl 3 TUNSETIFF tun/0 IFF_TUN,IFF_NO_PI >/dev/null; ' +
        'syscall ioctl 3 TUNSETPERSIST 1; syscall ioctl 3 TUNSETGROUP 100; syscall close 3; ' +
        "echo 'bob:x:1000:1000::/boot/home:/bin/sh' >> /etc/passwd; echo 'tun:x:100:bob' >> /etc/group",
    ]);
    expect(setup.out).toBe('0\n0\n0\n');
    const attach = 'syscall open /dev/misc/tun O_RDWR >/dev/null; syscall ioctl 3 TUNSETIFF tun/0 IFF_TUN,IFF_NO_PI';
    const run = (su: string) => runBounded(w, 'a', ['sh', '-c', `${su} -c '${attach}'`], { limitNs: 5e9 });
    expect((await run('su 1001')).out).toBe('-1 EPERM (Operation not allowed)\n');
    expect((await run('su -G 101 1001')).out).toBe('-1 EPERM (Operation not allowed)\n');
    expect((await run('su -G 101,100 1001')).out).toBe('0 {ifr_name="tun/0", ifr_flags=IFF_TUN|IFF_NO_PI}\n');
    expect((await run('su -g 100 1001')).out).toBe('0 {ifr_name="tun/0", ifr_flags=IFF_TUN|IFF_NO_PI}\n');
    expect((await run('su bob')).out).toBe('0 {ifr_name="tun/0", ifr_flags=IFF_TUN|IFF_NO_PI}\n');
    expect([...crashes(w), ...panics]).toEqual([]);
  });

  it('12.24: raw sockets are root\'s; a user pings through an ICMP datagram socket while ping_group_range lets it', async () => {
    const { w, panics } = userlandWorld();
    const as = (uid: number | 'root', cmd: string) => runBounded(w, 'a', uid === 'root' ? ['sh', '-c', cmd] : ['su', String(uid), '-c', cmd], { limitNs: 20e9 });
    expect((await as(1000, 'syscall socket AF_INET SOCK_RAW IPPROTO_ICMP')).out).toBe('-1 EPERM (Operation not allowed)\n');
    expect((await as(1000, 'syscall socket AF_INET SOCK_DGRAM IPPROTO_ICMP')).out).toBe('3\n');
    const user = await as(1000, 'ping -c 1 192.168.1.1');
    const root = await as('root', 'ping -c 1 192.168.1.1');
    expect(user.out).toMatch(/^PING 192\.168\.1\.1 \(192\.168\.1\.1\): 56 data bytes\n64 bytes from 192\.168\.1\.1: icmp_seq=0 ttl=64 time=/);
    // The same lines as root's; only the times differ (the first ping waited for ARP).
    const untimed = (t: string) => t.replace(/time=\S+ ms/g, 'time=T').replace(/= [\d./]+ ms/, '= T');
    expect([untimed(user.out), user.code]).toEqual([untimed(root.out), 0]);
    expect(await as(1000, 'sysctl -w net.ipv4.ping_group_range="0 5"')).toMatchObject({ out: 'sysctl: permission denied on key "net.ipv4.ping_group_range"\n', code: 1 });
    expect((await as('root', 'sysctl -w net.ipv4.ping_group_range="1 0"; sysctl net.ipv4.ping_group_range')).out).toBe(
      'net.ipv4.ping_group_range = 1 0\nnet.ipv4.ping_group_range = 1\t0\n',
    );
    expect(await as(1000, 'ping -c 1 192.168.1.1')).toMatchObject({
      out: 'ping: socktype: SOCK_RAW\nping: socket: Operation not allowed\nping: => missing cap_net_raw+p capability or setuid?\n',
      code: 2,
    });
    expect((await as('root', 'sysctl -w net.ipv4.ping_group_range="5 x"')).out).toBe('sysctl: setting key "net.ipv4.ping_group_range": Invalid Argument\n');
    expect([...crashes(w), ...panics]).toEqual([]);
  });
});
