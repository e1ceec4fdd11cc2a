// iperf3 between two hosts in virtual time: the client's and server's reports in iperf 3.12's
// layout, the same on every run; reverse mode, parallel streams, UDP with jitter and loss, -J,
// and iperf3's parameter errors.

import { describe, expect, it } from 'vitest';
import { WEXITSTATUS } from '../../../kernel/abi/wait.js';
import iperf3 from '../../../userland/bin/iperf3/main.js';
import { ROUTED_WORLD, routedWorld } from '../../helpers/net.js';
import { advance, run, start } from '../../helpers/world.js';

async function test(clientArgs: string[], serverArgs: string[] = [], spec: object = ROUTED_WORLD) {
  const w = routedWorld([iperf3], spec).world;
  const server = await start(w.mustHost('b'), ['iperf3', '-s', '-1', ...serverArgs]);
  await advance(w, 10e6);
  const client = await run(w, 'a', ['iperf3', '-c', '10.0.0.2', ...clientArgs]);
  await w.run({ until: () => !server.proc.alive, timeLimitNs: w.sched.now() + 5e9 });
  return { client: client.out, code: WEXITSTATUS(client.status), server: server.output(), serverAlive: server.proc.alive };
}

const NUM = String.raw`\s*[\d.]+`;

/** The routed world with a and b sending through a 10 Mbit/s tbf: a -t test moves megabytes, not hundreds. */
const TBF = { kind: 'tbf', rate: '10mbit', burst: 4000, limit: 30000 };
const SHAPED = {
  ...ROUTED_WORLD,
  hosts: {
    ...ROUTED_WORLD.hosts,
    a: { ...ROUTED_WORLD.hosts.a, nics: [{ ...ROUTED_WORLD.hosts.a.nics[0], qdisc: TBF }] },
    b: { ...ROUTED_WORLD.hosts.b, nics: [{ ...ROUTED_WORLD.hosts.b.nics[0], qdisc: TBF }] },
  },
};

