"""The differential TUN suite: each sequence runs on a real Linux TUN (record.py) and in tunlab
(test/difftun/replay.test.ts), and the two must answer alike. Steps are built in steps.py.
`items` names the fidelity items of issue 11 a sequence covers (15 DF on UDP, 16 supplementary
groups for TUNSETGROUP, 17 SIOCSIFHWADDR's family).
"""

from steps import (PEER_MAC, ROOT_NOPI, TAP_MAC, IP_VARY, arp_reply, arp_request, as_, close, echo, eth, getiff, ifconfig,
                   open_, payload, persistent, pi, poll, read, setiff, sioc, sock, state, tap_up, tun_up,
                   value, vary_at, write)

SEQUENCES = []
BY_NAME = {}


def seq(name, description, *steps, items=None):
    flat = []
    for s in steps:
        flat.extend(s if isinstance(s, list) else [s])
    assert all(s['op'] not in ('open', 'socket', 'close') or 'as' not in s for s in flat), name
    entry = {'name': name, 'description': description, 'steps': flat, **({'items': items} if items else {})}
    assert name not in BY_NAME, name
    SEQUENCES.append(entry)
    BY_NAME[name] = entry


__all__ = ['SEQUENCES', 'BY_NAME', 'payload']

ECHO = echo()
FEATURES = {'op': 'ioctl', 'fd': 't', 'req': 'TUNGETFEATURES'}
REPLY_VARY = IP_VARY
U1000 = 1000
U1001 = 1001

# ---------------------------------------------------------------- TUNSETIFF: names, types, attach

seq('setiff-tun-default-name', 'An empty name makes the kernel pick tun%d; the device goes with the last close.',
    open_(), setiff('', 'IFF_TUN'), getiff(), state('tun0'), close(), state('tun0'))
seq('setiff-tap-default-name', 'An empty name with IFF_TAP makes tap0, an Ethernet device.',
    open_(), setiff('', 'IFF_TAP|IFF_NO_PI'), getiff(), state('tap0'), close(), state('tap0'))
seq('setiff-pattern', 'A %d pattern takes the lowest free unit, on each fd.',
    open_('a'), setiff('dt%d', ROOT_NOPI, 'a'), open_('b'), setiff('dt%d', ROOT_NOPI, 'b'), state('dt0'), state('dt1'),
    close('a'), open_('c'), setiff('dt%d', ROOT_NOPI, 'c'), state('dt0'))
seq('setiff-no-type', 'Neither IFF_TUN nor IFF_TAP: EINVAL, and the fd stays usable.',
    open_(), setiff('dt0', 'IFF_NO_PI'), setiff('dt0', ROOT_NOPI), state())
seq('setiff-twice', 'A second TUNSETIFF on an attached fd: EEXIST.',
    open_(), setiff('dt0'), setiff('dt1'), setiff('dt0'), state('dt1'))
seq('setiff-long-name', 'A name of 16 characters or more is cut to 15 (reference §5.2).',
    open_(), setiff('abcdefghijklmnopqrst'), getiff(), state('abcdefghijklmno'))
seq('setiff-bad-names', "Names with '/', whitespace, '.' or '..' are refused with EINVAL.",
    open_(), setiff('a/b'), setiff('a b'), setiff('.'), setiff('..'), setiff('dt0'))
seq('setiff-bad-patterns', 'A % not followed by d, or two of them: EINVAL.',
    open_(), setiff('dt%x'), setiff('dt%d%d'), setiff('dt%'), setiff('dt%d'), getiff())
seq('setiff-existing-not-tun', 'A name that is not a tun/tap device (lo): EINVAL.',
    open_(), setiff('lo'), setiff('lo', 'IFF_TAP'))
seq('setiff-type-mismatch', 'Attaching a TAP request to a TUN device (and back): EINVAL.',
    open_('a'), setiff('dt0', ROOT_NOPI, 'a'), open_('b'), setiff('dt0', 'IFF_TAP|IFF_NO_PI', 'b'),
    open_('c'), setiff('dt1', 'IFF_TAP', 'c'), setiff('dt1', 'IFF_TUN', 'b'))
