// The kernel's layer table (shared DESIGN.md, "Layers"), checked against the code: every import
// points down the table, nothing anywhere imports in a circle (type-only imports count), only the
// host port reaches node: modules below kernel/world, syscall implementations raise errors only
// through their typed `fail`, and no module keeps mutable state of its own.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { cycles, type Edge, importEdges, sourceFiles } from '../helpers/imports.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

interface Layer {
  name: string;
  /** Path prefixes (a folder ends in '/'). */
  paths: string[];
  /** The layers it may import, besides itself. */
  may: string[];
}

const KERNEL_CORE = ['abi', 'port', 'obs', 'sched', 'vfs', 'proc', 'net/iface', 'net/engines', 'net/socket', 'drivers', 'syscalls'];

/** Top to bottom: each layer imports only from layers listed in its `may`, all of them above it. */
export const LAYERS: Layer[] = [
  { name: 'abi', paths: ['kernel/abi/'], may: [] },
  { name: 'port', paths: ['kernel/port/'], may: [] },
  { name: 'obs', paths: ['kernel/obs/'], may: ['abi'] },
  { name: 'sched', paths: ['kernel/sched/'], may: ['abi', 'port', 'obs'] },
  { name: 'vfs', paths: ['kernel/vfs/'], may: ['abi', 'port', 'obs', 'sched'] },
  { name: 'proc', paths: ['kernel/proc/'], may: ['abi', 'port', 'obs', 'sched', 'vfs'] },
  { name: 'net/iface', paths: ['kernel/net/iface/'], may: ['abi', 'port', 'obs', 'sched'] },
  { name: 'net/engines', paths: ['kernel/net/udp/', 'kernel/net/tcp/'], may: ['abi', 'port', 'obs', 'sched', 'net/iface'] },
  { name: 'net/socket', paths: ['kernel/net/socket/'], may: ['abi', 'port', 'obs', 'sched', 'vfs', 'net/iface', 'net/engines'] },
  { name: 'drivers', paths: ['kernel/drivers/'], may: ['abi', 'port', 'obs', 'sched', 'vfs', 'net/iface'] },
  { name: 'syscalls', paths: ['kernel/syscalls/'], may: ['abi', 'port', 'obs', 'sched', 'vfs', 'proc', 'net/iface', 'net/engines', 'net/socket', 'drivers'] },
  { name: 'kernel', paths: ['kernel/kernel.ts'], may: KERNEL_CORE },
  { name: 'world', paths: ['kernel/world/'], may: [...KERNEL_CORE, 'kernel'] },
  { name: 'userland', paths: ['userland/'], may: ['abi'] },
  { name: 'bin', paths: ['bin/'], may: [...KERNEL_CORE, 'kernel', 'world', 'userland'] },
];

function layerOf(file: string): Layer | undefined {
  let best: Layer | undefined;
  let len = -1;
  for (const l of LAYERS) for (const p of l.paths) if ((file === p || file.startsWith(p)) && p.length > len) [best, len] = [l, p.length];
  return best;
}

/** Imports that go against the table, as "file:line -> target (from -> to)". */
export function layerViolations(edges: readonly Edge[]): string[] {
  const out: string[] = [];
  for (const e of edges) {
    const from = layerOf(e.from);
    const to = layerOf(e.to);
    if (!from || !to || from === to) continue;
    if (!from.may.includes(to.name)) out.push(`${e.from}:${e.line} -> ${e.to} (${from.name} may not import ${to.name})`);
  }
  return out;
}

/** node: modules reached from below kernel/world other than through the host port. */
export function portViolations(edges: readonly Edge[]): string[] {
  return edges
    .filter((e) => e.to.startsWith('node:') && e.from.startsWith('kernel/') && !e.from.startsWith('kernel/world/') && e.from !== 'kernel/port/node.ts')
    .map((e) => `${e.from}:${e.line} imports ${e.to}`);
}

/**
 * Module-level mutable state: a top-level `let`/`var`, or a Map, Set or array made at the top
 * level and not typed read-only. Ids and counters belong to a kernel or a world.
 */
export function moduleState(file: string, source: string): string[] {
  const sf = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: string[] = [];
  for (const st of sf.statements) {
    if (!ts.isVariableStatement(st)) continue;
    const list = st.declarationList;
    const line = sf.getLineAndCharacterOfPosition(st.getStart(sf)).line + 1;
    const mutableBinding = !(list.flags & ts.NodeFlags.Const);
    for (const d of list.declarations) {
      const name = d.name.getText(sf);
      if (mutableBinding) {
        out.push(`${file}:${line}: module-level ${list.flags & ts.NodeFlags.Let ? 'let' : 'var'} ${name}`);
        continue;
      }
      const init = d.initializer;
      const typed = d.type?.getText(sf) ?? '';
      const readonlyType = /^(Readonly|ReadonlyMap|ReadonlySet|ReadonlyArray|readonly )/.test(typed);
      const asConst = init && ts.isAsExpression(init) && init.type.getText(sf) === 'const';
      const container =
        init && ((ts.isNewExpression(init) && /^(Map|Set|WeakMap|WeakSet|Array)$/.test(init.expression.getText(sf))) || ts.isArrayLiteralExpression(init));
      if (container && !readonlyType && !asConst) out.push(`${file}:${line}: module-level mutable ${name} (type it Readonly*, or keep it in an object)`);
    }
  }
  return out;
}

