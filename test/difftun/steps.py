"""The building blocks of the differential TUN suite's sequences (sequences.py): packets and steps,
in Linux's words (record.py runs them on Linux; test/difftun/replay.test.ts runs the recorded
fixtures in tunlab).

A step is a dict: op (open, socket, close, ioctl, read, write, poll, bind, sendto, ifconfig, state),
fd (a handle name: "t", "u", "s"...), the op's arguments, and optionally "as" ({uid, gid, groups}):
the credentials it runs with (root otherwise). Opens and closes always run as root, so that an fd
outlives the step (tunlab's replay runs an "as" step in a child shell of su).
A read's "vary" lists byte ranges [start, end) that Linux does not make predictable: the IP id and
header checksum of a packet the stack itself builds (reference/tun-semantics.md §5.3).
"""

import socket
import struct

def payload(n):
    return bytes(i & 0xFF for i in range(n))

# ---------------------------------------------------------------- packets


def csum(b):
    if len(b) % 2:
        b += b'\0'
    s = sum(struct.unpack(f'!{len(b) // 2}H', b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def ip4(src, dst, proto, body, ident=1, df=False, total=None, bad_csum=False, ttl=64):
    hdr = struct.pack('!BBHHHBBH4s4s', 0x45, 0, total or 20 + len(body), ident, 0x4000 if df else 0, ttl, proto, 0,
                      socket.inet_aton(src), socket.inet_aton(dst))
    c = csum(hdr) ^ (0x0101 if bad_csum else 0)
    return hdr[:10] + struct.pack('!H', c) + hdr[12:] + body


def icmp_echo(seq_no=1, size=56, bad_csum=False):
    data = payload(size)
    c = csum(struct.pack('!BBHHH', 8, 0, 0, 0x1234, seq_no) + data) ^ (0x0101 if bad_csum else 0)
    return struct.pack('!BBHHH', 8, 0, c, 0x1234, seq_no) + data


def echo(src='10.0.0.2', dst='10.0.0.1', size=56, **kw):
    bad_icmp = kw.pop('bad_icmp', False)
    return ip4(src, dst, 1, icmp_echo(size=size, bad_csum=bad_icmp), **kw)


def pi(packet, proto=0x0800):
    return struct.pack('!HH', 0, proto) + packet


def mac(text):
    return bytes.fromhex(text.replace(':', ''))


def eth(dst, src, etype, body):
    return mac(dst) + mac(src) + struct.pack('!H', etype) + body


def arp_request(sha, spa, tpa):
    return struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, mac(sha), socket.inet_aton(spa), b'\0' * 6,
                       socket.inet_aton(tpa))


def arp_reply(sha, spa, tha, tpa):
    return struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 2, mac(sha), socket.inet_aton(spa), mac(tha),
                       socket.inet_aton(tpa))

# ---------------------------------------------------------------- steps


ROOT_NOPI = 'IFF_TUN|IFF_NO_PI'
IP_VARY = [[4, 6], [10, 12]]  # the IP id and the header checksum


def vary_at(offset, ranges=IP_VARY):
    return [[a + offset, b + offset] for a, b in ranges]


def open_(h='t', nonblock=True):
    return {'op': 'open', 'fd': h, 'flags': 'O_RDWR|O_NONBLOCK' if nonblock else 'O_RDWR'}


def sock(h='s'):
    return {'op': 'socket', 'fd': h}


def close(h='t'):
    return {'op': 'close', 'fd': h}


def setiff(name, flags=ROOT_NOPI, h='t'):
    return {'op': 'ioctl', 'fd': h, 'req': 'TUNSETIFF', 'name': name, 'flags': flags}


def getiff(h='t'):
    return {'op': 'ioctl', 'fd': h, 'req': 'TUNGETIFF'}


def value(req, v, h='t'):
    return {'op': 'ioctl', 'fd': h, 'req': req, 'value': v}


def sioc(req, name, h='s', **kw):
    return {'op': 'ioctl', 'fd': h, 'req': req, 'name': name, **kw}


def read(count=65536, h='t', vary=None):
    return {'op': 'read', 'fd': h, 'count': count, **({'vary': vary} if vary else {})}


def write(data, h='t'):
    return {'op': 'write', 'fd': h, 'data': data.hex()}


def poll(events='POLLIN|POLLOUT', h='t'):
    return {'op': 'poll', 'fd': h, 'events': events}


def ifconfig(name, *args):
    return {'op': 'ifconfig', 'name': name, 'args': list(args)}


def state(name='dt0'):
    return {'op': 'state', 'name': name}


def as_(who, *steps):
    uid, gid, groups = (who + (None, None))[:3] if isinstance(who, tuple) else (who, who, None)
    cred = {'uid': uid, 'gid': gid if gid is not None else uid, 'groups': list(groups or [])}
    return [{**s, 'as': cred} for s in steps]


def tun_up(name='dt0', flags=ROOT_NOPI, local='10.0.0.1', peer='10.0.0.2', h='t', nonblock=True):
    """A TUN with an address and a peer, up: the setup of most packet sequences."""
    return [open_(h, nonblock), setiff(name, flags, h), sock(),
            sioc('SIOCSIFADDR', name, addr=local), sioc('SIOCSIFDSTADDR', name, addr=peer), ifconfig(name, 'up')]


TAP_MAC = '02:00:00:00:00:01'
PEER_MAC = '02:00:00:00:00:02'


def tap_up(name='dt0', flags='IFF_TAP|IFF_NO_PI', h='t'):
    return [open_(h), setiff(name, flags, h), sock(), sioc('SIOCSIFHWADDR', name, family='ARPHRD_ETHER', mac=TAP_MAC),
            sioc('SIOCSIFADDR', name, addr='10.0.1.1'), sioc('SIOCSIFNETMASK', name, addr='255.255.255.0'),
            ifconfig(name, 'up')]


def persistent(name, owner=None, group=None, flags=ROOT_NOPI):
    """Root makes a persistent device with this owner and group, and lets go of it."""
    steps = [open_('m'), setiff(name, flags, 'm'), value('TUNSETPERSIST', 1, 'm')]
    if owner is not None:
        steps.append(value('TUNSETOWNER', owner, 'm'))
    if group is not None:
        steps.append(value('TUNSETGROUP', group, 'm'))
    return steps + [close('m')]


def unpersist(name):
    return [open_('z'), setiff(name, ROOT_NOPI, 'z'), value('TUNSETPERSIST', 0, 'z'), close('z'), state(name)]
