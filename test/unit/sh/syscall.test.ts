// The syscall builtin's words: every ioctl request the kernel knows takes its argument from words
// (a struct field by field), results print decoded, and usage errors name what was wanted.

import { describe, expect, it } from 'vitest';
import { IOCTL_NAMES } from '../../../kernel/abi/ioctl.js';
import { requestWords } from '../../../userland/sh/builtins/syscall-ioctl.js';
import { shellRun } from '../../helpers/session.js';

const NIC = '/dev/net/ipro1000/0';

describe('syscall help', () => {
  it('shows no example with a |, which the shell would take for a pipe', async () => {
    const r = await shellRun('syscall help; syscall help ioctl');
    expect(r.status).toBe(0);
    expect(r.out).toContain('ioctl 3 TUNSETIFF tun/%d IFF_TUN,IFF_NO_PI');
    expect(r.out.split('\n').filter((l) => l.includes('|'))).toEqual([]);
  });

  it('lists every ioctl request the kernel has a name for, with the words it takes', async () => {
    const r = await shellRun('syscall help ioctl');
    for (const [num, name] of Object.entries(IOCTL_NAMES)) {
      expect(requestWords(Number(num)), name).toBeDefined();
      expect(r.out).toMatch(new RegExp(`^  ${name}( |$)`, 'm'));
    }
  });
});

describe('syscall usage errors', () => {
  it('open, stat and chmod want a path: a usage error, not ENOENT', async () => {
    expect(await shellRun('syscall open')).toEqual({ out: '', err: 'syscall open: missing PATH\nusage: syscall open PATH [FLAGS] [MODE]   e.g. open /dev/misc/tun O_RDWR,O_NONBLOCK\n', status: 2 });
    expect((await shellRun('syscall stat')).err).toBe('syscall stat: missing PATH\nusage: syscall stat PATH\n');
    expect((await shellRun('syscall open /tmp/f O_CREAT,O_WRONLY 9')).err).toMatch(/^syscall open: MODE must be octal \(0644, 755\), not 9\n/);
  });

  it("a bad word of an ioctl's struct names the request and gives its words", async () => {
    expect(await shellRun(`syscall socket AF_INET SOCK_DGRAM >/dev/null; syscall ioctl 3 SIOCSIFMTU ${NIC} big`)).toEqual({
      out: '',
      err: 'syscall ioctl: SIOCSIFMTU: MTU must be a number, not big\nusage: syscall ioctl FD SIOCSIFMTU NAME MTU\n',
      status: 2,
    });
  });
});

describe('SIOCSIFHWADDR [NAME] [FAMILY] MAC', () => {
  it('takes the family as an ARPHRD_* name or a number, ARPHRD_ETHER by default', async () => {
    const r = await shellRun(
      [
        'syscall socket AF_INET SOCK_DGRAM',
        `syscall ioctl 3 SIOCSIFHWADDR ${NIC} 52:54:00:aa:bb:01`,
        `syscall ioctl 3 SIOCSIFHWADDR ${NIC} ARPHRD_ETHER 52:54:00:aa:bb:02`,
        `syscall ioctl 3 SIOCSIFHWADDR ${NIC} 1 52:54:00:aa:bb:03`,
        // An Ethernet device refuses another family, as Linux's dev_set_mac_address does.
        `syscall ioctl 3 SIOCSIFHWADDR ${NIC} ARPHRD_PPP 52:54:00:aa:bb:04`,
        `syscall ioctl 3 SIOCSIFHWADDR ${NIC} 772 52:54:00:aa:bb:05`,
        `ifconfig ${NIC} | grep Hardware`,
      ].join('; '),
    );
    expect(r.out).toBe(
      '3\n' +
        `0 {ifr_name="${NIC}", ifr_hwaddr={sa_family=ARPHRD_ETHER, sa_data=52:54:00:aa:bb:01}}\n` +
        `0 {ifr_name="${NIC}", ifr_hwaddr={sa_family=ARPHRD_ETHER, sa_data=52:54:00:aa:bb:02}}\n` +
        `0 {ifr_name="${NIC}", ifr_hwaddr={sa_family=ARPHRD_ETHER, sa_data=52:54:00:aa:bb:03}}\n` +
        '-1 EINVAL (Invalid Argument)\n-1 EINVAL (Invalid Argument)\n' +
        '\tHardware type: Ethernet, Address: 52:54:00:aa:bb:03\n',
    );
  });

  it('on a tap fd, the name may be left out; a family that is neither name nor number is a usage error', async () => {
    const r = await shellRun('syscall open /dev/misc/tun O_RDWR >/dev/null; syscall ioctl 3 TUNSETIFF tap/%d IFF_TAP >/dev/null; syscall ioctl 3 SIOCSIFHWADDR ARPHRD_ETHER 52:54:00:aa:bb:06; syscall ioctl 3 SIOCSIFHWADDR x ETHER 52:54:00:aa:bb:07');
    expect(r.out).toBe('0 {ifr_name="", ifr_hwaddr={sa_family=ARPHRD_ETHER, sa_data=52:54:00:aa:bb:06}}\n');
    expect(r.err).toBe('syscall ioctl: SIOCSIFHWADDR: FAMILY must be a name like ARPHRD_NETROM or a number up to 65535, not ETHER\nusage: syscall ioctl FD SIOCSIFHWADDR [NAME] [FAMILY] MAC\n');
  });
});

