// World files: bad ones refused with the field at fault named, a good one built as written, the
// default world as DESIGN.md describes it, and segments whose delay, loss and duplication show in
// what ping sees, the same way for the same seed.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { formatIpv4, formatMac } from '../../../kernel/abi/wire/address.js';
import { buildWorld, loadWorldFile } from '../../../kernel/world/build.js';
import { parseWorldFile, WorldFileError } from '../../../kernel/world/world-file.js';
import cat from '../../../userland/bin/cat.js';
import ping from '../../../userland/bin/ping.js';
import route from '../../../userland/bin/route.js';
import { routedWorld } from '../../helpers/net.js';
import { programsOf, run } from '../../helpers/world.js';

const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');

/** The error a world file is refused with, as field and message. */
function refusal(text: string, build = false): { field: string; message: string } {
  try {
    const spec = parseWorldFile(text);
    if (build) buildWorld(spec, { programs: programsOf([]) }, '.');
  } catch (e) {
    if (!(e instanceof WorldFileError)) throw e;
    return { field: e.field, message: e.message };
  }
  throw new Error('accepted');
}

const A = '"a": {"nics": [{"segment": "lan", "address": "192.168.1.10/24"}]}';
const withSegment = (lan: string) => `{"segments": {"lan": ${lan}}, "hosts": {${A}}}`;
const withHost = (host: string) => `{"hosts": {"a": ${host}}}`;