const files = sourceFiles(ROOT, ['kernel', 'userland', 'bin']);
const edges = importEdges(ROOT, files);

describe('the layer table', () => {
  it('is read from enough of the tree to mean something', () => {
    expect(files.length).toBeGreaterThan(200);
    expect(edges.length).toBeGreaterThan(1000);
    for (const f of files) expect(layerOf(f), `${f} is in no layer`).toBeDefined();
  });

  it('has every import pointing down the table', () => {
    expect(layerViolations(edges)).toEqual([]);
  });

  it('has no import cycle anywhere in kernel/, userland/ or bin/, type-only imports included', () => {
    expect(cycles(files, edges).map((c) => c.join(' -> '))).toEqual([]);
  });

  it('reaches node: modules below kernel/world only through the host port', () => {
    expect(portViolations(edges)).toEqual([]);
  });

  it('raises syscall errors only through the typed fail (kernel/abi/syscall-errors.ts)', () => {
    const raw = files
      // context.ts makes `fail`; copy.ts raises EFAULT, which every call may fail with.
      .filter((f) => f.startsWith('kernel/syscalls/') && f !== 'kernel/syscalls/context.ts' && f !== 'kernel/syscalls/copy.ts')
      .filter((f) => /new SysError\(/.test(fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(raw).toEqual([]);
  });

  it('keeps no module-level mutable state in kernel/ or userland/', () => {
    const found = files.filter((f) => !f.startsWith('bin/')).flatMap((f) => moduleState(f, fs.readFileSync(path.join(ROOT, f), 'utf8')));
    expect(found).toEqual([]);
  });
});

describe('the checkers themselves', () => {
  it('report an import up the table, and let one down it through', () => {
    const e = (from: string, to: string): Edge => ({ from, to, line: 3 });
    expect(
      layerViolations([
        e('kernel/net/iface/stack.ts', 'kernel/vfs/file.ts'),
        e('kernel/vfs/file.ts', 'kernel/kernel.ts'),
        e('kernel/drivers/tun/driver.ts', 'kernel/net/iface/stack.ts'),
        e('userland/bin/ls.ts', 'kernel/abi/stat.ts'),
        e('userland/bin/ls.ts', 'kernel/vfs/vfs.ts'),
      ]),
    ).toEqual([
      'kernel/net/iface/stack.ts:3 -> kernel/vfs/file.ts (net/iface may not import vfs)',
      'kernel/vfs/file.ts:3 -> kernel/kernel.ts (vfs may not import kernel)',
      'userland/bin/ls.ts:3 -> kernel/vfs/vfs.ts (userland may not import vfs)',
    ]);
  });

  it('find a cycle through a type-only import', () => {
    const fs2 = ['a.ts', 'b.ts', 'c.ts'];
    const es: Edge[] = [
      { from: 'a.ts', to: 'b.ts', line: 1 },
      { from: 'b.ts', to: 'c.ts', line: 1 },
      { from: 'c.ts', to: 'a.ts', line: 1 },
    ];
    expect(cycles(fs2, es)).toEqual([['a.ts', 'b.ts', 'c.ts']]);
    expect(cycles(fs2, es.slice(0, 2))).toEqual([]);
  });

  it('see module state, and let constants through', () => {
    const src = [
      'let next = 1;',
      'const cache = new Map<string, number>();',
      'const names = [1, 2];',
      'const KNOWN: ReadonlySet<string> = new Set(["a"]);',
      'const LIST = ["a"] as const;',
      'const LIMIT = 5;',
      'export function f() { let x = 1; return x; }',
    ].join('\n');
    expect(moduleState('m.ts', src)).toEqual([
      'm.ts:1: module-level let next',
      'm.ts:2: module-level mutable cache (type it Readonly*, or keep it in an object)',
      'm.ts:3: module-level mutable names (type it Readonly*, or keep it in an object)',
    ]);
  });

  it('see a node: module imported outside the port', () => {
    expect(portViolations([{ from: 'kernel/vfs/x.ts', to: 'node:fs', line: 2 }, { from: 'kernel/port/node.ts', to: 'node:fs', line: 2 }])).toEqual(['kernel/vfs/x.ts:2 imports node:fs']);
  });
});
