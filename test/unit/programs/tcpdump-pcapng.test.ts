// tcpdump and pcapng: a capture written as .pcapng (one interface, or "any" in Linux's cooked
// format) reads back with -r as the live capture printed it; -e shows the cooked header as
// print-sll.c does; files libpcap refuses are refused in its words. Expected lines were checked
// against real tcpdump 4.99.3 reading the same files.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import ping from '../../../userland/bin/ping.js';
import tcpdump from '../../../userland/bin/tcpdump.js';
import { concatBytes } from '../../../userland/lib/escapes.js';
import { LINKTYPE_ETHERNET, LINKTYPE_RAW } from '../../../userland/lib/pcap.js';
import { PcapngWriter } from '../../../userland/lib/pcapng.js';
import { routedWorld } from '../../helpers/net.js';
import { run, start } from '../../helpers/world.js';

const NIC = '/dev/net/ipro1000/0';
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');
const READING_ANY = lines('reading from file /tmp/any.pcapng, link-type LINUX_SLL2 (Linux cooked v2), snapshot length 262144', 'Warning: interface names might be incorrect');

async function capture(args: string[]) {
  const { world } = routedWorld([ping, tcpdump]);
  const td = await start(world.mustHost('a'), ['tcpdump', ...args]);
  await run(world, 'a', ['ping', '-c', '1', '192.168.1.1']);
  await world.run({ until: () => !td.proc.alive, timeLimitNs: 60e9 });
  return { world, out: td.output() };
}

async function tcpdumpOn(world: Awaited<ReturnType<typeof capture>>['world'], args: string[]) {
  const r = await run(world, 'a', ['tcpdump', ...args]);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

describe('tcpdump and pcapng', () => {
  it('reads back an "any" capture as it was printed live, naming interfaces by this host\'s indexes', async () => {
    const live = await capture(['-i', 'any', '-c', '4']);
    const { world } = await capture(['-i', 'any', '-c', '4', '-w', '/tmp/any.pcapng']);
    const shown = live.out.split('\n').filter((l) => l.startsWith('00:'));
    expect(shown).toHaveLength(4);
    expect(await tcpdumpOn(world, ['-r', '/tmp/any.pcapng'])).toEqual({ out: READING_ANY + lines(...shown), code: 0 });
    // -e: the cooked header, as print-sll.c writes it.
    expect(await tcpdumpOn(world, ['-e', '-c', '2', '-r', '/tmp/any.pcapng'])).toEqual({
      out:
        READING_ANY +
        lines(
          `00:00:00.000000 ${NIC} Out ifindex 2 52:54:00:00:00:0a ethertype ARP (0x0806), length 48: Request who-has 192.168.1.1 tell 192.168.1.10, length 28`,
          `00:00:00.001000 ${NIC} In  ifindex 2 52:54:00:00:00:01 ethertype ARP (0x0806), length 48: Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28`,
        ),
      code: 0,
    });
    // -xx: the cooked header's 20 bytes first.
    const hex = await tcpdumpOn(world, ['-xx', '-c', '1', '-r', '/tmp/any.pcapng']);
    expect(hex.out).toContain('\t0x0000:  0806 0000 0000 0002 0001 0406 5254 0000\n');
    // A filter applies to the packet inside the cooked header.
    const icmp = await tcpdumpOn(world, ['-r', '/tmp/any.pcapng', 'icmp']);
    expect(icmp.out.split('\n').filter((l) => l.startsWith('00:'))).toEqual(shown.slice(2));
  });

  it('prints the cooked header live with -e, as a capture on "any" holds it', async () => {
    const r = await capture(['-i', 'any', '-e', '-c', '1']);
    expect(r.out).toContain(`00:00:00.000000 ${NIC} Out ifindex 2 52:54:00:00:00:0a ethertype ARP (0x0806), length 48: Request who-has 192.168.1.1 tell 192.168.1.10, length 28\n`);
  });

  it('reads a one-interface pcapng as it reads a pcap', async () => {
    const { world } = await capture(['-i', NIC, '-c', '4', '-w', '/tmp/nic.pcapng']);
    const r = await tcpdumpOn(world, ['-r', '/tmp/nic.pcapng', '-c', '1']);
    expect(r).toEqual({
      out: lines('reading from file /tmp/nic.pcapng, link-type EN10MB (Ethernet), snapshot length 262144', '00:00:00.000000 ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28'),
      code: 0,
    });
  });

  it("refuses what libpcap refuses: at open, or in the loop after the packets it could read", async () => {
    const { world } = routedWorld([ping, tcpdump]);
    const w = new PcapngWriter();
    const eth = w.addInterface({ linkType: LINKTYPE_ETHERNET, snaplen: 262144, name: 'eth' });
    const raw = w.addInterface({ linkType: LINKTYPE_RAW, snaplen: 262144, name: 'tun0' });
    const frame = Uint8Array.from({ length: 42 }, (_, i) => (i < 12 ? 0xff : i === 12 ? 0x08 : i === 13 ? 0x06 : 0));
    const packet = w.packet({ interfaceId: 0, timestampNs: 1_767_225_600_000_000_000n, data: frame, origLen: frame.length });
    const k = world.mustHost('a');
    k.root.install('tmp/mixed.pcapng', concatBytes([w.header(), eth.block, packet, raw.block, packet]));
    k.root.install('tmp/early.pcapng', concatBytes([w.header(), packet, eth.block]));
    const mixed = await tcpdumpOn(world, ['-r', '/tmp/mixed.pcapng']);
    expect(mixed.code).toBe(1);
    expect(mixed.out).toMatch(/^reading from file \/tmp\/mixed\.pcapng, link-type EN10MB \(Ethernet\), snapshot length 262144\n00:00:00\.000000 .*\ntcpdump: pcap_loop: an interface has a type 101 different from the type of the first interface\n$/);
    expect(await tcpdumpOn(world, ['-r', '/tmp/early.pcapng'])).toEqual({ out: 'tcpdump: the capture file has a packet block before any Interface Description Blocks\n', code: 1 });
  });
});
