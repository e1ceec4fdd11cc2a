#!/usr/bin/env python3
"""Record the differential TUN suite on this machine's real Linux kernel.

Each sequence of test/difftun/sequences.py runs in a network namespace of its own (made here, named
tunlab-diff-<pid>-<n>, deleted after), against the real /dev/net/tun, and what Linux answered is
written as fixtures/difftun/<name>.json: every step with its return value or errno name, the bytes
a read gave, and the interface's state where the sequence asks for it. tunlab's replay
(test/difftun/replay.test.ts) must give the same answers.

Usage (as root):  python3 test/difftun/record.py [--out DIR] [NAME ...]
       python3 test/difftun/record.py --json NAME ...   (print the recordings, write nothing)
Never edit a fixture by hand: re-record it.
"""

import errno
import fcntl
import json
import os
import platform
import select
import socket
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.dont_write_bytecode = True  # no __pycache__ in the work tree
import sequences  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(HERE))

# ---------------------------------------------------------------- the kernel's numbers (x86-64)

TUNSETIFF, TUNSETPERSIST, TUNSETOWNER, TUNSETGROUP = 0x400454CA, 0x400454CB, 0x400454CC, 0x400454CE
TUNGETFEATURES, TUNGETIFF = 0x800454CF, 0x800454D2
SIOC = {
    'SIOCGIFFLAGS': 0x8913, 'SIOCSIFFLAGS': 0x8914, 'SIOCSIFADDR': 0x8916, 'SIOCSIFDSTADDR': 0x8918,
    'SIOCSIFNETMASK': 0x891C, 'SIOCGIFMTU': 0x8921, 'SIOCSIFMTU': 0x8922, 'SIOCSIFHWADDR': 0x8924,
    'SIOCGIFHWADDR': 0x8927,
}
TUN_FLAGS = {
    'IFF_TUN': 0x0001, 'IFF_TAP': 0x0002, 'IFF_NO_CARRIER': 0x0040, 'IFF_MULTI_QUEUE': 0x0100,
    'IFF_PERSIST': 0x0800, 'IFF_NO_PI': 0x1000, 'IFF_ONE_QUEUE': 0x2000, 'IFF_VNET_HDR': 0x4000,
    'IFF_TUN_EXCL': 0x8000,
}
IF_FLAGS = {
    'IFF_UP': 0x1, 'IFF_BROADCAST': 0x2, 'IFF_LOOPBACK': 0x8, 'IFF_POINTOPOINT': 0x10,
    'IFF_RUNNING': 0x40, 'IFF_NOARP': 0x80, 'IFF_PROMISC': 0x100, 'IFF_ALLMULTI': 0x200,
    'IFF_MULTICAST': 0x1000,
}
ARPHRD = {'ARPHRD_ETHER': 1, 'ARPHRD_NONE': 65534, 'ARPHRD_LOOPBACK': 772, 'ARPHRD_PPP': 512}
POLL = [('POLLIN', select.POLLIN), ('POLLPRI', select.POLLPRI), ('POLLOUT', select.POLLOUT),
        ('POLLERR', select.POLLERR), ('POLLHUP', select.POLLHUP), ('POLLNVAL', select.POLLNVAL)]
O_FLAGS = {'O_RDWR': os.O_RDWR, 'O_NONBLOCK': os.O_NONBLOCK}
# Where two names share a number, the one Linux's headers and tunlab use.
ERRNO_NAME = {**errno.errorcode, errno.EAGAIN: 'EAGAIN', errno.EOPNOTSUPP: 'EOPNOTSUPP', errno.EDEADLK: 'EDEADLK'}
STRERROR = {os.strerror(n): name for n, name in ERRNO_NAME.items()}


def bits(words, table):
    v = 0
    for w in words.split('|') if words else []:
        v |= table[w] if w in table else int(w, 0)
    return v


def names(value, table):
    out = [n for n, b in table.items() if value & b]
    rest = value & ~sum(table[n] for n in out)
    return '|'.join(out + ([hex(rest)] if rest else []))


def ifreq(name, tail=b''):
    return struct.pack('16s', name.encode()) + tail.ljust(24, b'\0')


def sockaddr_in(addr):
    return struct.pack('HH4s8x', socket.AF_INET, 0, socket.inet_aton(addr))


# ---------------------------------------------------------------- running one step