describe('iperf3', () => {
  it('sends -n bytes over TCP: intervals with Retr and Cwnd, then sender and receiver lines; the server reports its side', async () => {
    const r = await test(['-n', '1M', '-i', '0.1']);
    expect(r.code).toBe(0);
    expect(r.serverAlive).toBe(false);
    const lines = r.client.split('\n');
    expect(lines.slice(0, 3)).toEqual(['Connecting to host 10.0.0.2, port 5201', expect.stringMatching(/^\[  4\] local 192\.168\.1\.10 port \d+ connected to 10\.0\.0\.2 port 5201$/), '[ ID] Interval           Transfer     Bitrate         Retr  Cwnd']);
    expect(lines[3]).toMatch(new RegExp(String.raw`^\[  4\]   0\.00-0\.\d\d   sec ${NUM} [KM]Bytes ${NUM} [KMG]bits/sec    0 ${NUM} KBytes       $`));
    expect(r.client).toMatch(/\n- - - - - - - - - - - - - - - - - - - - - - - - -\n\[ ID\] Interval           Transfer     Bitrate         Retr\n\[  4\]   0\.00-0\.\d\d   sec  1\.00 MBytes .* +0             sender\n\[  4\]   0\.00-\S+ +sec .*receiver\n\niperf Done\.\n$/);
    expect(r.server).toMatch(/^-{59}\nServer listening on 5201 \(test #1\)\n-{59}\nAccepted connection from 192\.168\.1\.10, port \d+\n\[  5\] local 10\.0\.0\.2 port 5201 connected to 192\.168\.1\.10 port \d+\n\[ ID\] Interval           Transfer     Bitrate\n/);
    expect(r.server).toMatch(/\[ ID\] Interval           Transfer     Bitrate\n\[  5\]   0\.00-\S+ +sec .*receiver\n$/);
    // A writer polling for room is woken by the ACKs that make it (tcp_poll's SOCK_NOSPACE): 1 MB
    // leaves in well under a second of virtual time, not a block per poll timeout.
    // Virtual time: the same numbers on every run.
    expect((await test(['-n', '1M', '-i', '0.1'])).client).toBe(r.client);
  });

  it('reverses with -R and sums parallel streams with -P', async () => {
    const r = await test(['-n', '512K', '-R', '-P', '2']);
    expect(r.code).toBe(0);
    expect(r.client).toMatch(/^Connecting to host 10\.0\.0\.2, port 5201\nReverse mode, remote host 10\.0\.0\.2 is sending\n\[  4\] local .*\n\[  5\] local .*\n/);
    expect(r.client).toMatch(/\[SUM\] .* sender\n\[SUM\] .* receiver\n\niperf Done\.\n$/);
    expect(r.server).toMatch(/\[SUM\] .* sender\n$/);
  });

  it("-t: no 0.00 Bytes interval at the end (iperf_print_intermediate leaves out one under a tenth of -i that carried nothing); the server's last bit is an interval of its own", async () => {
    // iperf 3.12 between two netns over a 30 Mbit/s tbf link, -t 2: the client's intervals end
    // at 1.00-2.00; the server, which reads on until TEST_END, prints 2.00-2.01 with its bytes.
    const r = await test(['-t', '2'], [], SHAPED);
    expect(r.code).toBe(0);
    const intervals = (text: string) => text.split('\n').filter((l) => !/sender|receiver/.test(l)).flatMap((l) => /^\[  \d\] +(\d+\.\d\d-\d+\.\d\d)/.exec(l)?.[1] ?? []);
    expect(intervals(r.client)).toEqual(['0.00-1.00', '1.00-2.00']);
    expect(r.client).not.toContain('0.00 Bytes');
    expect(intervals(r.server)).toEqual(['0.00-1.00', '1.00-2.00', expect.stringMatching(/^2\.00-2\.0[1-9]$/)]);
    expect(r.server).not.toContain(' 0.00 Bytes');
  });

  it('-R: the client, receiving, heads its intervals without Retr and Cwnd, as iperf 3.12 does', async () => {
    const r = await test(['-t', '2', '-R'], [], SHAPED);
    expect(r.client).toMatch(/is sending\n\[  4\] local .*\n\[ ID\] Interval           Transfer     Bitrate\n\[  4\]   0\.00-1\.00 /);
    expect(r.client).not.toContain('0.00 Bytes');
    expect(r.server).toContain('[ ID] Interval           Transfer     Bitrate         Retr  Cwnd\n');
  });

  it('-n: the receiver counts what it read before TEST_END, less than the sender wrote, as a real iperf3 does', async () => {
    // Measured with iperf 3.12 between two netns over a 30 Mbit/s tbf link, -n 1M: sender
    // 1.00 MBytes in 0.07 s (into its socket buffer), receiver 375 KBytes in 0.12 s. The server
    // closes its streams on TEST_END (iperf_handle_message_server) without reading what is in flight.
    const r = await test(['-n', '1M']);
    const bytes = (side: string) => new RegExp(String.raw`sec +(\S+ \S*Bytes) .* ${side}\n`).exec(r.client)![1];
    expect(bytes('sender')).toBe('1.00 MBytes');
    expect(bytes('receiver')).not.toBe('1.00 MBytes');
  });

  it('paces UDP at -b and reports jitter and loss on the receiving side', async () => {
    const r = await test(['-u', '-b', '1M', '-t', '2']);
    expect(r.code).toBe(0);
    expect(r.client).toContain('[ ID] Interval           Transfer     Bitrate         Total Datagrams\n');
    expect(r.client).toMatch(/\[  4\]   0\.00-1\.00   sec   12\d KBytes  1\.0\d Mbits\/sec  \d+  \n/);
    expect(r.client).toMatch(/\[ ID\] Interval           Transfer     Bitrate         Jitter    Lost\/Total Datagrams\n\[  4\]   0\.00-2\.00   sec .* 0\.000 ms  0\/\d+ \(0%\)  sender\n\[  4\]   0\.00-\S+ +sec .* \d\.\d{3} ms  0\/\d+ \(0%\)  receiver\n/);
    expect(r.server).toMatch(/\[  5\]   0\.00-1\.00   sec .* ms  0\/\d+ \(0%\)  \n/);
  });

  it('prints JSON with -J', async () => {
    const r = await test(['-n', '256K', '-J']);
    const j = JSON.parse(r.client) as { start: { test_start: { protocol: string; bytes: number } }; end: { sum_sent: { bytes: number } } };
    expect(j.start.test_start).toMatchObject({ protocol: 'TCP', bytes: 262144 });
    expect(j.end.sum_sent.bytes).toBe(262144);
  });

  it("says what is wrong with its parameters as iperf3 does, status 1", async () => {
    const w = routedWorld([iperf3]).world;
    const cases: [string[], string][] = [
      [['iperf3'], 'iperf3: parameter error - must either be a client (-c) or server (-s)\n'],
      [['iperf3', '-s', '-c', 'x'], 'iperf3: parameter error - cannot be both server and client\n'],
      [['iperf3', '-c', '10.0.0.2', '-P', '500'], 'iperf3: parameter error - number of parallel streams too large (maximum = 128)\n'],
      [['iperf3', '-c', '10.0.0.2', '-p', '0'], 'iperf3: parameter error - bad port number\n'],
      [['iperf3', '-c', '10.0.0.2', '-t', '1'], 'iperf3: error - unable to connect to server - server may have stopped running or use a different port, firewall issue, etc.: Connection refused\n'],
    ];
    for (const [argv, out] of cases) {
      const r = await run(w, 'a', argv);
      expect([argv, r.out.replace(/^Connecting to host.*\n/, ''), WEXITSTATUS(r.status)]).toEqual([argv, out, 1]);
    }
  });
});