describe('a world file that is refused', () => {
  it.each([
    ['an unknown top-level key', '{"hsots": {}}', 'hsots: unknown field (expected one of: name, description, epoch, disk, segments, hosts, uplink)'],
    ['an unknown segment key', withSegment('{"dealy": "1ms"}'), 'segments.lan.dealy: unknown field (expected one of: delay, jitter, loss, duplicate)'],
    ['an unknown NIC key', withHost('{"nics": [{"segment": "lan", "ip": "192.168.1.10/24"}]}'), 'hosts.a.nics[0].ip: unknown field (expected one of: driver, segment, address, mac, mtu, up, qdisc)'],
    ['an address out of range', withHost('{"nics": [{"segment": "lan", "address": "192.168.1.300/24"}]}'), 'hosts.a.nics[0].address: "192.168.1.300/24" is not an IPv4 address with a prefix length (like "192.168.1.10/24")'],
    ['an address without its prefix length', withHost('{"nics": [{"segment": "lan", "address": "192.168.1.10"}]}'), 'hosts.a.nics[0].address: "192.168.1.10" is not an IPv4 address with a prefix length (like "192.168.1.10/24")'],
    ['a prefix length over 32', withHost('{"nics": [{"segment": "lan", "address": "192.168.1.10/33"}]}'), 'hosts.a.nics[0].address: "192.168.1.10/33" is not an IPv4 address with a prefix length (like "192.168.1.10/24")'],
    ['a bad gateway address', withHost('{"routes": [{"to": "default", "via": "1.2.3"}]}'), 'hosts.a.routes[0].via: "1.2.3" is not an IPv4 address (like "192.168.1.1")'],
    ['a multicast MAC', withHost('{"nics": [{"segment": "lan", "mac": "01:00:5e:00:00:01"}]}'), 'hosts.a.nics[0].mac: "01:00:5e:00:00:01" is not a unicast MAC address (like "52:54:00:12:34:56")'],
    ['an undeclared segment', `{"segments": {"lan": {}}, "hosts": {"a": {"nics": [{"segment": "wan"}]}}}`, 'hosts.a.nics[0].segment: no segment named "wan" (declared: lan)'],
    ['a loss above 1', withSegment('{"loss": 1.5}'), 'segments.lan.loss: must be a number from 0 to 1, not 1.5'],
    ['a negative loss', withSegment('{"loss": -0.1}'), 'segments.lan.loss: must be a number from 0 to 1, not -0.1'],
    ['a loss in percent', withSegment('{"loss": "10%"}'), 'segments.lan.loss: must be a number from 0 to 1, not "10%"'],
    ['a duration in words', withSegment('{"delay": "10 minutes"}'), 'segments.lan.delay: must be a duration like "0.5ms", "20s", "5min" or "24h", not "10 minutes"'],
    ['a negative duration', withSegment('{"delay": -1}'), 'segments.lan.delay: must be a duration like "0.5ms", "20s", "5min" or "24h", not -1'],
    ['a duration in days', withSegment('{"jitter": "1d"}'), 'segments.lan.jitter: must be a duration like "0.5ms", "20s", "5min" or "24h", not "1d"'],
    ['a host name twice', '{"hosts": {"a": {}, "b": {}, "a": {"forwarding": true}}}', 'hosts.a: appears twice (JSON would silently keep only the last one)'],
    ['a segment name twice', `{"segments": {"lan": {}, "lan": {"delay": "1ms"}}, "hosts": {${A}}}`, 'segments.lan: appears twice (JSON would silently keep only the last one)'],
    ['a key twice in a NIC', withHost('{"nics": [{"segment": "lan"}, {"segment": "lan", "mac": "52:54:00:00:00:01", "mac": "52:54:00:00:00:02"}]}'), 'hosts.a.nics[1].mac: appears twice (JSON would silently keep only the last one)'],
    ['an upper-case host name', '{"hosts": {"A": {}}}', 'hosts.A: host names are lower-case letters, digits and dashes, starting with a letter'],
    ['no hosts', '{"hosts": {}}', 'hosts: must be an object with at least one host'],
    ['a string for a flag', withHost('{"forwarding": "yes"}'), 'hosts.a.forwarding: must be true or false, not "yes"'],
    ['a fractional MTU', withHost('{"nics": [{"segment": "lan", "mtu": 1500.5}]}'), 'hosts.a.nics[0].mtu: must be a whole number from 68 to 9000, not 1500.5'],
    ['an MTU too large', withHost('{"nics": [{"segment": "lan", "mtu": 10000}]}'), 'hosts.a.nics[0].mtu: must be a whole number from 68 to 9000, not 10000'],
    ['a fractional metric', withHost('{"routes": [{"to": "default", "via": "192.168.1.1", "metric": 0.5}]}'), 'hosts.a.routes[0].metric: must be a whole number from 0 to 65535, not 0.5'],
    ['a route going nowhere', withHost('{"routes": [{"to": "default"}]}'), 'hosts.a.routes[0]: needs "via" (a gateway), "dev" (an interface) or "reject": true'],
    ['a boot command that is not text', withHost('{"boot": ["true", 3]}'), 'hosts.a.boot[1]: must be a string, not 3'],
    ['a relative file path', withHost('{"files": {"etc/motd": "hi"}}'), 'hosts.a.files.etc/motd: must be an absolute path outside /dev'],
    ['a bad epoch', '{"epoch": "yesterday", "hosts": {"a": {}}}', 'epoch: must be a date like "2026-01-01T00:00:00Z", not "yesterday"'],
    ['an uplink to no host', '{"hosts": {"a": {}}, "uplink": {"host": "b", "address": "10.0.2.15/24", "gateway": "10.0.2.2"}}', 'uplink.host: no host named "b"'],
    ['JSON that is not an object', '[1]', '(file): must be a JSON object'],
    ['a bridge with a bad name', withHost('{"bridges": [{"name": "br0", "members": ["x"]}]}'), 'hosts.a.bridges[0].name: bridges are named bridge/<n>, as ifconfig makes them'],
    ['a bridge with no members', withHost('{"bridges": [{"name": "bridge/0", "members": []}]}'), 'hosts.a.bridges[0].members: must be a list of interface names'],
    ['a port of two bridges', withHost('{"bridges": [{"name": "bridge/0", "members": ["p"]}, {"name": "bridge/1", "members": ["p"]}]}'), 'hosts.a.bridges[1].members[0]: p can be a port of one bridge only'],
    ['an unknown bridge key', withHost('{"bridges": [{"name": "bridge/0", "members": ["p"], "stp": true}]}'), 'hosts.a.bridges[0].stp: unknown field (expected one of: name, members, address, up)'],
  ])('%s', (_what, text, message) => {
    // The field at fault leads the message.
    expect(refusal(text)).toEqual({ field: message.slice(0, message.indexOf(': ')), message });
  });

  it("is refused when a NIC's qdisc is not a netem or tbf tc could install", () => {
    const nic = (q: unknown) => JSON.stringify({ hosts: { a: { nics: [{ segment: 'lan', qdisc: q }] } } });
    expect(refusal(nic({ kind: 'fq' }))).toMatchObject({ field: 'hosts.a.nics[0].qdisc' });
    expect(refusal(nic({ kind: 'netem', loss: 2 }))).toMatchObject({ field: 'hosts.a.nics[0].qdisc.loss' });
    expect(refusal(nic({ kind: 'netem', reorder: 0.5 }))).toMatchObject({ field: 'hosts.a.nics[0].qdisc.reorder' });
    expect(refusal(nic({ kind: 'netem', delay: '1h' }))).toMatchObject({ field: 'hosts.a.nics[0].qdisc.delay' });
    expect(refusal(nic({ kind: 'tbf', rate: '1mbit', burst: 1600 }))).toMatchObject({ field: 'hosts.a.nics[0].qdisc.limit' });
    expect(refusal(nic({ kind: 'tbf', rate: 'fast', burst: 1600, limit: 3000 }))).toMatchObject({ field: 'hosts.a.nics[0].qdisc.rate' });
    expect(refusal(nic({ kind: 'netem', latency: '1ms' }))).toMatchObject({ field: 'hosts.a.nics[0].qdisc.latency' });
  });

  it("installs a NIC's qdisc at boot as tc would: its options read back the same", () => {
    const text = JSON.stringify({
      hosts: {
        a: { nics: [{ segment: 'lan', qdisc: { kind: 'netem', delay: '1.5ms', jitter: '1ms', loss: 0.01, reorder: 0.25, rate: '10mbit' } }, { segment: 'lan', qdisc: { kind: 'tbf', rate: '1mbit', burst: 1600, limit: 3000 } }] },
      },
    });
    const { world } = buildWorld(parseWorldFile(text), { programs: programsOf([]) }, '.');
    const [n0, n1] = ['/dev/net/ipro1000/0', '/dev/net/ipro1000/1'].map((n) => world.mustHost('a').net.byName(n)!.qdisc!);
    // As tc: 1.5 ms is 23437 psched ticks of 64 ns; 1% is rint(0.01 * (2^32 - 1)); gap 1 with reorder.
    expect(n0.handle).toBe(0x8001);
    expect(n0.options).toEqual({ kind: 'netem', limit: 1000, delayNs: 23437 * 64, jitterNs: 1_000_000, loss: 42949673, duplicate: 0, reorder: 1073741824, gap: 1, corrupt: 0, rate: 1_250_000 });
    expect(n1.options).toEqual({ kind: 'tbf', rate: 125_000, burst: 1600, limit: 3000 });
  });

  it('is refused when built if a bridge names an interface the host does not have', () => {
    expect(refusal(withHost('{"bridges": [{"name": "bridge/0", "members": ["/dev/net/ipro1000/0"]}]}'), true)).toEqual({
      field: 'hosts.a.bridges[0].members[0]',
      message: 'hosts.a.bridges[0].members[0]: host a has no interface "/dev/net/ipro1000/0"',
    });
  });

  it('is refused when built if a route names an interface or a gateway the host does not have', () => {
    expect(refusal(withHost('{"nics": [{"segment": "lan", "address": "192.168.1.10/24"}], "routes": [{"to": "10.0.0.0/8", "dev": "eth0"}]}'), true)).toEqual({
      field: 'hosts.a.routes[0].dev',
      message: 'hosts.a.routes[0].dev: host a has no interface "eth0"',
    });
    expect(refusal(withHost('{"nics": [{"segment": "lan", "address": "192.168.1.10/24"}], "routes": [{"to": "default", "via": "10.0.0.1"}]}'), true)).toEqual({
      field: 'hosts.a.routes[0].via',
      message: 'hosts.a.routes[0].via: gateway is not on a network of host a',
    });
  });

  it('is refused when it is not JSON, with the parser\'s own words (which vary with Node\'s version)', () => {
    const r = refusal('{"hosts": {"a": {}},}');
    expect(r.field).toBe('(file)');
    expect(r.message).toMatch(/^\(file\): not valid JSON: .*position 20/);
  });

  it('is refused when it cannot be read', () => {
    expect(() => loadWorldFile('fixtures/worlds/no-such-world.json', { programs: programsOf([]) })).toThrow(
      'cannot read fixtures/worlds/no-such-world.json: ENOENT',
    );
  });
});