class Runner:
    """The fds of one sequence, by the handle names its steps use."""

    def __init__(self):
        self.fds = {}

    def creds(self, who):
        if who is None:
            os.setresuid(0, 0, 0)
            os.setresgid(0, 0, 0)
            os.setgroups([])
        else:
            # The saved uid stays 0, so the next root step can take root back; the effective
            # capabilities go with the effective uid, as for a real unprivileged process.
            os.setgroups(who.get('groups', []))
            os.setresgid(who['gid'], who['gid'], 0)
            os.setresuid(who['uid'], who['uid'], 0)

    def run(self, step):
        # ifconfig is a program of its own: subprocess gives it the step's credentials.
        self.creds(None if step['op'] == 'ifconfig' else step.get('as'))
        try:
            return self.call(step)
        except OSError as e:
            return {'ret': -1, 'errno': ERRNO_NAME.get(e.errno, str(e.errno))}
        finally:
            self.creds(None)

    def call(self, s):
        op = s['op']
        if op == 'open':
            fd = os.open('/dev/net/tun', bits(s['flags'], O_FLAGS))
            self.fds[s['fd']] = fd
            return {'ret': 'fd'}
        if op == 'socket':
            self.fds[s['fd']] = socket.socket(socket.AF_INET, socket.SOCK_DGRAM).detach()
            return {'ret': 'fd'}
        fd = self.fds.get(s.get('fd'))
        if op == 'close':
            os.close(fd)
            return {'ret': 0}
        if op == 'read':
            data = os.read(fd, s['count'])
            return {'ret': len(data), 'data': data.hex()}
        if op == 'write':
            return {'ret': os.write(fd, bytes.fromhex(s['data']))}
        if op == 'poll':
            p = select.poll()
            p.register(fd, bits(s['events'], dict(POLL)))
            got = p.poll(0)
            revents = got[0][1] if got else 0
            return {'ret': len(got), 'revents': '|'.join(n for n, b in POLL if revents & b)}
        if op == 'bind':
            sock = socket.socket(fileno=os.dup(fd))
            sock.bind((s['addr'], s['port']))
            sock.detach()
            return {'ret': 0}
        if op == 'sendto':
            sock = socket.socket(fileno=os.dup(fd))
            try:
                return {'ret': sock.sendto(sequences.payload(s['size']), (s['addr'], s['port']))}
            finally:
                sock.detach()
        if op == 'ioctl':
            return self.ioctl(fd, s)
        if op == 'ifconfig':
            return self.ifconfig(s)
        if op == 'state':
            return state(s['name'])
        raise ValueError(f'unknown op {op}')

    def ioctl(self, fd, s):
        req = s['req']
        if req == 'TUNSETIFF':
            out = fcntl.ioctl(fd, TUNSETIFF, ifreq(s['name'], struct.pack('H', bits(s['flags'], TUN_FLAGS))))
            return {'ret': 0, **ifreq_name_flags(out, TUN_FLAGS)}
        if req == 'TUNGETIFF':
            return {'ret': 0, **ifreq_name_flags(fcntl.ioctl(fd, TUNGETIFF, ifreq('')), TUN_FLAGS)}
        if req == 'TUNGETFEATURES':
            value = struct.unpack('I', fcntl.ioctl(fd, TUNGETFEATURES, struct.pack('I', 0)))[0]
            return {'ret': 0, 'value': value}
        if req in ('TUNSETPERSIST', 'TUNSETOWNER', 'TUNSETGROUP'):
            return {'ret': fcntl.ioctl(fd, globals()[req], s['value'])}
        num = SIOC[req]
        if req == 'SIOCGIFFLAGS':
            return {'ret': 0, **ifreq_name_flags(fcntl.ioctl(fd, num, ifreq(s['name'])), IF_FLAGS)}
        if req == 'SIOCSIFFLAGS':
            fcntl.ioctl(fd, num, ifreq(s['name'], struct.pack('H', bits(s['flags'], IF_FLAGS))))
            return {'ret': 0}
        if req == 'SIOCGIFMTU':
            return {'ret': 0, 'mtu': struct.unpack_from('i', fcntl.ioctl(fd, num, ifreq(s['name'])), 16)[0]}
        if req == 'SIOCSIFMTU':
            fcntl.ioctl(fd, num, ifreq(s['name'], struct.pack('i', s['mtu'])))
            return {'ret': 0}
        if req == 'SIOCSIFHWADDR':
            mac = bytes.fromhex(s['mac'].replace(':', ''))
            fcntl.ioctl(fd, num, ifreq(s['name'], struct.pack('H14s', ARPHRD[s['family']], mac)))
            return {'ret': 0}
        if req == 'SIOCGIFHWADDR':
            out = fcntl.ioctl(fd, num, ifreq(s['name']))
            family, mac = struct.unpack_from('H6s', out, 16)
            return {'ret': 0, 'family': family, 'mac': mac.hex(':')}
        if req in ('SIOCSIFADDR', 'SIOCSIFDSTADDR', 'SIOCSIFNETMASK'):
            fcntl.ioctl(fd, num, ifreq(s['name'], sockaddr_in(s['addr'])))
            return {'ret': 0}
        raise ValueError(f'unknown ioctl {req}')

    def ifconfig(self, s):
        who = s.get('as')
        extra = {} if who is None else {'user': who['uid'], 'group': who['gid'], 'extra_groups': who.get('groups', [])}
        p = subprocess.run(['ifconfig', s['name'], *s['args']], capture_output=True, text=True, **extra)
        if p.returncode == 0:
            return {'status': 0}
        # net-tools says "SIOCSIFMTU: Invalid argument": the errno is the text after the colon.
        text = p.stderr.strip().splitlines()[-1] if p.stderr.strip() else ''
        return {'status': p.returncode, 'errno': STRERROR.get(text.rsplit(': ', 1)[-1], text)}