describe('structs from words, decoded results', () => {
  it('routes: SIOCADDRT with route(8) keywords, SIOCGETRT, SIOCGRTTABLE decoded field by field', async () => {
    const r = await shellRun('syscall socket AF_INET SOCK_DGRAM >/dev/null; syscall ioctl 3 SIOCADDRT 10.9.0.0 255.255.0.0 gw 192.168.1.1 metric 3 >/dev/null; syscall ioctl 3 SIOCGETRT 10.9.1.1; syscall ioctl 3 SIOCGRTTABLE | grep -c "rt_dst="');
    expect(r.out).toBe(
      '0 {rt_dst={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("10.9.0.0")}, rt_genmask={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("255.255.0.0")}, ' +
        'rt_gateway={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("192.168.1.1")}, rt_flags=RTF_UP|RTF_GATEWAY|RTF_STATIC, rt_metric=3, rt_mtu=0, rt_dev="/dev/net/ipro1000/0"}\n1\n',
    );
  });

  it('TUNSETQUEUE flags are named IFF_ATTACH_QUEUE / IFF_DETACH_QUEUE, not the interface flags of the same value', async () => {
    const r = await shellRun('syscall open /dev/misc/tun O_RDWR >/dev/null; syscall ioctl 3 TUNSETIFF mq0 IFF_TUN,IFF_MULTI_QUEUE >/dev/null; syscall ioctl 3 TUNSETQUEUE IFF_DETACH_QUEUE; syscall ioctl 3 TUNSETQUEUE IFF_ATTACH_QUEUE');
    expect(r.out).toBe('0 {ifr_name="", ifr_flags=IFF_DETACH_QUEUE}\n0 {ifr_name="", ifr_flags=IFF_ATTACH_QUEUE}\n');
  });

  it('TUNSETTXFILTER, TUNSETLINK and TUNSETOFFLOAD by name; SIOCSARP; SIOCGIFCONF', async () => {
    const r = await shellRun(
      [
        'syscall open /dev/misc/tun O_RDWR >/dev/null 2>&1',
        'syscall ioctl 3 TUNSETIFF tap/%d IFF_TAP,IFF_NO_PI >/dev/null',
        'syscall ioctl 3 TUNSETTXFILTER TUN_FLT_ALLMULTI 52:54:00:00:00:01 52:54:00:00:00:02',
        'syscall ioctl 3 TUNSETOFFLOAD TUN_F_CSUM,TUN_F_TSO4',
        'syscall ioctl 3 TUNSETLINK ARPHRD_ETHER',
        'syscall ioctl 3 TUNSETLINK ETHER',
        'syscall socket AF_INET SOCK_DGRAM >/dev/null',
        'syscall ioctl 4 SIOCSARP 192.168.1.77 52:54:00:00:00:77',
        'arp -a | grep 77',
        'syscall ioctl 4 SIOCGIFCONF',
      ].join('; '),
    );
    expect(r.out).toBe(
      '2 {flags=TUN_FLT_ALLMULTI, count=2, addr=[52:54:00:00:00:01, 52:54:00:00:00:02]}\n0\n0\n' +
        '0 {ip="192.168.1.77", mac="52:54:00:00:00:77"}\n' +
        '   192.168.1.77  52:54:00:00:00:77  permanent valid\n' +
        '0 {ifc_req=[{ifr_name="loop", ifr_addr={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("127.0.0.1")}}, ' +
        '{ifr_name="/dev/net/ipro1000/0", ifr_addr={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("192.168.1.10")}}, ' +
        '{ifr_name="/dev/net/virtio/0", ifr_addr={sa_family=AF_INET, sin_port=htons(0), sin_addr=inet_addr("10.0.2.15")}}, {ifr_name="tap/0"}]}\n',
    );
    expect(r.err).toBe('syscall ioctl: TUNSETLINK: ARPHRD_TYPE must be a name like ARPHRD_NETROM or a number up to 65535, not ETHER\nusage: syscall ioctl FD TUNSETLINK ARPHRD_TYPE\n');
  });
});

describe('credentials', () => {
  it("getuid, getgid, getgroups, and the set calls with Linux's rules (the shell's own process changes)", async () => {
    const r = await shellRun('syscall getgroups; syscall setgroups 20,10; syscall getgroups; syscall setgid 100; syscall setuid 1000; syscall getuid; syscall getgid; id; syscall setuid 0; syscall setgroups; syscall setgid 4294967295');
    expect(r.out).toBe('0 []\n0\n2 [10, 20]\n0\n0\n1000\n100\nuid=1000 gid=100 groups=100,10,20\n-1 EPERM (Operation not allowed)\n-1 EPERM (Operation not allowed)\n-1 EINVAL (Invalid Argument)\n');
    expect((await shellRun('syscall setgroups 1,x')).err).toBe('syscall setgroups: GID must be a number, not x\nusage: syscall setgroups [GID[,GID...]]   e.g. setgroups 100,101 (none: no groups)\n');
  });
});
