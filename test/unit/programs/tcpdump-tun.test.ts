// tcpdump on a tun: the interface a test program creates through /dev/misc/tun + TUNSETIFF carries
// bare IP packets, so tcpdump says RAW and prints them without a link header. The program plays the
// far end: it writes an echo request into the tun (the stack receives it and answers through the
// tun) and sends a UDP datagram out through it, as an OpenVPN client's tun would carry.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IFF_NO_PI, IFF_TUN } from '../../../kernel/abi/ioctl.js';
import { defineProgram } from '../../../kernel/abi/program.js';
import { AF_INET, SOCK_DGRAM, sockaddrIn } from '../../../kernel/abi/socket.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import tcpdump from '../../../userland/bin/tcpdump.js';
import { print } from '../../../userland/lib/io.js';
import { isPcapError, LINKTYPE_RAW, readPcap } from '../../../userland/lib/pcap.js';
import { echoRequest, ifup, tunAlloc } from '../../helpers/tun.js';
import { missingTools, skipUnlessAble, TSHARK } from '../../interop/helpers.js';
import { start, testWorld } from '../../helpers/world.js';

/** `tunpeer [stay]`: tun 10.8.0.1 <-> 10.8.0.2, some traffic through it, then exit (or stay). */
const tunPeer = defineProgram({
  name: 'tunpeer',
  summary: 'make a tun and play its far end',
  async main(argv, sys) {
    const { fd, name } = await tunAlloc(sys, '', IFF_TUN | IFF_NO_PI);
    await ifup(sys, name, '10.8.0.1', { peer: '10.8.0.2' });
    await print(sys, `ready ${name}\n`);
    await sys.nanosleep(1e9);
    await sys.write(fd, echoRequest('10.8.0.2', '10.8.0.1', 77, 1));
    await sys.read(fd, 2048); // the stack's echo reply
    await sys.nanosleep(250e6);
    const s = await sys.socket(AF_INET, SOCK_DGRAM, 0);
    await sys.bind(s, sockaddrIn('10.8.0.1', 40000));
    await sys.sendto(s, new TextEncoder().encode('hello through the tunnel'), 0, sockaddrIn('10.8.0.2', 1194));
    await sys.read(fd, 2048);
    if (argv[1] === 'stay') await sys.nanosleep(3600e9);
    await print(sys, 'done\n');
  },
});

async function captureOnTun(args: string[], peerArgs: string[] = ['stay'], share?: string) {
  const world = testWorld([tcpdump, tunPeer], share ? { share } : {});
  const k = world.mustHost('haiku');
  const peer = await start(k, ['tunpeer', ...peerArgs]);
  await world.run({ until: () => peer.output().includes('ready') });
  const td = await start(k, ['tcpdump', ...args]);
  await world.run({ until: () => !td.proc.alive, timeLimitNs: 60e9 });
  return { out: td.output(), code: td.proc.alive ? -1 : WEXITSTATUS(td.proc.status), peer: peer.output() };
}

const lines = (...l: string[]) => l.map((x) => `${x}\n`).join('');
const LISTEN = 'listening on tun/0, link-type RAW (Raw IP), snapshot length 262144 bytes';

describe('tcpdump on a tun', () => {
  it('prints the raw IP packets both ways', async () => {
    const r = await captureOnTun(['-i', 'tun/0', '-c', '3']);
    expect(r.peer).toBe('ready tun/0\n');
    expect(r.out).toBe(
      lines(
        'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode',
        LISTEN,
        '00:00:01.000000 IP 10.8.0.2 > 10.8.0.1: ICMP echo request, id 77, seq 1, length 64',
        '00:00:01.000000 IP 10.8.0.1 > 10.8.0.2: ICMP echo reply, id 77, seq 1, length 64',
        '00:00:01.250000 IP 10.8.0.1.40000 > 10.8.0.2.1194: UDP, length 24',
        '3 packets captured',
        '3 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
    expect(r.code).toBe(0);
  });

  it('labels the link "ip:" with -e and shows the header fields with -vv', async () => {
    const r = await captureOnTun(['-i', 'tun/0', '-c', '3', '-e', '-vv', '-t']);
    expect(r.out).toBe(
      lines(
        `tcpdump: ${LISTEN}`,
        'ip: (tos 0x0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 84)',
        '    10.8.0.2 > 10.8.0.1: ICMP echo request, id 77, seq 1, length 64',
        'ip: (tos 0x0, ttl 64, id 17763, offset 0, flags [none], proto ICMP (1), length 84)',
        '    10.8.0.1 > 10.8.0.2: ICMP echo reply, id 77, seq 1, length 64',
        'ip: (tos 0x0, ttl 64, id 17764, offset 0, flags [DF], proto UDP (17), length 52)',
        '    10.8.0.1.40000 > 10.8.0.2.1194: [udp sum ok] UDP, length 24',
        '3 packets captured',
        '3 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
  });

  it('reports the interface going away under the capture, status 1', async () => {
    const r = await captureOnTun(['-i', 'tun/0', '-q'], []);
    expect(r.peer).toBe('ready tun/0\ndone\n');
    expect(r.out).toBe(
      lines(
        'tcpdump: verbose output suppressed, use -v[v]... for full protocol decode',
        LISTEN,
        '00:00:01.000000 IP 10.8.0.2 > 10.8.0.1: ICMP echo request, id 77, seq 1, length 64',
        '00:00:01.000000 IP 10.8.0.1 > 10.8.0.2: ICMP echo reply, id 77, seq 1, length 64',
        '00:00:01.250000 IP 10.8.0.1.40000 > 10.8.0.2.1194: UDP, length 24',
        'tcpdump: pcap_loop: The interface went down',
        '3 packets captured',
        '3 packets received by filter',
        '0 packets dropped by kernel',
      ),
    );
    expect(r.code).toBe(1);
  });

  it('writes a raw-IP pcap (LINKTYPE_RAW) that readPcap reads', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-tcpdump-'));
    try {
      const r = await captureOnTun(['-i', 'tun/0', '-c', '3', '-w', '/host/tun.pcap'], ['stay'], dir);
      expect(r.out).toBe(lines(`tcpdump: ${LISTEN}`, '3 packets captured', '3 packets received by filter', '0 packets dropped by kernel'));
      const file = readPcap(fs.readFileSync(path.join(dir, 'tun.pcap')));
      if (isPcapError(file)) throw new Error(file.message);
      expect(file.linkType).toBe(LINKTYPE_RAW);
      expect(file.packets.map((p) => [p.data[0], p.data.length])).toEqual([
        [0x45, 84],
        [0x45, 84],
        [0x45, 52],
      ]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("writes a raw-IP pcap that Wireshark's tshark reads (skipped, saying so, where tshark is not installed)", async (ctx) => {
    skipUnlessAble(ctx, missingTools(TSHARK), 'the tshark check');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-tcpdump-'));
    try {
      await captureOnTun(['-i', 'tun/0', '-c', '3', '-w', '/host/tun.pcap'], ['stay'], dir);
      const out = execFileSync('tshark', ['-r', path.join(dir, 'tun.pcap'), '-T', 'fields', '-e', 'frame.protocols', '-e', 'udp.dstport'], {
        stdio: ['ignore', 'pipe', 'ignore'],
      }).toString();
      // Port 1194 is OpenVPN's: tshark tries its dissector on the (not OpenVPN) payload.
      expect(out.split('\n').map((l) => l.split('\t')[0])).toEqual(['raw:ip:icmp:data', 'raw:ip:icmp:data', expect.stringMatching(/^raw:ip:udp/), '']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
