// tcpdump -w and -r: a capture written inside the world reads back as the same lines a live capture
// prints; one written to the shared real directory (/host) is a real pcap file that readPcap and,
// where it is installed, Wireshark's tshark parse; damaged files get libpcap's complaints.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { buildWorld } from '../../../kernel/world/build.js';
import { parseWorldFile } from '../../../kernel/world/world-file.js';
import ping from '../../../userland/bin/ping.js';
import tcpdump from '../../../userland/bin/tcpdump.js';
import { isPcapError, LINKTYPE_ETHERNET, readPcap, writePcap } from '../../../userland/lib/pcap.js';
import { ROUTED_WORLD } from '../../helpers/net.js';
import { missingTools, skipUnlessAble, TSHARK } from '../../interop/helpers.js';
import { programsOf, run, start } from '../../helpers/world.js';
import * as P from './tcpdump-packets.js';

const NIC = '/dev/net/ipro1000/0';
const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');
const PRINTED = lines(
  '00:00:00.000000 ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28',
  '00:00:00.001000 ARP, Reply 192.168.1.1 is-at 52:54:00:00:00:01, length 28',
  '00:00:00.001000 IP 192.168.1.10 > 192.168.1.1: ICMP echo request, id 3, seq 0, length 64',
  '00:00:00.002000 IP 192.168.1.1 > 192.168.1.10: ICMP echo reply, id 3, seq 0, length 64',
);
const COUNTS = lines('4 packets captured', '4 packets received by filter', '0 packets dropped by kernel');

const shares: string[] = [];
afterAll(() => {
  for (const d of shares) fs.rmSync(d, { recursive: true, force: true });
});

function world(share?: string) {
  return buildWorld(parseWorldFile(JSON.stringify(ROUTED_WORLD)), { programs: programsOf([ping, tcpdump]), seed: 1, checkErrno: true, ...(share ? { share } : {}) }, '.').world;
}

/** `tcpdump ARGS` on host a while it pings its router once; tcpdump's terminal output and status. */
async function captureDuringPing(w: ReturnType<typeof world>, args: string[]) {
  const td = await start(w.mustHost('a'), ['tcpdump', ...args]);
  await run(w, 'a', ['ping', '-c', '1', '192.168.1.1']);
  await w.run({ until: () => !td.proc.alive, timeLimitNs: 60e9 });
  return { out: td.output(), code: WEXITSTATUS(td.proc.status) };
}

async function tcpdumpAlone(w: ReturnType<typeof world>, args: string[], uid?: number) {
  const r = await run(w, 'a', ['tcpdump', ...args], { uid });
  return { out: r.out, code: WEXITSTATUS(r.status) };
}