seq('setiff-busy', 'A single-queue device already attached: EBUSY for the second fd.',
    open_('a'), setiff('dt0', ROOT_NOPI, 'a'), open_('b'), setiff('dt0', ROOT_NOPI, 'b'), close('a'),
    setiff('dt0', ROOT_NOPI, 'b'), getiff('b'))
seq('setiff-tun-excl', 'IFF_TUN_EXCL on an existing device: EBUSY, before any other check.',
    open_('a'), setiff('dt0', ROOT_NOPI, 'a'), open_('b'), setiff('dt0', 'IFF_TUN|IFF_NO_PI|IFF_TUN_EXCL', 'b'),
    setiff('dt0', 'IFF_TAP|IFF_TUN_EXCL', 'b'), setiff('dt1', 'IFF_TUN|IFF_TUN_EXCL', 'b'), getiff('b'))
seq('multiqueue-two-queues', 'IFF_MULTI_QUEUE: two fds attach to one device.',
    open_('a'), setiff('dt0', 'IFF_TUN|IFF_NO_PI|IFF_MULTI_QUEUE', 'a'), open_('b'),
    setiff('dt0', 'IFF_TUN|IFF_NO_PI|IFF_MULTI_QUEUE', 'b'), getiff('a'), getiff('b'), close('a'), state())
seq('multiqueue-mismatch', 'IFF_MULTI_QUEUE must match the device: EINVAL both ways.',
    open_('a'), setiff('dt0', 'IFF_TUN|IFF_MULTI_QUEUE', 'a'), open_('b'), setiff('dt0', 'IFF_TUN', 'b'),
    open_('c'), setiff('dt1', 'IFF_TUN', 'c'), setiff('dt1', 'IFF_TUN|IFF_MULTI_QUEUE', 'b'))
seq('getiff-flags', 'TUNGETIFF masks the flags and adds IFF_NOFILTER; TUNSETIFF writes them back as passed.',
    open_('a'), setiff('dt0', 'IFF_TUN', 'a'), getiff('a'), open_('b'), setiff('dt1', 'IFF_TAP|IFF_ONE_QUEUE', 'b'),
    getiff('b'), open_('c'), setiff('dt2', 'IFF_TUN|IFF_NO_PI|IFF_VNET_HDR', 'c'), getiff('c'))
seq('getfeatures', 'TUNGETFEATURES works before TUNSETIFF and after.',
    open_(), FEATURES, setiff('dt0'), FEATURES)
seq('unattached-calls', 'Before TUNSETIFF: read, write and most ioctls give EBADFD, poll POLLERR.',
    open_(), read(), write(ECHO), getiff(), value('TUNSETPERSIST', 1), poll())
seq('close-removes', 'The last close of a device that is not persistent deletes it, addresses and all.',
    tun_up(), state(), close(), state(), sioc('SIOCGIFFLAGS', 'dt0'))

# ---------------------------------------------------------------- TUNSETPERSIST, TUNSETOWNER, TUNSETGROUP

seq('persist-survives-close', 'A persistent device outlives its fd, and is re-attached by name.',
    open_(), setiff('dt0'), value('TUNSETPERSIST', 1), getiff(), close(), state(),
    open_('b'), setiff('dt0', ROOT_NOPI, 'b'), getiff('b'), value('TUNSETPERSIST', 0, 'b'), getiff('b'), close('b'),
    state())
seq('persist-reattach-framing', 'A re-attach takes IFF_NO_PI from the new call.',
    persistent('dt0'), open_(), setiff('dt0', 'IFF_TUN'), getiff(), close(), open_(), setiff('dt0', ROOT_NOPI),
    getiff())