describe('a valid world file', () => {
  const TEXT = JSON.stringify({
    name: 'lab',
    description: 'two hosts and a router',
    epoch: '2026-03-01T12:00:00Z',
    segments: { lan: { delay: '250us', jitter: 0.5, loss: 0.25, duplicate: 0.01 }, wan: { delay: '2ms' } },
    hosts: {
      pc: {
        description: 'a desktop',
        nics: [{ segment: 'lan', address: '192.168.7.10/24', mac: '52:54:00:aa:00:01' }],
        routes: [
          { to: 'default', via: '192.168.7.1', metric: 5 },
          { to: '10.66.0.0/16', reject: true },
        ],
        files: { '/etc/motd': 'hello\n', '/etc/secret.key': { from: 'keys/static.key', mode: '0600' } },
        boot: ['true'],
      },
      gw: {
        forwarding: true,
        nics: [
          { driver: 'virtio', segment: 'lan', address: '192.168.7.1/24', mac: '52:54:00:bb:00:01' },
          { driver: 'virtio', segment: 'wan', address: '10.1.0.1/30', mtu: 1400, up: false },
        ],
      },
    },
  });

  it('parses into the values it states, with defaults for the rest', () => {
    const spec = parseWorldFile(TEXT);
    expect({ name: spec.name, description: spec.description, epochNs: spec.epochNs, uplink: spec.uplink }).toEqual({
      name: 'lab',
      description: 'two hosts and a router',
      epochNs: Date.UTC(2026, 2, 1, 12) * 1e6,
      uplink: null,
    });
    expect(Object.fromEntries(spec.segments)).toEqual({
      lan: { delayNs: 250_000, jitterNs: 500_000, loss: 0.25, duplicate: 0.01 },
      wan: { delayNs: 2_000_000, jitterNs: 0, loss: 0, duplicate: 0 },
    });
    const [pc, gw] = spec.hosts;
    expect(pc!.routes).toEqual([
      { dest: 0, prefix: 0, via: 0xc0a8_0701, dev: null, metric: 5, reject: false },
      { dest: 0x0a42_0000, prefix: 16, via: null, dev: null, metric: 0, reject: true },
    ]);
    expect(gw!.nics[1]).toEqual({ driver: 'virtio', segment: 'wan', address: { addr: 0x0a01_0001, prefix: 30 }, mac: null, mtu: 1400, up: false, qdisc: null });
    expect({ forwarding: gw!.forwarding, boot: pc!.boot, description: pc!.description }).toEqual({ forwarding: true, boot: ['true'], description: 'a desktop' });
  });

  it('builds hosts with their interfaces, addresses, routes and files', async () => {
    const built = buildWorld(parseWorldFile(TEXT), { programs: programsOf([cat, route]) }, 'fixtures/worlds');
    const w = built.world;
    expect(w.hostNames()).toEqual(['pc', 'gw']);
    const ifaces = (host: string) =>
      [...w.mustHost(host).net.interfaces.values()].map((i) => ({
        name: i.name,
        mac: i.device.mac === null ? null : formatMac(i.device.mac),
        addr: i.primary ? `${formatIpv4(i.primary.addr)}/${formatIpv4(i.primary.mask)}` : null,
        mtu: i.mtu,
        up: i.up,
      }));
    expect(ifaces('pc')).toEqual([
      { name: 'loop', mac: null, addr: '127.0.0.1/255.0.0.0', mtu: 16384, up: true },
      { name: '/dev/net/ipro1000/0', mac: '52:54:00:aa:00:01', addr: '192.168.7.10/255.255.255.0', mtu: 1500, up: true },
    ]);
    const gwIfaces = ifaces('gw');
    expect(gwIfaces.map((i) => ({ ...i, mac: i.mac === null ? null : i.mac.slice(0, 9) }))).toEqual([
      { name: 'loop', mac: null, addr: '127.0.0.1/255.0.0.0', mtu: 16384, up: true },
      { name: '/dev/net/virtio/0', mac: '52:54:00:', addr: '192.168.7.1/255.255.255.0', mtu: 1500, up: true },
      // No MAC given: a QEMU-style one from the world's seed.
      { name: '/dev/net/virtio/1', mac: '52:54:00:', addr: '10.1.0.1/255.255.255.252', mtu: 1400, up: false },
    ]);
    expect(w.mustHost('gw').net.forwarding).toBe(true);
    expect(w.mustHost('pc').net.forwarding).toBe(false);
    expect((await run(w, 'pc', ['route'])).out).toBe(
      lines(
        'IPv4 routing table:',
        '    Destination         Netmask         Gateway Flags  Interface',
        '      127.0.0.1               -               - --HL-- loop',
        '   192.168.7.10               -               - --HL-- /dev/net/ipro1000/0',
        '    192.168.7.0   255.255.255.0               - ------ /dev/net/ipro1000/0',
        // A reject route with neither gateway nor interface hangs on the loopback.
        '      10.66.0.0     255.255.0.0               - -R---- loop',
        '      127.0.0.0       255.0.0.0               - ------ loop',
        '        0.0.0.0         0.0.0.0     192.168.7.1 D----- /dev/net/ipro1000/0',
      ),
    );
    expect((await run(w, 'pc', ['cat', '/etc/motd'])).out).toBe('hello\n');
    const key = await run(w, 'pc', ['cat', '/etc/secret.key']);
    expect(key.out).toContain('-----BEGIN OpenVPN Static key V1-----');
    expect(built.segments.get('lan')!.link).toEqual({ delayNs: 250_000, jitterNs: 500_000, loss: 0.25, duplicate: 0.01 });
  });
});