describe('tcpdump -w and -r', () => {
  it('writes what it captures and reads it back as the same lines, without root', async () => {
    const w = world();
    const wrote = await captureDuringPing(w, ['-i', NIC, '-c', '4', '-w', '/tmp/ping.pcap']);
    expect(wrote).toEqual({ out: lines(`tcpdump: listening on ${NIC}, link-type EN10MB (Ethernet), snapshot length 262144 bytes`) + COUNTS, code: 0 });
    const read = await tcpdumpAlone(w, ['-r', '/tmp/ping.pcap'], 1000);
    expect(read).toEqual({ out: lines('reading from file /tmp/ping.pcap, link-type EN10MB (Ethernet), snapshot length 262144') + PRINTED, code: 0 });
    // The printed capture of an identical world is the same text.
    const printed = await captureDuringPing(world(), ['-i', NIC, '-c', '4']);
    expect(printed.out).toContain(PRINTED + COUNTS);
    // -c limits what is read; -r with -w copies.
    expect((await tcpdumpAlone(w, ['-r', '/tmp/ping.pcap', '-c', '1', '-t'])).out).toBe(
      lines('reading from file /tmp/ping.pcap, link-type EN10MB (Ethernet), snapshot length 262144', 'ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28'),
    );
    expect((await tcpdumpAlone(w, ['-r', '/tmp/ping.pcap', '-c', '2', '-w', '/tmp/two.pcap'])).code).toBe(0);
    expect((await tcpdumpAlone(w, ['-r', '/tmp/two.pcap', '-q'])).out).toBe(
      lines('reading from file /tmp/two.pcap, link-type EN10MB (Ethernet), snapshot length 262144', ...PRINTED.split('\n').slice(0, 2)),
    );
  });

  it('writes a real pcap file into a shared directory that readPcap reads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-tcpdump-'));
    shares.push(dir);
    const w = world(dir);
    expect((await captureDuringPing(w, ['-i', NIC, '-c', '4', '-w', '/host/x.pcap', '-s', '1500'])).code).toBe(0);
    const bytes = fs.readFileSync(path.join(dir, 'x.pcap'));
    const file = readPcap(bytes);
    if (isPcapError(file)) throw new Error(file.message);
    expect(file.linkType).toBe(LINKTYPE_ETHERNET);
    expect(file.snaplen).toBe(1500);
    expect(file.packets.map((p) => [p.tsSec - 1767225600, p.tsUsec, p.data.length, p.origLen, (p.data[12]! << 8) | p.data[13]!])).toEqual([
      [0, 0, 42, 42, 0x0806],
      [0, 1000, 42, 42, 0x0806],
      [0, 1000, 98, 98, 0x0800],
      [0, 2000, 98, 98, 0x0800],
    ]);
  });

  it('writes a pcap file that Wireshark\'s tshark reads (skipped, saying so, where tshark is not installed)', async (ctx) => {
    skipUnlessAble(ctx, missingTools(TSHARK), 'the tshark check');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-tcpdump-'));
    shares.push(dir);
    expect((await captureDuringPing(world(dir), ['-i', NIC, '-c', '4', '-w', '/host/x.pcap', '-s', '1500'])).code).toBe(0);
    const out = execFileSync('tshark', ['-r', path.join(dir, 'x.pcap'), '-T', 'fields', '-e', 'frame.protocols', '-e', 'ip.src'], {
      stdio: ['ignore', 'pipe', 'ignore'],
    }).toString();
    expect(out).toBe(lines('eth:ethertype:arp\t', 'eth:ethertype:arp\t', 'eth:ethertype:ip:icmp:data\t192.168.1.10', 'eth:ethertype:ip:icmp:data\t192.168.1.1'));
  });

  it('reads a file from the real directory, and a raw-IP one too', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-tcpdump-'));
    shares.push(dir);
    const hour = BigInt(Date.UTC(2026, 0, 1)) * 1_000_000n + 3_600_000_000_000n;
    fs.writeFileSync(
      path.join(dir, 'raw.pcap'),
      writePcap({ linkType: 101 }, [
        { tsNs: hour + 5000n, data: P.udp('10.8.0.2', 40000, '10.8.0.1', 1194, 84) },
        { tsNs: hour + 9000n, data: P.echo('echo-reply', '10.8.0.1', '10.8.0.2') },
      ]),
    );
    expect(await tcpdumpAlone(world(dir), ['-r', '/host/raw.pcap', '-n'])).toEqual({
      out: lines(
        'reading from file /host/raw.pcap, link-type RAW (Raw IP), snapshot length 262144',
        '01:00:00.000005 IP 10.8.0.2.40000 > 10.8.0.1.1194: UDP, length 84',
        '01:00:00.000009 IP 10.8.0.1 > 10.8.0.2: ICMP echo reply, id 1234, seq 0, length 64',
      ),
      code: 0,
    });
  });

  it('complains about missing, foreign and cut-short files as libpcap does, status 1', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-tcpdump-'));
    shares.push(dir);
    const good = writePcap({ linkType: 1 }, [{ tsNs: 0, data: P.arp(1) }, { tsNs: 1e9, data: P.arp(2, P.MAC_B) }]);
    fs.writeFileSync(path.join(dir, 'cut.pcap'), good.subarray(0, good.length - 50));
    fs.writeFileSync(path.join(dir, 'cut-data.pcap'), good.subarray(0, good.length - 2));
    // A second record whose caplen is 0xffffffff: libpcap refuses it before reading its data.
    const huge = new Uint8Array(good);
    new DataView(huge.buffer).setUint32(24 + 16 + 42 + 8, 0xffffffff, true);
    fs.writeFileSync(path.join(dir, 'caplen.pcap'), huge);
    fs.writeFileSync(path.join(dir, 'text.pcap'), 'not a capture at all\n');
    fs.writeFileSync(path.join(dir, 'header.pcap'), good.subarray(0, 6));
    fs.writeFileSync(path.join(dir, 'usb.pcap'), writePcap({ linkType: 189 }, [{ tsNs: 0, data: P.counting(8) }]));
    const w = world(dir);
    const reading = 'reading from file /host/cut.pcap, link-type EN10MB (Ethernet), snapshot length 262144';
    const first = '00:00:00.000000 ARP, Request who-has 192.168.1.1 tell 192.168.1.10, length 28';
    expect(await tcpdumpAlone(w, ['-r', '/host/cut.pcap'])).toEqual({
      out: lines(reading, first, 'tcpdump: pcap_loop: truncated dump file; tried to read 16 header bytes, only got 8'),
      code: 1,
    });
    expect(await tcpdumpAlone(w, ['-r', '/host/cut-data.pcap'])).toEqual({
      out: lines(reading.replace('cut', 'cut-data'), first, 'tcpdump: pcap_loop: truncated dump file; tried to read 42 captured bytes, only got 40'),
      code: 1,
    });
    expect(await tcpdumpAlone(w, ['-r', '/host/caplen.pcap'])).toEqual({
      out: lines(reading.replace('cut', 'caplen'), first, 'tcpdump: pcap_loop: invalid packet capture length 4294967295, bigger than maximum of 262144'),
      code: 1,
    });
    expect(await tcpdumpAlone(w, ['-r', '/host/text.pcap'])).toEqual({ out: lines('tcpdump: unknown file format'), code: 1 });
    expect(await tcpdumpAlone(w, ['-r', '/host/header.pcap'])).toEqual({
      out: lines('tcpdump: truncated dump file; tried to read 24 file header bytes, only got 2'),
      code: 1,
    });
    expect(await tcpdumpAlone(w, ['-r', '/host/usb.pcap'])).toEqual({ out: lines('tcpdump: packet printing is not supported for link type 189: use -w'), code: 1 });
    expect(await tcpdumpAlone(w, ['-r', '/tmp/nope.pcap'])).toEqual({ out: lines('tcpdump: /tmp/nope.pcap: No such file or directory'), code: 1 });
    expect(await tcpdumpAlone(w, ['-i', NIC, '-w', '/nowhere/x.pcap'])).toEqual({ out: lines('tcpdump: /nowhere/x.pcap: No such file or directory'), code: 1 });
  });
});