seq('persist-carrier-off', 'A persistent device that is up loses IFF_RUNNING when its last fd closes.',
    tun_up(), value('TUNSETPERSIST', 1), state(), close(), state(), open_('b'), setiff('dt0', ROOT_NOPI, 'b'), state())
seq('create-nonroot', 'Creating a device needs CAP_NET_ADMIN: EPERM as uid 1000.',
    open_(), as_(U1000, setiff('dt0'), setiff('', 'IFF_TAP')), state())
seq('create-nonroot-no-type', 'Unprivileged and no type: EPERM comes before EINVAL.',
    open_(), as_(U1000, setiff('dt0', 'IFF_NO_PI')))
seq('owner-match', 'TUNSETOWNER 1000: uid 1000 may attach and use the device.',
    persistent('dt0', owner=U1000), open_(), as_(U1000, setiff('dt0'), getiff()))
seq('owner-mismatch', 'TUNSETOWNER 1000: uid 1001 gets EPERM.',
    persistent('dt0', owner=U1000), open_(), as_(U1001, setiff('dt0')), getiff())
seq('owner-root-always', 'Root attaches whatever the owner and group.',
    persistent('dt0', owner=U1000, group=2000), open_(), setiff('dt0'), getiff())
seq('owner-unset-anyone', 'With neither owner nor group set, anyone may attach an existing device.',
    persistent('dt0'), open_(), as_(U1001, setiff('dt0'), getiff()))
seq('owner-eperm-before-ebusy', 'An owner mismatch gives EPERM before the busy queue gives EBUSY.',
    persistent('dt0', owner=U1000), open_('a'), setiff('dt0', ROOT_NOPI, 'a'), open_('b'),
    as_(U1001, setiff('dt0', ROOT_NOPI, 'b')), as_(U1000, setiff('dt0', ROOT_NOPI, 'b')))
seq('group-primary-match', 'TUNSETGROUP 2000: uid 1001 with gid 2000 may attach.',
    persistent('dt0', group=2000), open_(), as_((U1001, 2000), setiff('dt0'), getiff()), items=[16])
seq('group-supplementary-match', 'TUNSETGROUP 2000: uid 1001 with 2000 among its supplementary groups may attach.',
    persistent('dt0', group=2000), open_(), as_((U1001, U1001, [2000]), setiff('dt0'), getiff()), items=[16])
seq('group-mismatch', 'TUNSETGROUP 2000: uid 1001 in group 1001 only gets EPERM.',
    persistent('dt0', group=2000), open_(), as_(U1001, setiff('dt0')))
seq('group-other-supplementary', 'TUNSETGROUP 2000: supplementary groups that do not include it give EPERM.',
    persistent('dt0', group=2000), open_(), as_((U1001, U1001, [2001, 2002]), setiff('dt0')), items=[16])
seq('owner-and-group-both', 'Owner 1000 and group 2000: the owner alone is not enough, both must match.',
    persistent('dt0', owner=U1000, group=2000), open_(), as_(U1000, setiff('dt0')),
    as_((U1000, 2000), setiff('dt0')), getiff(), items=[16])
seq('owner-and-group-supplementary', 'Owner 1000 and group 2000, the group a supplementary one: allowed.',
    persistent('dt0', owner=U1000, group=2000), open_(), as_((U1000, U1000, [2000]), setiff('dt0')), items=[16])
seq('owner-group-nonroot-ioctls', 'An attached unprivileged fd: what TUNSETOWNER, TUNSETGROUP, TUNSETPERSIST answer.',
    persistent('dt0', owner=U1000), open_(), as_(U1000, setiff('dt0'), value('TUNSETOWNER', U1001),
                                                 value('TUNSETGROUP', 3000), value('TUNSETPERSIST', 0)), state())
seq('owner-invalid-ids', 'TUNSETOWNER and TUNSETGROUP with an invalid id (-1): EINVAL.',
    open_(), setiff('dt0'), value('TUNSETOWNER', -1), value('TUNSETGROUP', -1), value('TUNSETOWNER', 0))

