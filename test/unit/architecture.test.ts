// The house rule that makes "exercise the kernel through syscalls" true (DESIGN.md, Layout):
// userland imports nothing from kernel/ but kernel/abi/. Every import form counts (static, type
// only, re-export, dynamic import(), import type nodes, require), and a dynamic import whose
// specifier is computed cannot be checked, so it is refused too.

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterEach, describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface Violation {
  /** Relative to the root, with forward slashes. */
  file: string;
  line: number;
  specifier: string;
  why: string;
}

/** The module specifiers of one source file, literal or not, with their lines. */
function specifiersOf(fileName: string, source: string): Array<{ text: string | null; line: number }> {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: Array<{ text: string | null; line: number }> = [];
  const add = (node: ts.Node, spec: ts.Node | undefined) => {
    const literal = spec && (ts.isStringLiteral(spec) || ts.isNoSubstitutionTemplateLiteral(spec)) ? spec.text : null;
    out.push({ text: literal, line: sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1 });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) add(node, node.moduleSpecifier);
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) add(node, node.moduleReference.expression);
    else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node, node.argument.literal);
    else if (ts.isCallExpression(node)) {
      const callee = node.expression;
      const isImport = callee.kind === ts.SyntaxKind.ImportKeyword;
      const isRequire = ts.isIdentifier(callee) && callee.text === 'require';
      if (isImport || isRequire) add(node, node.arguments[0]);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return out;
}

/** Where an import of one userland file leads that it may not go. `file` is relative to `root`. */
/**
 * The one file whose computed import is its purpose: the guest runtime loads the `--load` program it
 * runs (a user's module, in the guest's own thread), as exec loads an executable.
 */
const PROGRAM_LOADERS: ReadonlySet<string> = new Set(['userland/lib/guest/runtime.ts']);

export function checkImports(root: string, file: string, source: string): Violation[] {
  const kernel = path.join(root, 'kernel');
  const abi = path.join(kernel, 'abi');
  const inside = (p: string, dir: string) => p === dir || p.startsWith(dir + path.sep);
  const violations: Violation[] = [];
  for (const { text, line } of specifiersOf(file, source)) {
    if (text === null) {
      if (PROGRAM_LOADERS.has(file)) continue;
      violations.push({ file, line, specifier: '(computed)', why: 'a computed module specifier cannot be checked' });
      continue;
    }
    let target: string | null = null;
    if (text.startsWith('.')) target = path.resolve(root, path.dirname(file), text);
    else if (text.startsWith('file:')) target = fileURLToPath(text);
    else if (path.isAbsolute(text)) target = path.resolve(text);
    // Bare names (node:fs, react, ink) are packages: they cannot reach the kernel's source.
    if (target && inside(target, kernel) && !inside(target, abi)) {
      violations.push({ file, line, specifier: text, why: `resolves to ${path.relative(root, target).split(path.sep).join('/')}, outside kernel/abi/` });
    }
  }
  return violations;
}

/** Every .ts and .tsx file under root/userland, checked. */
export function scanUserland(root: string): Violation[] {
  const out: Violation[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(full);
      } else if (/\.tsx?$/.test(e.name)) {
        const rel = path.relative(root, full).split(path.sep).join('/');
        out.push(...checkImports(root, rel, fs.readFileSync(full, 'utf8')));
      }
    }
  };
  walk(path.join(root, 'userland'));
  return out;
}

const describeViolations = (vs: Violation[]) => vs.map((v) => `${v.file}:${v.line}: import '${v.specifier}' ${v.why}`).join('\n');

describe('userland reaches the kernel only through kernel/abi/', () => {
  it('holds for every .ts and .tsx file under userland/', () => {
    const files = fs.readdirSync(path.join(ROOT, 'userland'), { recursive: true }).filter((f) => /\.tsx?$/.test(String(f)));
    // A scan that finds nothing to scan would pass for the wrong reason.
    expect(files.length).toBeGreaterThan(50);
    expect(describeViolations(scanUserland(ROOT))).toBe('');
  });
});