describe('the default world', () => {
  const load = () => loadWorldFile('fixtures/worlds/default.json', { programs: programsOf([ping]) });

  it('has the hosts and addresses of DESIGN.md', () => {
    const built = load();
    const w = built.world;
    expect(w.hostNames()).toEqual(['haiku', 'router', 'vpn', 'intranet']);
    const addresses = (host: string) =>
      [...w.mustHost(host).net.interfaces.values()]
        .filter((i) => i.name !== 'loop')
        .map((i) => `${i.name} ${formatIpv4(i.primary!.addr)}/${formatIpv4(i.primary!.mask)}`);
    expect(addresses('haiku')).toEqual(['/dev/net/ipro1000/0 192.168.1.10/255.255.255.0', '/dev/net/virtio/0 10.0.2.15/255.255.255.0']);
    expect(addresses('router')).toEqual(['/dev/net/ipro1000/0 192.168.1.1/255.255.255.0', '/dev/net/ipro1000/1 64.233.160.254/255.255.255.0']);
    expect(addresses('vpn')).toEqual(['/dev/net/virtio/0 64.233.160.1/255.255.255.0', '/dev/net/virtio/1 10.10.0.1/255.255.255.0']);
    expect(addresses('intranet')).toEqual(['/dev/net/ipro1000/0 10.10.0.10/255.255.255.0']);
    expect(w.mustHost('router').net.forwarding).toBe(true);
    expect(w.mustHost('vpn').net.forwarding).toBe(true);
    expect(built.spec.uplink).toEqual({ host: 'haiku', address: { addr: 0x0a00_020f, prefix: 24 }, gateway: 0x0a00_0202 });
    expect(built.spec.hosts.find((h) => h.name === 'vpn')!.boot[0]).toMatch(/^openvpn --dev tun --ifconfig 10\.8\.0\.1 10\.8\.0\.2 /);
  });

  it('lets haiku ping the router, 0.2 ms away on the LAN', async () => {
    const w = load().world;
    const r = await run(w, 'haiku', ['ping', '-c', '2', '192.168.1.1']);
    expect(r.out).toBe(
      lines(
        'PING 192.168.1.1 (192.168.1.1): 56 data bytes',
        // ARP first: four LAN crossings, then two.
        '64 bytes from 192.168.1.1: icmp_seq=0 ttl=64 time=0.800 ms',
        '64 bytes from 192.168.1.1: icmp_seq=1 ttl=64 time=0.400 ms',
        '',
        '--- 192.168.1.1 ping statistics ---',
        '2 packets transmitted, 2 packets received, 0.0% packet loss',
        'round-trip min/avg/max/stddev = 0.400/0.600/0.800/0.200 ms',
      ),
    );
    expect(WEXITSTATUS(r.status)).toBe(0);
  });

  it('lets haiku reach the VPN server through the router, 10 ms of internet each way', async () => {
    const w = load().world;
    const r = await run(w, 'haiku', ['ping', '-c', '2', '64.233.160.1']);
    expect(r.out).toContain(
      lines(
        // ARP on the LAN (0.4 ms) and the router's on the internet (20 ms) the first time.
        '64 bytes from 64.233.160.1: icmp_seq=0 ttl=63 time=40.800 ms',
        '64 bytes from 64.233.160.1: icmp_seq=1 ttl=63 time=20.400 ms',
      ),
    );
  });
});

