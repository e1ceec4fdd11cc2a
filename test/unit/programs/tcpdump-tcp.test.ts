// tcpdump on a real TCP conversation between two hosts: the handshake with absolute sequence
// numbers and Linux's SYN options, relative numbers after it, and a pcap that Wireshark's tshark
// reads as TCP with good checksums and no malformed packet.

import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SIGINT } from '../../../kernel/abi/signal.js';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import { buildWorld } from '../../../kernel/world/build.js';
import { parseWorldFile } from '../../../kernel/world/world-file.js';
import tcpdump from '../../../userland/bin/tcpdump.js';
import { ROUTED_WORLD } from '../../helpers/net.js';
import { client, echoServer } from '../../helpers/tcp-programs.js';
import { programsOf, run, start } from '../../helpers/world.js';

const NIC = '/dev/net/ipro1000/0';
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

function tshark(): string | null {
  try {
    return execFileSync('which', ['tshark'], { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim() || null;
  } catch {
    return null;
  }
}

/** Host a sends 3000 bytes to b's echo server and reads them back while tcpdump writes a pcap on a. */
async function capture() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-tcpdump-tcp-'));
  dirs.push(dir);
  const { world } = buildWorld(parseWorldFile(JSON.stringify(ROUTED_WORLD)), { programs: programsOf([tcpdump, echoServer, client]), seed: 1, checkErrno: true, share: dir }, '.');
  const server = await start(world.mustHost('b'), ['echod']);
  const td = await start(world.mustHost('a'), ['tcpdump', '-i', NIC, '-w', '/host/tcp.pcap', 'tcp']);
  const c = await run(world, 'a', ['client', '10.0.0.2', '3000']);
  expect(c.out).toBe('echoed 3000 intact\n');
  await world.run({ until: () => !server.proc.alive, timeLimitNs: 10e9 });
  td.proc.signal(SIGINT);
  await world.run({ until: () => !td.proc.alive, timeLimitNs: 10e9 });
  const read = await run(world, 'a', ['tcpdump', '-n', '-r', '/host/tcp.pcap']);
  return { dir, text: read.out, status: WEXITSTATUS(read.status) };
}

describe('tcpdump on TCP', () => {
  it('prints the handshake with absolute numbers and relative ones after it', async () => {
    const { text, status } = await capture();
    expect(status).toBe(0);
    const lines = text
      .split('\n')
      .filter((l) => /^\d\d:\d\d:\d\d\.\d{6} /.test(l))
      .map((l) => l.slice(16));
    const [syn, synAck, ack] = lines;
    expect(syn).toMatch(/^IP 192\.168\.1\.10\.(\d+) > 10\.0\.0\.2\.7: Flags \[S\], seq \d+, win 64240, options \[mss 1460,sackOK,TS val \d+ ecr 0,nop,wscale \d+\], length 0$/);
    expect(synAck).toMatch(/^IP 10\.0\.0\.2\.7 > 192\.168\.1\.10\.\d+: Flags \[S\.\], seq \d+, ack \d+, win \d+, options \[mss 1460,sackOK,TS val \d+ ecr \d+,nop,wscale \d+\], length 0$/);
    expect(ack).toMatch(/^IP 192\.168\.1\.10\.\d+ > 10\.0\.0\.2\.7: Flags \[\.\], ack 1, win \d+, options \[nop,nop,TS val \d+ ecr \d+\], length 0$/);
    // The 3000 bytes leave as 1448-byte segments numbered from 1, and the FINs close both ways.
    expect(lines.some((l) => / > 10\.0\.0\.2\.7: Flags \[\.\], seq 1:1449, ack 1, /.test(l))).toBe(true);
    expect(lines.some((l) => / > 10\.0\.0\.2\.7: Flags \[F\.\], seq 3001, ack 1, /.test(l))).toBe(true);
    expect(lines.some((l) => /^IP 10\.0\.0\.2\.7 > .*Flags \[F\.\], seq 3001, ack 3002, /.test(l))).toBe(true);
  });

  it('writes a pcap tshark reads as TCP, every checksum good and nothing malformed', async () => {
    const { dir } = await capture();
    const bin = tshark();
    if (bin === null) return; // CI installs tshark; without it the lines above are the check
    const out = execFileSync(
      bin,
      ['-r', path.join(dir, 'tcp.pcap'), '-o', 'tcp.check_checksum:TRUE', '-T', 'fields', '-e', 'frame.protocols', '-e', 'tcp.checksum.status', '-e', '_ws.malformed', '-e', '_ws.expert.severity'],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    ).toString();
    const rows = out.split('\n').filter((r) => r !== '');
    expect(rows.length).toBeGreaterThan(8);
    for (const r of rows) {
      const [protocols, checksum, malformed, severity] = r.split('\t');
      expect(protocols).toMatch(/^eth:ethertype:ip:tcp/);
      expect(checksum).toBe('1'); // Good
      expect(malformed).toBe('');
      // Expert notes at most: the handshake's are "chat" (0x200000), the FINs' "note" (0x400000);
      // no warning (retransmission, bad window ...) or error.
      for (const sev of (severity ?? '').split(',').filter(Boolean)) expect(Number(sev)).toBeLessThanOrEqual(0x400000);
    }
  });
});
