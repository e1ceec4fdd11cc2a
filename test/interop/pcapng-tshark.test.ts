// The captures tunlab writes, read by the real Wireshark (tshark): `tunlab --pcap -` piped into
// `tshark -r -` while the session runs (every interface of every host, each frame with its journey
// id as a comment, the session's own output on stderr), the same through a FIFO, and the pcapng and
// LINUX_SLL2 files tcpdump -w writes, each read with no warning.

import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureBuilt, TUNLAB_COMMAND } from '../helpers/command.js';
import { missingTools, skipUnlessAble } from './helpers.js';

const TSHARK = { command: 'tshark', pkg: 'tshark' };
const FIELDS = ['-T', 'fields', '-e', 'frame.interface_name', '-e', 'frame.interface_description', '-e', 'frame.comment', '-e', '_ws.col.Protocol'];
const VPN_PING = `openvpn --config /etc/openvpn/client.conf > /tmp/openvpn.log &
sleep 1
ping -c 1 10.10.0.10
`;
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-pcapng-'));
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

/** What tshark says on stderr that is not its notice about running as root. */
const warnings = (stderr: string) => stderr.split('\n').filter((l) => l.trim() && !/^Running as user "root"/.test(l));

function rows(text: string): string[][] {
  return text
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => l.split('\t'));
}

describe('captures in tshark', () => {
  it('reads the world-wide capture from a pipe while tunlab runs: every host, every interface, the journey ids', (ctx) => {
    skipUnlessAble(ctx, missingTools(TSHARK), 'the tshark pipe test');
    ensureBuilt();
    const r = spawnSync('sh', ['-c', `node ${TUNLAB_COMMAND} --pcap - -c "$SCRIPT" 2>"$ERR" | tshark -r - ${FIELDS.join(' ')}`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, SCRIPT: VPN_PING, ERR: path.join(scratch, 'session.txt') },
    });
    expect(r.status).toBe(0);
    expect(warnings(r.stderr)).toEqual([]);
    // The session spoke on stderr, so the pipe held nothing but the capture.
    expect(fs.readFileSync(path.join(scratch, 'session.txt'), 'utf8')).toContain('1 packets transmitted, 1 packets received');
    const got = rows(r.stdout);
    const places = new Set(got.map(([name, host]) => `${host} ${name}`));
    expect([...places].sort()).toEqual([
      'haiku /dev/net/ipro1000/0',
      'haiku tun/0',
      'intranet /dev/net/ipro1000/0',
      'router /dev/net/ipro1000/0',
      'router /dev/net/ipro1000/1',
      'vpn /dev/net/virtio/0',
      'vpn /dev/net/virtio/1',
      'vpn tun/0',
    ]);
    for (const [, , comment] of got) expect(comment).toMatch(/^journey \d+$/);
    // The echo request is one journey on both tuns and on the intranet's card.
    const request = got.filter((g) => g[3] === 'ICMP').map((g) => `${g[1]} ${g[0]} ${g[2]}`);
    expect(request.slice(0, 4)).toEqual(['haiku tun/0 journey 1', 'vpn tun/0 journey 1', 'vpn /dev/net/virtio/1 journey 1', 'intranet /dev/net/ipro1000/0 journey 1']);
  });

  it('reads it from a FIFO too', (ctx) => {
    skipUnlessAble(ctx, missingTools(TSHARK), 'the tshark FIFO test');
    ensureBuilt();
    const fifo = path.join(scratch, 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    const r = spawnSync('sh', ['-c', `tshark -r "$FIFO" ${FIELDS.join(' ')} & node ${TUNLAB_COMMAND} --pcap "$FIFO" -c 'ping -c 1 192.168.1.1' >/dev/null; wait`], {
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...process.env, FIFO: fifo },
    });
    expect(warnings(r.stderr)).toEqual([]);
    expect(rows(r.stdout).map((g) => `${g[1]} ${g[3]}`)).toEqual(['haiku ARP', 'router ARP', 'router ARP', 'haiku ARP', 'haiku ICMP', 'router ICMP', 'router ICMP', 'haiku ICMP']);
  });

  it('reads what tcpdump -w writes: pcapng (one interface block each, the journey ids) and -i any (LINUX_SLL2)', (ctx) => {
    skipUnlessAble(ctx, missingTools(TSHARK), 'the tcpdump file test');
    ensureBuilt();
    const run = (cmd: string) =>
      execFileSync(process.execPath, [TUNLAB_COMMAND, '--share', scratch, '-c', `${cmd} &\nsleep 0.1\nping -c 1 192.168.1.1 > /dev/null\nwait\n`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    run('tcpdump -i any -c 4 -w /host/any.pcapng');
    run('tcpdump -i any -c 4 -w /host/any.pcap');
    run('tcpdump -i /dev/net/ipro1000/0 -c 2 -w /host/nic.pcapng');
    const read = (file: string, extra: string[] = []) => {
      const r = spawnSync('tshark', ['-r', path.join(scratch, file), ...FIELDS, ...extra], { encoding: 'utf8' });
      expect(warnings(r.stderr)).toEqual([]);
      expect(r.status).toBe(0);
      return rows(r.stdout);
    };
    expect(read('any.pcapng', ['-e', 'sll.pkttype'])).toEqual([
      ['/dev/net/ipro1000/0', 'haiku', 'journey 2', 'ARP', '4'],
      ['/dev/net/ipro1000/0', 'haiku', 'journey 3', 'ARP', '0'],
      ['/dev/net/ipro1000/0', 'haiku', 'journey 1', 'ICMP', '4'],
      ['/dev/net/ipro1000/0', 'haiku', 'journey 4', 'ICMP', '0'],
    ]);
    expect(read('any.pcap', ['-e', 'sll.pkttype', '-e', 'sll.ifindex']).map((g) => g.slice(3))).toEqual([
      ['ARP', '4', '2'],
      ['ARP', '0', '2'],
      ['ICMP', '4', '2'],
      ['ICMP', '0', '2'],
    ]);
    expect(read('nic.pcapng').map((g) => g.join(' '))).toEqual(['/dev/net/ipro1000/0 haiku journey 2 ARP', '/dev/net/ipro1000/0 haiku journey 3 ARP']);
  });
});
