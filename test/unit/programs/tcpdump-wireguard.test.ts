// tcpdump's WireGuard lines: the reference's capture of two real wireguard-go (kept in
// test/unit/wireguard/vectors) read with `tcpdump -r`, each summary Wireshark's Info column for the
// same frame (checked with tshark when it is installed), the -v details with Wireshark's field
// names, Wireshark's heuristic on other ports, and garbage on 51820.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Session } from '../../../bin/session.js';
import { describe, expect, it } from 'vitest';
import { buildIpv4Packet, buildUdpPacket, buildWireGuardMessage, parseIpv4, WG_TRANSPORT_DATA } from '../../../kernel/abi/wire/index.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { buildWorld } from '../../../kernel/world/build.js';
import { parseWorldFile } from '../../../kernel/world/world-file.js';
import tcpdump from '../../../userland/bin/tcpdump.js';
import { packetLine } from '../../../userland/lib/dissect/index.js';
import { ROUTED_WORLD } from '../../helpers/net.js';
import { programsOf, run } from '../../helpers/world.js';

const VECTORS = fileURLToPath(new URL('../wireguard/vectors', import.meta.url));

const INFO = [
  'Handshake Initiation, sender=0x81CC5689',
  'Handshake Response, sender=0x409DBA73, receiver=0x81CC5689',
  'Transport Data, receiver=0x409DBA73, counter=0, datalen=96',
  'Transport Data, receiver=0x81CC5689, counter=0, datalen=96',
  'Transport Data, receiver=0x409DBA73, counter=1, datalen=96',
  'Transport Data, receiver=0x81CC5689, counter=1, datalen=96',
  'Transport Data, receiver=0x409DBA73, counter=2, datalen=96',
  'Transport Data, receiver=0x81CC5689, counter=2, datalen=96',
  'Keepalive, receiver=0x409DBA73, counter=3',
  'Keepalive, receiver=0x81CC5689, counter=3',
  'Keepalive, receiver=0x81CC5689, counter=4',
  'Keepalive, receiver=0x81CC5689, counter=5',
];

async function readCapture(args: string[]): Promise<{ out: string; code: number }> {
  const w = buildWorld(parseWorldFile(JSON.stringify(ROUTED_WORLD)), { programs: programsOf([tcpdump]), seed: 1, share: VECTORS }, '.').world;
  const r = await run(w, 'a', ['tcpdump', ...args]);
  return { out: r.out, code: WEXITSTATUS(r.status) };
}

function tsharkInfo(file: string): string[] | null {
  try {
    return execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', '_ws.col.Info'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().split('\n');
  } catch {
    return null;
  }
}

const udp = (sport: number, dport: number, payload: Uint8Array) =>
  buildIpv4Packet(
    { src: parseIpv4('10.0.2.15')!, dst: parseIpv4('10.0.2.2')!, protocol: 17, ttl: 64, ident: 1, tos: 0, dontFragment: false, moreFragments: false, fragmentOffset: 0 },
    buildUdpPacket({ srcPort: sport, dstPort: dport, payload }, parseIpv4('10.0.2.15')!, parseIpv4('10.0.2.2')!),
  );

describe('tcpdump and WireGuard', () => {
  it("reads real wireguard-go traffic as Wireshark's Info column says it", async () => {
    const r = await readCapture(['-n', '-t', '-r', '/host/wg-real-pair.pcap']);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n').slice(1);
    const sizes = [148, 92, 128, 128, 128, 128, 128, 128, 32, 32, 32, 32];
    expect(lines).toEqual(
      INFO.map((info, i) => {
        const fromA = i === 0 || i === 2 || i === 4 || i === 6 || i === 8;
        return `IP 127.0.0.1.${fromA ? 51820 : 51821} > 127.0.0.1.${fromA ? 51821 : 51820}: WireGuard ${info}, length ${sizes[i]}`;
      }),
    );
    const shark = tsharkInfo(`${VECTORS}/wg-real-pair.pcap`);
    if (shark !== null) expect(shark).toEqual(INFO);
  });

  it('gives the fields of each message with -v, by their Wireshark names', async () => {
    const r = await readCapture(['-n', '-t', '-v', '-c', '2', '-r', '/host/wg-fixed-ephemeral.pcap']);
    expect(r.out).toContain(
      '127.0.0.1.51820 > 127.0.0.1.51821: WireGuard Handshake Initiation, sender=0x11223344 [Reserved: 000000, Ephemeral: nwX33uC/RE4n0bDmDt6xXPZQ1qha2vH7kTNFJLxR1Hw=, mac1: 120bef989f7ee03e6a969f654693c5ac, mac2: 00000000000000000000000000000000], length 148',
    );
    expect(r.out).toContain('WireGuard Handshake Response, sender=0x0E868F25, receiver=0x11223344 [Reserved: 000000, Ephemeral: wYsWwtcezZu36fS8nCEkDcskCwKpnK77OaLUSiKYfTM=');
  });

  it('finds WireGuard on any port by its content, and shows garbage on 51820 as invalid', () => {
    const keepalive = buildWireGuardMessage({ type: WG_TRANSPORT_DATA, receiver: 0xdeadbeef, counter: 7n, encryptedPacket: new Uint8Array(16) });
    const opts = { link: 'raw' as const };
    expect(packetLine('', udp(40000, 5555, keepalive), opts)).toBe('IP 10.0.2.15.40000 > 10.0.2.2.5555: WireGuard Keepalive, receiver=0xDEADBEEF, counter=7, length 32\n');
    expect(packetLine('', udp(40000, 51820, Uint8Array.of(7, 0, 0, 0, 1, 2)), opts)).toBe('IP 10.0.2.15.40000 > 10.0.2.2.51820: WireGuard, invalid: unknown message type 0x00000007, length 6\n');
    // The heuristic wants zero reserved bytes in transport data: elsewhere it stays UDP.
    const odd = keepalive.slice();
    odd[1] = 1;
    expect(packetLine('', udp(40000, 5555, odd), opts)).toBe('IP 10.0.2.15.40000 > 10.0.2.2.5555: UDP, length 32\n');
  });

  it("writes tunlab's own tunnel to a pcap that Wireshark reads as the same WireGuard messages", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-wg-pcap-'));
    try {
      const session = await Session.create({ clock: 'virtual', share: dir });
      const dec = new TextDecoder();
      let out = '';
      const collect = (d: Uint8Array) => void (out += dec.decode(d, { stream: true }));
      const script = [
        'wg-quick up wg0 2>/dev/null',
        'tcpdump -c 6 -i /dev/net/ipro1000/0 -w /host/wg.pcap udp port 51820 2>/dev/null &',
        'ping -c 2 10.10.0.10 > /dev/null',
        'wait',
        'tcpdump -n -t -r /host/wg.pcap 2>/dev/null',
      ].join('\n');
      const { shell } = await session.startShell(['-c', script], { tty: false, out: collect, err: collect });
      await session.run(() => !shell.alive);
      const ours = out.trim().split('\n').map((l) => l.replace(/^.*: WireGuard /, '').replace(/, length \d+$/, ''));
      expect(ours.map((l) => l.split(',')[0])).toEqual(['Handshake Initiation', 'Handshake Response', 'Keepalive', 'Transport Data', 'Transport Data', 'Transport Data']);
      const shark = tsharkInfo(path.join(dir, 'wg.pcap'));
      if (shark !== null) expect(shark).toEqual(ours);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