# ---------------------------------------------------------------- SIOCSIFHWADDR

seq('hwaddr-tap-set-get', 'A TAP takes a unicast Ethernet address; SIOCGIFHWADDR gives it back.',
    open_(), setiff('dt0', 'IFF_TAP'), sock(), sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac=TAP_MAC),
    sioc('SIOCGIFHWADDR', 'dt0'))
seq('hwaddr-tap-multicast', 'A multicast MAC: EADDRNOTAVAIL.',
    open_(), setiff('dt0', 'IFF_TAP'), sock(), sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac='01:00:5e:00:00:01'),
    sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac='00:00:00:00:00:00'))
seq('hwaddr-tap-family-none', 'A TAP and a sockaddr of family ARPHRD_NONE: EINVAL (the family must be the device type).',
    open_(), setiff('dt0', 'IFF_TAP'), sock(), sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_NONE', mac=TAP_MAC), items=[17])
seq('hwaddr-tap-family-loopback', 'A TAP and family ARPHRD_LOOPBACK: EINVAL; then ARPHRD_ETHER works.',
    open_(), setiff('dt0', 'IFF_TAP'), sock(), sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_LOOPBACK', mac=TAP_MAC),
    sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac=TAP_MAC), sioc('SIOCGIFHWADDR', 'dt0'), items=[17])
seq('hwaddr-tun-eopnotsupp', 'A TUN has no hardware address to set: EOPNOTSUPP, whatever the family.',
    open_(), setiff('dt0'), sock(), sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac=TAP_MAC),
    sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_NONE', mac=TAP_MAC), sioc('SIOCGIFHWADDR', 'dt0'), items=[17])
seq('hwaddr-on-tun-fd', 'SIOCSIFHWADDR and SIOCGIFHWADDR on the tap fd itself.',
    open_(), setiff('dt0', 'IFF_TAP'), sioc('SIOCSIFHWADDR', 'dt0', h='t', family='ARPHRD_ETHER', mac=PEER_MAC),
    sioc('SIOCGIFHWADDR', 'dt0', h='t'))
seq('hwaddr-tap-up', 'A TAP that is up may change its address (IFF_LIVE_ADDR_CHANGE).',
    tap_up(), sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac=PEER_MAC), sioc('SIOCGIFHWADDR', 'dt0'))
seq('hwaddr-nonroot', 'Setting a MAC needs CAP_NET_ADMIN: EPERM as uid 1000; reading it does not.',
    open_(), setiff('dt0', 'IFF_TAP'), sock(), sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac=TAP_MAC),
    as_(U1000, sioc('SIOCSIFHWADDR', 'dt0', family='ARPHRD_ETHER', mac=PEER_MAC), sioc('SIOCGIFHWADDR', 'dt0')))

# ---------------------------------------------------------------- SIOCSIFMTU

seq('mtu-tun-limits', 'A TUN takes MTUs from 68 to 65535.',
    open_(), setiff('dt0'), sock(), sioc('SIOCSIFMTU', 'dt0', mtu=67), sioc('SIOCSIFMTU', 'dt0', mtu=68),
    sioc('SIOCGIFMTU', 'dt0'), sioc('SIOCSIFMTU', 'dt0', mtu=65535), sioc('SIOCSIFMTU', 'dt0', mtu=65536),
    sioc('SIOCGIFMTU', 'dt0'))
seq('mtu-tap-limits', 'A TAP takes MTUs from 68 to 65521 (65535 less the Ethernet header).',
    open_(), setiff('dt0', 'IFF_TAP'), sock(), sioc('SIOCSIFMTU', 'dt0', mtu=65522), sioc('SIOCSIFMTU', 'dt0', mtu=65521),
    sioc('SIOCGIFMTU', 'dt0'), sioc('SIOCSIFMTU', 'dt0', mtu=67), sioc('SIOCGIFMTU', 'dt0'))