describe('segment properties', () => {
  /** Two hosts on one segment with the given properties. */
  const pair = (lan: object, seed = 1) =>
    routedWorld(
      [ping],
      {
        segments: { lan },
        hosts: { a: { nics: [{ segment: 'lan', address: '10.1.0.1/24' }] }, b: { nics: [{ segment: 'lan', address: '10.1.0.2/24' }] } },
      },
      seed,
    );

  it('delay shows in the round-trip time', async () => {
    const { world } = pair({ delay: '3ms' });
    const r = await run(world, 'a', ['ping', '-c', '3', '10.1.0.2']);
    expect(r.out).toContain(
      lines(
        '64 bytes from 10.1.0.2: icmp_seq=0 ttl=64 time=12.000 ms',
        '64 bytes from 10.1.0.2: icmp_seq=1 ttl=64 time=6.000 ms',
        '64 bytes from 10.1.0.2: icmp_seq=2 ttl=64 time=6.000 ms',
      ),
    );
  });

  it('jitter adds up to its value to each crossing', async () => {
    const { world } = pair({ delay: '3ms', jitter: '1ms' }, 5);
    const r = await run(world, 'a', ['ping', '-c', '20', '-i', '0.1', '10.1.0.2']);
    const rtts = [...r.out.matchAll(/icmp_seq=(\d+) ttl=64 time=([\d.]+) ms/g)].filter((m) => m[1] !== '0').map((m) => Number(m[2]));
    expect(rtts).toHaveLength(19);
    for (const t of rtts) {
      expect(t).toBeGreaterThanOrEqual(6);
      expect(t).toBeLessThan(8);
    }
    expect(new Set(rtts).size).toBeGreaterThan(10);
  });

  it('loses the same frames for the same seed, and others for another seed', async () => {
    const once = async (seed: number) => {
      const { world, segments } = pair({ delay: '1ms', loss: 0.2 }, seed);
      const r = await run(world, 'a', ['ping', '-c', '50', '-i', '0.1', '-W', '1000', '10.1.0.2']);
      return { out: r.out, lost: segments.get('lan')!.framesLost, delivered: segments.get('lan')!.framesDelivered };
    };
    const first = await once(7);
    const again = await once(7);
    const other = await once(8);
    expect(again).toEqual(first);
    // About 1 - 0.8² of the round trips fail. Delivered: the 2 ARP frames, 40 of the 50 requests and
    // the 32 replies that made it; lost: the other 10 requests and 8 replies.
    expect(first.out).toContain('50 packets transmitted, 32 packets received, 36.0% packet loss\n');
    expect({ lost: first.lost, delivered: first.delivered }).toEqual({ lost: 10 + 8, delivered: 2 + 40 + 32 });
    expect(other.out).not.toBe(first.out);
  });

  it('duplicates frames: ping counts the duplicates apart', async () => {
    const { world, segments } = pair({ delay: '1ms', duplicate: 1 });
    const r = await run(world, 'a', ['ping', '-c', '2', '10.1.0.2']);
    // The request arrives twice, so b answers twice, and each answer arrives twice. (ping stops at the
    // first answer to its last request, as FreeBSD's does, so only the first request shows its copies.)
    expect(r.out).toContain(
      lines(
        '64 bytes from 10.1.0.2: icmp_seq=0 ttl=64 time=4.000 ms',
        '64 bytes from 10.1.0.2: icmp_seq=0 ttl=64 time=4.000 ms (DUP!)',
        '64 bytes from 10.1.0.2: icmp_seq=0 ttl=64 time=4.000 ms (DUP!)',
        '64 bytes from 10.1.0.2: icmp_seq=0 ttl=64 time=4.000 ms (DUP!)',
        '64 bytes from 10.1.0.2: icmp_seq=1 ttl=64 time=2.000 ms',
        '',
      ),
    );
    expect(r.out).toContain('2 packets transmitted, 2 packets received, +3 duplicates, 0.0% packet loss\n');
    expect(segments.get('lan')!.framesDuplicated).toBeGreaterThan(0);
  });
});
