// Every program of the registry, run through its /bin path in a world, on bad input (the table is
// in programs-table.ts): the right message and exit status, never a JavaScript stack trace or
// exception text, never a crashed program in the kernel log, never a kernel panic, and never a
// hang: each run has a virtual-time, an output and a wall-clock bound, and the programs that wait
// or run forever are killed at it (which the table says they must be).

import { describe, expect, it } from 'vitest';
import { userlandPrograms } from '../../userland/bin/registry.js';
import { crashes, JS_LEAK, JS_LEAK_BUT_ERROR, runBounded, userlandWorld } from './harness.js';
import { type Kind, PROTO, type Row, TABLE } from './programs-table.js';

const show = (argv: string[]) => argv.map((a) => (a.length > 40 ? `<${a.length} chars>` : a)).join(' ');

const ROWS = Object.entries(TABLE).flatMap(([name, rows]) => rows.map((r): [string, Row] => [`${name}: ${r.kind}: ${show(r.argv)}`, r]));

describe('the table', () => {
  it('covers every program of the registry, and nothing else', () => {
    expect(Object.keys(TABLE).sort()).toEqual(userlandPrograms.names());
  });

  it('gives every program an unknown option, and a long string or a reason it takes none', () => {
    const missing: string[] = [];
    for (const [name, rows] of Object.entries(TABLE)) {
      const kinds = new Set<Kind>(rows.map((r) => r.kind));
      if (!kinds.has('unknown option')) missing.push(`${name}: unknown option`);
      // false and true ignore their arguments entirely, as GNU's do.
      const long = rows.some((r) => r.argv.some((a) => a.length >= 10_000));
      if (!long && name !== 'false' && name !== 'true') missing.push(`${name}: long string`);
    }
    expect(missing).toEqual([]);
  });

  it('gives every program a name from Object.prototype, and uses each of those names', () => {
    expect(Object.entries(TABLE).filter(([, rows]) => !rows.some((r) => r.kind === 'prototype name')).map(([n]) => n)).toEqual([]);
    const used = new Set(Object.values(TABLE).flatMap((rows) => rows.filter((r) => r.kind === 'prototype name').flatMap((r) => r.argv.join(' ').match(/constructor|__proto__|toString|valueOf|hasOwnProperty/g) ?? [])));
    expect([...used].sort()).toEqual([...PROTO].sort());
  });

  it('gives every program that takes an address or a number a row for a bad one', () => {
    const takesAddress = ['arp', 'ip', 'ifconfig', 'on', 'openvpn', 'packetdrill', 'ping', 'route', 'tcpdump', 'tunrelay', 'tunreply', 'udpclient', 'udpserver', 'wg'];
    const takesNumber = ['arp', 'awk', 'chmod', 'cut', 'date', 'diff', 'find', 'grep', 'head', 'hexdump', 'ifconfig', 'ip', 'kill', 'mkdir', 'openvpn', 'packetdrill', 'ping', 'printf', 'route', 'sed', 'seq', 'sh', 'sleep', 'sort', 'su', 'sysctl', 'tail', 'tc', 'tcpdump', 'tunrelay', 'tunreply', 'udpclient', 'udpserver', 'uniq', 'wg', 'xargs'];
    const lacking = [
      ...takesAddress.filter((n) => !TABLE[n]!.some((r) => r.kind === 'bad address')).map((n) => `${n}: bad address`),
      ...takesNumber.filter((n) => !TABLE[n]!.some((r) => r.kind === 'out of range')).map((n) => `${n}: out of range`),
    ];
    expect(lacking).toEqual([]);
  });
});

describe('every program in /bin, on bad input', () => {
  it.each(ROWS)('%s', async (_name, row) => {
    const { w, panics } = userlandWorld();
    const r = await runBounded(w, 'a', row.argv, { input: row.input ?? '', limitNs: 30e9, wallMs: 5000 });
    expect(r.out).toMatch(row.out);
    expect(r.out).not.toMatch(row.argv[0] === 'ip' ? JS_LEAK_BUT_ERROR : JS_LEAK);
    expect(r.code).toBe(row.code);
    // Only the programs that wait or run forever may need the harness to end them.
    expect(r.killed).toBe(row.kind === 'runs until killed');
    expect(crashes(w)).toEqual([]);
    expect(panics).toEqual([]);
  });
});