seq('mtu-negative', 'A negative MTU: EINVAL.',
    open_(), setiff('dt0'), sock(), sioc('SIOCSIFMTU', 'dt0', mtu=-1), sioc('SIOCSIFMTU', 'dt0', mtu=0), sioc('SIOCGIFMTU', 'dt0'))
seq('mtu-nonroot', 'Setting the MTU needs CAP_NET_ADMIN: EPERM; reading it does not.',
    open_(), setiff('dt0'), sock(), as_(U1000, sioc('SIOCSIFMTU', 'dt0', mtu=1400), sioc('SIOCGIFMTU', 'dt0')))
seq('mtu-ifconfig', 'ifconfig NAME mtu N, within and out of range.',
    open_(), setiff('dt0'), ifconfig('dt0', 'mtu', '1400'), ifconfig('dt0', 'mtu', '65536'), state())
seq('mtu-up-unknown-device', 'SIOCSIFMTU and SIOCGIFFLAGS on a device that does not exist: ENODEV.',
    sock(), sioc('SIOCSIFMTU', 'nosuch0', mtu=1400), sioc('SIOCGIFFLAGS', 'nosuch0'))

# ---------------------------------------------------------------- flags, up and down

seq('flags-tun-up-down', 'SIOCSIFFLAGS IFF_UP and back: IFF_RUNNING follows IFF_UP while the carrier is on.',
    open_(), setiff('dt0'), sock(), sioc('SIOCGIFFLAGS', 'dt0'), sioc('SIOCSIFFLAGS', 'dt0', flags='IFF_UP'),
    sioc('SIOCGIFFLAGS', 'dt0'), sioc('SIOCSIFFLAGS', 'dt0', flags=''), sioc('SIOCGIFFLAGS', 'dt0'))
seq('flags-tap-up', 'A TAP is BROADCAST|MULTICAST; up it is RUNNING too.',
    open_(), setiff('dt0', 'IFF_TAP|IFF_NO_PI'), ifconfig('dt0', 'up'), state(), ifconfig('dt0', 'down'), state())
seq('ifconfig-up-down', 'ifconfig NAME up and down on a TUN.',
    open_(), setiff('dt0'), ifconfig('dt0', 'up'), state(), ifconfig('dt0', 'down'), state())
seq('flags-nonroot', 'Unprivileged ifconfig up and SIOCSIFFLAGS: EPERM.',
    open_(), setiff('dt0'), sock(), as_(U1000, ifconfig('dt0', 'up'), sioc('SIOCSIFFLAGS', 'dt0', flags='IFF_UP'),
                                         sioc('SIOCGIFFLAGS', 'dt0')), state())
seq('flags-no-carrier', 'IFF_NO_CARRIER: up but not RUNNING.',
    open_(), setiff('dt0', 'IFF_TUN|IFF_NO_PI|IFF_NO_CARRIER'), ifconfig('dt0', 'up'), state())
seq('flags-detached-down-up', 'A persistent device without an fd comes up without IFF_RUNNING.',
    persistent('dt0'), ifconfig('dt0', 'up'), state())

# ---------------------------------------------------------------- writes

seq('write-down-eio', 'A valid packet written while the device is down: EIO, counted in rx_dropped.',
    open_(), setiff('dt0'), write(ECHO), state())
seq('write-bad-version-einval', 'A first nibble that is not 4 or 6: EINVAL, even while down (checked before IFF_UP).',
    open_(), setiff('dt0'), write(bytes([0x50]) + ECHO[1:]), state())
seq('write-zero-bytes', 'A 0-byte write is EINVAL down and up alike (the order wireguard-go probes).',
    open_(), setiff('dt0'), write(b''), ifconfig('dt0', 'up'), write(b''), state())
seq('write-pi-short', 'With packet information, a write under 4 bytes: EINVAL.',
    open_(), setiff('dt0', 'IFF_TUN'), ifconfig('dt0', 'up'), write(b'\0\0\x08'), write(b'\0\0\x08\0'), state())
