// World files at the edges (issue 12, items 6, 17 and 21): what was an internal error (a stack
// overflow, a RangeError, a memfs exception) is refused with the field at fault; "from" reads only
// regular files beside the world file or in --share, real paths compared, and only so much; likely
// mistakes are warnings, not refusals.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWorld, loadWorldFile } from '../../../kernel/world/build.js';
import { MAX_WORLD_INPUT } from '../../../kernel/world/host-files.js';
import { parseWorldFile, WorldFileError } from '../../../kernel/world/world-file.js';
import { programsOf } from '../../helpers/world.js';
import { numRuns } from '../wire/runs.js';

let tmp = '';
let worlds = '';
let share = '';

beforeAll(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-worlds-')));
  worlds = path.join(tmp, 'worlds');
  share = path.join(tmp, 'share');
  fs.mkdirSync(path.join(worlds, 'keys'), { recursive: true });
  fs.mkdirSync(share);
  fs.writeFileSync(path.join(worlds, 'keys', 'k.key'), 'key inside\n');
  fs.writeFileSync(path.join(share, 'shared.key'), 'key in the share\n');
  fs.writeFileSync(path.join(tmp, 'outside.key'), 'outside\n');
  fs.symlinkSync('../outside.key', path.join(worlds, 'link-out.key'));
  fs.symlinkSync('keys/k.key', path.join(worlds, 'link-in.key'));
  spawnSync('mkfifo', [path.join(worlds, 'fifo')]);
  // Sparse: a big file costs no disk.
  const fd = fs.openSync(path.join(worlds, 'big.bin'), 'w');
  fs.ftruncateSync(fd, MAX_WORLD_INPUT + 1);
  fs.closeSync(fd);
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

function refusal(text: string, opts: { share?: string } = {}): string {
  try {
    buildWorld(parseWorldFile(text), { programs: programsOf([]), ...opts }, worlds);
  } catch (e) {
    if (!(e instanceof WorldFileError)) throw e;
    return e.message;
  }
  throw new Error('accepted');
}

const fileFrom = (from: string) => JSON.stringify({ hosts: { a: { files: { '/etc/k': { from } } } } });
const files = (f: Record<string, string>) => JSON.stringify({ hosts: { a: { files: f } } });
const A_NIC = { segment: 'lan', address: '192.168.1.10/24' };

describe('12.6 and 12.17: "from" reads only regular files beside the world file or in --share, bounded', () => {
  it('reads a file beside it, through a link that stays beside it, and one in --share', () => {
    for (const [from, text] of [
      ['keys/k.key', 'key inside\n'],
      ['link-in.key', 'key inside\n'],
      [path.join(share, 'shared.key'), 'key in the share\n'],
    ] as const) {
      const built = buildWorld(parseWorldFile(fileFrom(from)), { programs: programsOf([]), share }, worlds);
      expect(String(built.world.mustHost('a').root.vol.readFileSync('/etc/k'))).toBe(text);
    }
  });

  it.each([
    ['a file of the real system', '/etc/passwd', '/etc/passwd is outside'],
    ['a path climbing out', '../outside.key', `${tmp}/outside.key is outside`],
    ['a link leading out', 'link-out.key', `${worlds}/link-out.key is outside`],
    ['the share when none is given', '../share/shared.key', 'share/shared.key is outside'],
    ['/dev/zero', '/dev/zero', '/dev/zero is outside'],
  ])('refuses %s', (_what, from, problem) => {
    const message = refusal(fileFrom(from));
    expect(message.startsWith('hosts.a.files./etc/k.from: ')).toBe(true);
    expect(message).toContain(problem);
    expect(message).toContain("(a world reads files beside it, or in --share)");
  });

  it('refuses a FIFO without waiting for a writer, a directory, a missing file, and a file over 16 MiB', () => {
    expect(refusal(fileFrom('fifo'))).toBe(`hosts.a.files./etc/k.from: ${worlds}/fifo is a FIFO, not a regular file`);
    expect(refusal(fileFrom('keys'))).toBe(`hosts.a.files./etc/k.from: ${worlds}/keys is a directory, not a regular file`);
    expect(refusal(fileFrom('none.key'))).toBe(`hosts.a.files./etc/k.from: cannot read ${worlds}/none.key: ENOENT`);
    expect(refusal(fileFrom('big.bin'))).toBe(`hosts.a.files./etc/k.from: ${worlds}/big.bin is ${MAX_WORLD_INPUT + 1} bytes, more than the ${MAX_WORLD_INPUT} read`);
  });

  it('reads the world file itself only when it is a regular file of bounded size', () => {
    const load = (p: string) => {
      try {
        loadWorldFile(p, { programs: programsOf([]) });
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(load('/dev/zero')).toBe('(file): /dev/zero is a character device, not a regular file');
    expect(load(path.join(worlds, 'fifo'))).toBe(`(file): ${worlds}/fifo is a FIFO, not a regular file`);
    expect(load(path.join(worlds, 'big.bin'))).toBe(`(file): ${worlds}/big.bin is ${MAX_WORLD_INPUT + 1} bytes, more than the ${MAX_WORLD_INPUT} read`);
  });
});

describe('12.21: refused with the field at fault instead of an internal error', () => {
  it.each([
    ['an epoch at the end of Date\'s range', '{"epoch": "+275760-09-13T00:00:00.000Z", "hosts": {"a": {}}}', 'epoch: must be a date from 1970 to 2099, not "+275760-09-13T00:00:00.000Z"'],
    ['an epoch before 1970', '{"epoch": "1969-12-31T23:59:59Z", "hosts": {"a": {}}}', 'epoch: must be a date from 1970 to 2099, not "1969-12-31T23:59:59Z"'],
    ['a file at /dev', files({ '/dev': 'x' }), 'hosts.a.files./dev: is under /dev, where the kernel mounts a file system of its own: must be an absolute path outside /dev, /bin and /host'],
    ['a file in /bin', files({ '/bin/ls': 'x' }), 'hosts.a.files./bin/ls: is under /bin, where the kernel mounts a file system of its own: must be an absolute path outside /dev, /bin and /host'],
    ['a file at /', files({ '/': 'x' }), 'hosts.a.files./: is the root directory, not a file'],
    ['a path through ..', files({ '/a/../dev/null': 'x' }), 'hosts.a.files./a/../dev/null: must be a plain absolute path (no ".", ".." or empty components, no trailing "/")'],
    ['a trailing slash', files({ '/etc/x/': 'x' }), 'hosts.a.files./etc/x/: must be a plain absolute path (no ".", ".." or empty components, no trailing "/")'],
    ['a file under a file', files({ '/f': 'x', '/f/g': 'y' }), 'hosts.a.files./f/g: cannot be both a file and a directory (/f is a file of this host too)'],
    ['a file over a file', files({ '/f/g': 'x', '/f': 'y' }), 'hosts.a.files./f: cannot be both a file and a directory (/f/g is a file of this host too)'],
    ['a file at a directory of the host', files({ '/etc': 'x' }), 'hosts.a.files./etc: is a directory on host a, not a file'],
    ['a file under a file of the host', files({ '/etc/hostname/x': 'x' }), 'hosts.a.files./etc/hostname/x: a directory on its way is a file on host a'],
    [
      'the same route twice',
      JSON.stringify({ hosts: { a: { nics: [A_NIC], routes: [{ to: 'default', via: '192.168.1.1' }, { to: '0.0.0.0/0', via: '192.168.1.1' }] } } }),
      'hosts.a.routes[1]: is the same route as hosts.a.routes[0] (same destination, gateway, interface and metric)',
    ],
    [
      'the same route twice once resolved',
      // A reject route with no interface hangs on the loopback: the same as one "dev": "loop".
      JSON.stringify({ hosts: { a: { nics: [A_NIC], routes: [{ to: '10.0.0.0/8', reject: true }, { to: '10.0.0.0/8', dev: 'loop' }] } } }),
      'hosts.a.routes[1]: host a has this route already',
    ],
    ['JSON nested 100 000 deep', `{"name": ${'['.repeat(100_000)}${']'.repeat(100_000)}, "hosts": {"a": {}}}`, 'name: must be a string, not a list'],
    ['an object nested 100 000 deep', `{"hosts": {"a": {"boot": [${'{"a":'.repeat(100_000)}1${'}'.repeat(100_000)}]}}}`, 'hosts.a.boot[0]: must be a string, not an object'],
  ])('%s', (_what, text, message) => {
    expect(refusal(text)).toBe(message);
  });
});

describe('12.21: likely mistakes are warned about, and the world still boots', () => {
  it('an address on two hosts, a default route via the host itself, a delay of minutes', () => {
    const spec = parseWorldFile(
      JSON.stringify({
        segments: { lan: { delay: '30s' }, wan: { jitter: '2min' } },
        hosts: {
          a: { nics: [A_NIC], routes: [{ to: 'default', via: '192.168.1.10' }] },
          b: { nics: [{ segment: 'lan', address: '192.168.1.10/24' }, { segment: 'wan', address: '10.0.0.1/8' }] },
        },
      }),
    );
    expect(spec.warnings).toEqual([
      'segments.lan.delay: 30 s one way is a very long time for a link (milliseconds meant?)',
      'segments.wan.jitter: 120 s one way is a very long time for a link (milliseconds meant?)',
      "hosts.a.routes[0].via: 192.168.1.10 is this host's own address, not a gateway",
      "hosts.b.nics[0].address: 192.168.1.10 is host a's address too",
    ]);
    expect(buildWorld(spec, { programs: programsOf([]) }, worlds).world.hostNames()).toEqual(['a', 'b']);
  });

  it('the default world has nothing to warn about', () => {
    expect(loadWorldFile('fixtures/worlds/default.json', { programs: programsOf([]) }).spec.warnings).toEqual([]);
  });
});

describe('any world file: built, or refused with a WorldFileError, nothing else', () => {
  const DEFAULT = JSON.parse(fs.readFileSync('fixtures/worlds/default.json', 'utf8')) as Record<string, unknown>;
  const NAMES = ['constructor', '__proto__', 'toString', 'valueOf', 'hasOwnProperty'];

  /** The outcome of one world text: 'built', or the refusal; anything else fails the property. */
  function outcome(text: string): string {
    try {
      buildWorld(parseWorldFile(text), { programs: programsOf([]) }, 'fixtures/worlds');
      return 'built';
    } catch (e) {
      if (e instanceof WorldFileError) return e.message;
      throw e;
    }
  }

  /** Every place in a JSON value, as a path of keys and indexes. */
  function places(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
    if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => places(x, [...at, i]))];
    if (typeof v === 'object' && v !== null) return [at, ...Object.entries(v).flatMap(([k, x]) => places(x, [...at, k]))];
    return [at];
  }
  const all = places(DEFAULT).filter((p) => p.length > 0);

  function replaced(path: Array<string | number>, value: unknown): unknown {
    const copy = structuredClone(DEFAULT) as Record<string | number, unknown>;
    let o = copy;
    for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    o[path[path.length - 1]!] = value;
    return copy;
  }

  it('the default world with any one value replaced by any JSON value', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.jsonValue({ maxDepth: 3 }), (i, value) => {
        expect(outcome(JSON.stringify(replaced(all[i]!, value)))).not.toBe('');
      }),
      { numRuns: Math.ceil(numRuns / 4) },
    );
  });

  it('object keys that are names of Object.prototype, anywhere a name goes', () => {
    for (const name of NAMES) {
      for (const text of [
        JSON.stringify({ hosts: { [name]: {} } }),
        JSON.stringify({ segments: { [name]: {} }, hosts: { a: { nics: [{ segment: name }] } } }),
        JSON.stringify({ hosts: { a: { files: { [`/etc/${name}`]: 'x' }, [name]: 1 } } }),
        JSON.stringify({ [name]: 1, hosts: { a: {} } }),
        `{"hosts": {"a": {}}, "${name}": {}}`,
      ]) {
        expect(outcome(text)).not.toBe('');
      }
    }
  });
});
