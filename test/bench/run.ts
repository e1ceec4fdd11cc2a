// npm run bench: the figures of tunlab's speed, as a table (or --json), each a median over
// repetitions, measured on this machine in this run.

import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import { TUNLAB_COMMAND } from '../helpers/command.js';
import { hostPing } from './host-ping.js';
import { scale } from './scale.js';
import { packetdrillRate, tcpBulk } from './tcp.js';
import { tunEcho } from './tun-echo.js';
import { iperfOverVpn, rawCrypto, tlsTunnelThroughput, tunnelThroughput, vpnPing } from './vpn.js';
import { rawChacha, wireguardThroughput } from './wireguard.js';

interface Figure {
  name: string;
  value: number;
  unit: string;
  target: string;
  met: boolean;
  detail?: string;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function repeat(n: number, f: () => Promise<number>): Promise<number[]> {
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(await f());
  return out;
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const reps = Number(process.env['BENCH_REPS'] ?? 5);
  const figures: Figure[] = [];
  const note = (s: string) => {
    if (!json) process.stderr.write(s);
  };

  note('tun echo ...');
  // A warm-up run lets the JIT settle before anything is measured.
  await tunEcho(56, 20_000);
  for (const size of [56, 1400]) {
    const v = median(await repeat(reps, () => tunEcho(size, 50_000)));
    figures.push({ name: `tun echo round trips, ${size}-byte payload`, value: v, unit: 'per s', target: size === 56 ? '>= 250000' : '', met: size !== 56 || v >= 250_000 });
  }

  note(' host ping ...');
  await hostPing(5_000);
  const hp = median(await repeat(reps, () => hostPing(20_000)));
  figures.push({ name: 'ICMP echo round trips between two hosts on one segment', value: hp, unit: 'per s', target: '', met: true });

  note(' vpn ping ...');
  const vp = await vpnPing(1000);
  figures.push({
    name: '`ping -c 1000 -i 1 10.10.0.10` through the default world\'s VPN',
    value: vp.virtualPerWall,
    unit: 'virtual s per wall s',
    target: '>= 1000',
    met: vp.virtualPerWall >= 1000 && vp.received === 1000,
    detail: `${vp.received}/1000 replies`,
  });

  note(' tunnel ...');
  const tput = median(await repeat(Math.min(reps, 3), async () => (await tunnelThroughput(3000, 1300)).mbPerS));
  const raw = median(await repeat(reps, async () => rawCrypto(20_000, 1300)));
  figures.push({
    name: 'encrypted tunnel between two hosts (AES-256-CBC + HMAC-SHA256), 1300-byte payloads',
    value: tput,
    unit: 'MB/s',
    target: '>= 60% of raw',
    met: tput >= 0.6 * raw,
    detail: `${((tput / raw) * 100).toFixed(0)}% of raw`,
  });
  figures.push({ name: 'raw node:crypto: encrypt + HMAC, verify + decrypt, 1300-byte payloads', value: raw, unit: 'MB/s', target: '', met: true });
  // TLS mode: the data channel on an AEAD cipher (P_DATA_V2), as a 2.6 server negotiates it.
  for (const cipher of ['AES-256-GCM', 'CHACHA20-POLY1305'] as const) {
    const delivered: number[] = [];
    const v = median(
      await repeat(Math.min(reps, 3), async () => {
        const r = await tlsTunnelThroughput(3000, 1300, cipher);
        delivered.push(r.delivered);
        return r.mbPerS;
      }),
    );
    figures.push({
      name: `TLS-mode tunnel (${cipher}, tls-crypt), 1300-byte payloads`,
      value: v,
      unit: 'MB/s',
      target: '',
      met: delivered.every((d) => d === 3000),
      detail: `${((v / tput) * 100).toFixed(0)}% of the CBC+HMAC tunnel, ${Math.min(...delivered)}/3000 delivered`,
    });
  }
  // The same tunnel with --cipher none --auth none: what the emulation alone allows.
  const plain = median(await repeat(Math.min(reps, 3), async () => (await tunnelThroughput(3000, 1300, false)).mbPerS));
  figures.push({ name: 'the same tunnel without crypto (--cipher none --auth none)', value: plain, unit: 'MB/s', target: '', met: true });

  note(' wireguard ...');
  const wg = median(await repeat(Math.min(reps, 3), async () => (await wireguardThroughput(3000, 1300)).mbPerS));
  const chacha = median(await repeat(reps, async () => rawChacha(20_000, 1300)));
  figures.push({
    name: 'WireGuard tunnel between two hosts (ChaCha20-Poly1305), 1300-byte payloads',
    value: wg,
    unit: 'MB/s',
    target: '',
    met: true,
    detail: `${((wg / tput) * 100).toFixed(0)}% of the OpenVPN tunnel, ${((wg / chacha) * 100).toFixed(0)}% of raw ChaCha20-Poly1305`,
  });
  figures.push({ name: 'raw node:crypto ChaCha20-Poly1305: seal, then open, 1300-byte payloads', value: chacha, unit: 'MB/s', target: '', met: true });

  note(' tcp ...');
  await tcpBulk(4 << 20);
  const bulk = median(await repeat(Math.min(reps, 3), () => tcpBulk(32 << 20)));
  figures.push({ name: 'TCP bulk transfer between two hosts on one segment (one connection, 32 MiB)', value: bulk, unit: 'MB/s', target: '', met: true });
  await iperfOverVpn(1 << 20);
  const iperf = median(await repeat(Math.min(reps, 3), async () => (await iperfOverVpn(8 << 20)).mbPerS));
  figures.push({ name: 'iperf3 over the OpenVPN tunnel between two hosts (TCP, AES-256-CBC, 8 MiB)', value: iperf, unit: 'MB/s', target: '', met: true, detail: `${((iperf / bulk) * 100).toFixed(0)}% of raw TCP` });
  await packetdrillRate(3);
  const pd = median(await repeat(reps, () => packetdrillRate(20)));
  figures.push({ name: 'packetdrill runs of data-delayed-ack.pkt (a fresh world each)', value: pd, unit: 'scripts per s', target: '', met: true });

  note(' cold start ...');
  const cold = median(
    await repeat(Math.max(5, reps), async () => {
      const t0 = performance.now();
      execFileSync(process.execPath, [TUNLAB_COMMAND, '-c', 'true']);
      return performance.now() - t0;
    }),
  );
  figures.push({ name: 'cold start of `tunlab -c true`', value: cold, unit: 'ms', target: '< 300', met: cold < 300 });

  note(' scale ...');
  const s = await scale(1000);
  figures.push({
    name: '1000 hosts on one segment, each pinging the router once',
    value: s.wallMs / 1000,
    unit: 's',
    target: '< 5 s, < 1 GB',
    met: s.wallMs < 5000 && s.rssMb < 1024 && s.replies === 1000,
    detail: `rss ${s.rssMb.toFixed(0)} MB, heap ${s.heapMb.toFixed(0)} MB, ${s.replies}/1000 replies`,
  });
  note(' done\n');

  if (json) {
    process.stdout.write(JSON.stringify({ machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model, node: process.version }, figures }, null, 2) + '\n');
    return;
  }
  const rows = figures.map((f) => [f.name, `${f.value >= 100 ? Math.round(f.value).toLocaleString('en') : f.value.toFixed(2)} ${f.unit}`, f.target, f.target ? (f.met ? 'met' : 'NOT met') : '', f.detail ?? '']);
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'value', 'target', ''][i]!.length));
  const line = (r: string[]) => r.slice(0, 4).map((c, i) => c.padEnd(widths[i]!)).join('  ') + (r[4] ? `  ${r[4]}` : '');
  process.stdout.write(`tunlab benchmarks (${os.cpus().length} cores, ${os.cpus()[0]?.model ?? 'unknown CPU'}, Node ${process.version})\n\n`);
  process.stdout.write(line(['figure', 'value', 'target', '']) + '\n');
  for (const r of rows) process.stdout.write(line(r) + '\n');
}

main().catch((e: unknown) => {
  process.stderr.write(`bench: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