seq('write-tap-short', 'A TAP write under 14 bytes: EINVAL.',
    open_(), setiff('dt0', 'IFF_TAP|IFF_NO_PI'), ifconfig('dt0', 'up'), write(bytes(13)), state())

# ---------------------------------------------------------------- packets through the stack

seq('echo-no-pi', 'An echo request written to a TUN is answered; the reply is read back.',
    tun_up(), write(ECHO), read(vary=REPLY_VARY), read(), state())
seq('echo-pi', 'With packet information: 4 more bytes each way, proto 0x0800.',
    tun_up(flags='IFF_TUN'), write(pi(ECHO)), read(vary=vary_at(4)), state())
seq('read-short-no-pi', 'A read shorter than the packet gets the first bytes, the rest is lost.',
    tun_up(), write(ECHO), read(20, vary=REPLY_VARY), read(), state())
seq('read-short-pi-strip', 'With PI, a short read sets TUN_PKT_STRIP in the header.',
    tun_up(flags='IFF_TUN'), write(pi(ECHO)), read(30, vary=vary_at(4)), read(), state())
seq('read-pi-under-4', 'With PI, a read of fewer than 4 bytes is EINVAL and loses the packet.',
    tun_up(flags='IFF_TUN'), write(pi(ECHO)), read(3), read(), state())
seq('read-zero', 'A 0-byte read returns 0 and leaves the packet queued.',
    tun_up(), write(ECHO), read(0), read(vary=REPLY_VARY))
seq('read-eagain', 'A nonblocking read of an empty queue: EAGAIN.',
    open_(), setiff('dt0'), read(), ifconfig('dt0', 'up'), read())
seq('write-bad-icmp-checksum', 'A bad ICMP checksum: the write succeeds, the stack drops it, no reply.',
    tun_up(), write(echo(bad_icmp=True)), read(), state())
seq('write-bad-ip-checksum', 'A bad IP header checksum: the write succeeds, no reply.',
    tun_up(), write(echo(bad_csum=True)), read(), state())
seq('write-truncated-ip', 'An IP total length past the bytes written: accepted by the fd, dropped by IP.',
    tun_up(), write(echo(total=200)), read(), state())
seq('write-other-destination', 'A packet for an address that is not ours (no forwarding): no answer.',
    tun_up(), write(echo(dst='10.0.0.9')), read(), state())
seq('write-over-mtu', 'A packet larger than the MTU is accepted; the reply leaves in fragments.',
    tun_up(), sioc('SIOCSIFMTU', 'dt0', mtu=576), write(echo(size=980)), read(vary=REPLY_VARY), read(vary=REPLY_VARY),
    read(), state())
seq('write-pi-proto-ipv6', 'A PI header saying IPv6 over an IPv4 packet: the fd takes it, nothing answers.',
    tun_up(flags='IFF_TUN'), write(pi(ECHO, 0x86DD)), read(), state())
seq('two-echoes-queue', 'Two requests, two replies, read in order.',
    tun_up(), write(ECHO), write(echo(ident=2)), read(vary=REPLY_VARY), read(vary=REPLY_VARY), read(), state())
seq('queued-then-down', 'A reply queued before the device goes down is still read.',
    tun_up(), write(ECHO), ifconfig('dt0', 'down'), poll(), read(vary=REPLY_VARY), read(), state())
seq('tap-arp-reply', 'A TAP answers an ARP request for its address (42 bytes, no padding).',
    tap_up(), write(eth('ff:ff:ff:ff:ff:ff', PEER_MAC, 0x0806, arp_request(PEER_MAC, '10.0.1.2', '10.0.1.1'))),
    read(), read(), state())
seq('tap-echo', 'An echo request in an Ethernet frame, after ARP: the reply comes back framed.',
    tap_up(), write(eth('ff:ff:ff:ff:ff:ff', PEER_MAC, 0x0806, arp_request(PEER_MAC, '10.0.1.2', '10.0.1.1'))), read(),
    write(eth(TAP_MAC, PEER_MAC, 0x0800, echo('10.0.1.2', '10.0.1.1'))), read(vary=vary_at(14)), read(), state())