def ifreq_name_flags(out, table):
    name = out[:16].split(b'\0', 1)[0].decode()
    value = struct.unpack_from('H', out, 16)[0]
    return {'name': name, 'flags': value, 'flag_names': names(value, table)}


def settle(name):
    """IFF_RUNNING follows the carrier through link-watch, up to a second late (reference §5.12):
    wait until it says what the device's state says, as an emulator that applies it at once would."""
    for _ in range(40):
        try:
            up = int(open(f'/sys/class/net/{name}/flags').read(), 0) & 1
            carrier = up and open(f'/sys/class/net/{name}/carrier').read().strip() == '1'
            running = open(f'/sys/class/net/{name}/operstate').read().strip() in ('up', 'unknown')
        except OSError:
            return
        if bool(carrier) == running:
            return
        time.sleep(0.05)


def state(name):
    settle(name)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        flags = struct.unpack_from('H', fcntl.ioctl(s.fileno(), SIOC['SIOCGIFFLAGS'], ifreq(name)), 16)[0]
        mtu = struct.unpack_from('i', fcntl.ioctl(s.fileno(), SIOC['SIOCGIFMTU'], ifreq(name)), 16)[0]
    except OSError as e:
        return {'exists': False, 'errno': ERRNO_NAME[e.errno]}
    finally:
        s.close()
    stats = {k: int(open(f'/sys/class/net/{name}/statistics/{k}').read())
             for k in ('rx_packets', 'rx_bytes', 'rx_dropped', 'tx_packets', 'tx_bytes', 'tx_dropped')}
    return {'exists': True, 'flags': flags, 'flag_names': names(flags, IF_FLAGS), 'mtu': mtu, 'stats': stats}


def inner(name):
    """In the namespace: loopback up and IPv6 off (tunlab has no IPv6, and Linux's router
    solicitations would be packets tunlab never sends), then the steps."""
    subprocess.run(['ip', 'link', 'set', 'lo', 'up'], check=True)
    for knob in ('all', 'default'):
        try:
            with open(f'/proc/sys/net/ipv6/conf/{knob}/disable_ipv6', 'w') as f:
                f.write('1')
        except OSError:
            pass
    seq = sequences.BY_NAME[name]
    r = Runner()
    steps = []
    for step in seq['steps']:
        if step['op'] in ('ioctl',) and step['req'] == 'SIOCGIFFLAGS':
            settle(step['name'])
        steps.append({**step, 'result': r.run(step)})
        if step['op'] == 'sendto' or step['op'] == 'write':
            time.sleep(0.02)  # let softirq deliver what the stack answers before the next read
    json.dump({'steps': steps}, sys.stdout)


def record(name, ns):
    subprocess.run(['ip', 'netns', 'add', ns], check=True)
    try:
        p = subprocess.run(['ip', 'netns', 'exec', ns, sys.executable, os.path.abspath(__file__), '--inner', name],
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise RuntimeError(f'{name}: {p.stderr}')
        seq = sequences.BY_NAME[name]
        return {'name': name, 'description': seq['description'], 'kernel': platform.release(),
                **({'items': seq['items']} if seq.get('items') else {}), **json.loads(p.stdout)}
    finally:
        subprocess.run(['ip', 'netns', 'del', ns], check=False)


def main(argv):
    if argv[:1] == ['--inner']:
        return inner(argv[1])
    if os.geteuid() != 0:
        sys.exit('record.py: needs root (network namespaces and /dev/net/tun)')
    out = os.path.join(ROOT, 'fixtures', 'difftun')
    to_stdout = False
    if argv[:1] == ['--out']:
        out, argv = argv[1], argv[2:]
    if argv[:1] == ['--json']:
        to_stdout, argv = True, argv[1:]
    wanted = argv or [s['name'] for s in sequences.SEQUENCES]
    unknown = [n for n in wanted if n not in sequences.BY_NAME]
    if unknown:
        sys.exit(f'record.py: no sequence {", ".join(unknown)}')
    results = []
    for i, name in enumerate(wanted):
        results.append(record(name, f'tunlab-diff-{os.getpid()}-{i}'))
    if to_stdout:
        json.dump(results, sys.stdout, indent=1)
        return
    os.makedirs(out, exist_ok=True)
    for r in results:
        with open(os.path.join(out, f"{r['name']}.json"), 'w') as f:
            json.dump(r, f, indent=1)
            f.write('\n')
    print(f'recorded {len(results)} sequences in {out}')


if __name__ == '__main__':
    main(sys.argv[1:])