describe('the import checker', () => {
  const at = (file: string, source: string) => describeViolations(checkImports('/r', file, source));

  it('names the file, line and specifier of every form of import that leaves kernel/abi/', () => {
    const source = [
      "import { Kernel } from '../../kernel/kernel.js';",
      "import type { Process } from '../../kernel/proc/process.js';",
      "export { DevFs } from '../../kernel/vfs/devfs.js';",
      "export * from '../../kernel/sched/scheduler.js';",
      "const stack = await import('../../kernel/net/stack.js');",
      'type Clock = typeof import(`../../kernel/sched/clock.js`);',
      "import log = require('../../kernel/log.js');",
      "const sneaky = await import('../../kernel/abi/../world/world.js');",
      "import * as abs from '/r/kernel/events.js';",
      "import { Pipe } from 'file:///r/kernel/vfs/pipe.js';",
      'const name = "kernel";',
      'await import(`../../${name}/kernel.js`);',
      "const r = require(name + '/kernel.js');",
    ].join('\n');
    expect(at('userland/bin/bad.ts', source).split('\n')).toEqual([
      "userland/bin/bad.ts:1: import '../../kernel/kernel.js' resolves to kernel/kernel.js, outside kernel/abi/",
      "userland/bin/bad.ts:2: import '../../kernel/proc/process.js' resolves to kernel/proc/process.js, outside kernel/abi/",
      "userland/bin/bad.ts:3: import '../../kernel/vfs/devfs.js' resolves to kernel/vfs/devfs.js, outside kernel/abi/",
      "userland/bin/bad.ts:4: import '../../kernel/sched/scheduler.js' resolves to kernel/sched/scheduler.js, outside kernel/abi/",
      "userland/bin/bad.ts:5: import '../../kernel/net/stack.js' resolves to kernel/net/stack.js, outside kernel/abi/",
      "userland/bin/bad.ts:6: import '../../kernel/sched/clock.js' resolves to kernel/sched/clock.js, outside kernel/abi/",
      "userland/bin/bad.ts:7: import '../../kernel/log.js' resolves to kernel/log.js, outside kernel/abi/",
      "userland/bin/bad.ts:8: import '../../kernel/abi/../world/world.js' resolves to kernel/world/world.js, outside kernel/abi/",
      "userland/bin/bad.ts:9: import '/r/kernel/events.js' resolves to kernel/events.js, outside kernel/abi/",
      "userland/bin/bad.ts:10: import 'file:///r/kernel/vfs/pipe.js' resolves to kernel/vfs/pipe.js, outside kernel/abi/",
      "userland/bin/bad.ts:12: import '(computed)' a computed module specifier cannot be checked",
      "userland/bin/bad.ts:13: import '(computed)' a computed module specifier cannot be checked",
    ]);
  });

  it('lets kernel/abi/, packages, userland and mentions that are no imports through', () => {
    const source = [
      "import { SysError } from '../../kernel/abi/errno.js';",
      "import type { Sys } from '../../../kernel/abi/syscalls.js';",
      "import * as fs from 'node:fs';",
      "import { render } from 'ink';",
      "import { print } from '../lib/io.js';",
      "export { print as say } from './io.js';",
      "const lazy = () => import('./cat.js');",
      "// import { Kernel } from '../../kernel/kernel.js';",
      "const text = \"import { Kernel } from '../../kernel/kernel.js'\";",
      "const kernelish = await import('kernel/kernel.js'); // a package name, not a path",
      "import { x } from '../../kernel-tools/kernel.js';",
    ].join('\n');
    expect(at('userland/bin/good.tsx', source)).toBe('');
  });

  describe('on a tree with a bad file', () => {
    let tmp: string | null = null;
    afterEach(() => {
      if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
      tmp = null;
    });

    it('fails the scan naming the file and the import', () => {
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tunlab-arch-'));
      for (const dir of ['userland/bin', 'userland/lib/deep', 'kernel/abi']) fs.mkdirSync(path.join(tmp, dir), { recursive: true });
      fs.writeFileSync(path.join(tmp, 'userland/bin/ok.ts'), "import { ERRNO } from '../../kernel/abi/errno.js';\n");
      fs.writeFileSync(path.join(tmp, 'userland/lib/deep/bad.tsx'), "export const x = 1;\nconst k = await import('../../../kernel/kernel.js');\n");
      fs.writeFileSync(path.join(tmp, 'userland/lib/deep/notes.md'), "import { Kernel } from '../../../kernel/kernel.js';\n");
      expect(describeViolations(scanUserland(tmp))).toBe(
        "userland/lib/deep/bad.tsx:2: import '../../../kernel/kernel.js' resolves to kernel/kernel.js, outside kernel/abi/",
      );
    });
  });
});