# ---------------------------------------------------------------- poll

seq('poll-unattached', 'poll on an fd before TUNSETIFF: POLLERR.',
    open_(), poll(), poll('POLLIN'))
seq('poll-down-up', 'POLLOUT only while the device is up; POLLIN while a packet is queued.',
    open_(), setiff('dt0'), poll(), sock(), sioc('SIOCSIFADDR', 'dt0', addr='10.0.0.1'),
    sioc('SIOCSIFDSTADDR', 'dt0', addr='10.0.0.2'), ifconfig('dt0', 'up'), poll(), write(ECHO), poll(), poll('POLLIN'),
    read(vary=REPLY_VARY), poll(), ifconfig('dt0', 'down'), poll())
seq('poll-after-delete', 'After the last other fd closes a persistent device is unpersisted: the fd still polls.',
    persistent('dt0'), open_(), setiff('dt0'), value('TUNSETPERSIST', 0), poll(), close(), state())

# ---------------------------------------------------------------- UDP out through the tun: DF by size (item 15)


def udp_case(name, description, mtu, sizes, reads):
    steps = [tun_up(), sioc('SIOCSIFMTU', 'dt0', mtu=mtu) if mtu != 1500 else [], sock('u'),
             {'op': 'bind', 'fd': 'u', 'addr': '10.0.0.1', 'port': 5000}]
    for size in sizes:
        steps.append({'op': 'sendto', 'fd': 'u', 'addr': '10.0.0.2', 'port': 6000, 'size': size})
    steps += [read(vary=REPLY_VARY) for _ in range(reads)] + [read(), state()]
    seq(name, description, *steps, items=[15])


udp_case('udp-df-small', 'A small UDP datagram goes out with DF (IP_PMTUDISC_WANT).', 1500, [100], 1)
udp_case('udp-df-fits-exactly', 'A datagram of exactly the MTU (1472 bytes of data) carries DF.', 1500, [1472], 1)
udp_case('udp-no-df-fragmented', 'One byte more than fits: two fragments, neither with DF.', 1500, [1473], 2)
udp_case('udp-df-small-mtu', 'With MTU 576: 548 bytes fit (DF), 549 are fragmented.', 576, [548, 549], 3)
udp_case('udp-df-empty', 'An empty datagram carries DF too.', 1500, [0], 1)
udp_case('udp-df-large-mtu', 'With MTU 9000: 8972 bytes with DF, then 9000 in two fragments.', 9000, [8972, 9000], 3)
udp_case('udp-df-mtu-68', 'At the smallest MTU (68): 40 bytes fit with DF, 41 are fragmented into 48-byte pieces.', 68,
         [40, 41], 3)
seq('udp-tap-arp-first', 'UDP out of a TAP waits for ARP: the request first, then the datagram with DF.',
    tap_up(), sock('u'), {'op': 'bind', 'fd': 'u', 'addr': '10.0.1.1', 'port': 5000},
    {'op': 'sendto', 'fd': 'u', 'addr': '10.0.1.2', 'port': 6000, 'size': 200}, read(),
    write(eth(TAP_MAC, PEER_MAC, 0x0806, arp_reply(PEER_MAC, '10.0.1.2', TAP_MAC, '10.0.1.1'))),
    read(vary=vary_at(14)), read(), state(), items=[15])
seq('udp-no-route-down', 'UDP to the peer while the TUN is down: no route (ENETUNREACH), nothing queued.',
    open_(), setiff('dt0'), sock(), sioc('SIOCSIFADDR', 'dt0', addr='10.0.0.1'), sioc('SIOCSIFDSTADDR', 'dt0', addr='10.0.0.2'),
    sock('u'), {'op': 'sendto', 'fd': 'u', 'addr': '10.0.0.2', 'port': 6000, 'size': 10}, read(), state())

