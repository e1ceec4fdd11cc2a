// The project's import graph, read with the TypeScript compiler: every form of import counts
// (static, type-only, re-export, dynamic import(), import type nodes, require), so a type from a
// higher layer is an upward dependency like any other.

import * as fs from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';

export interface Specifier {
  /** The literal specifier, or null when it is computed. */
  text: string | null;
  line: number;
}

/** The module specifiers of one source file, literal or not, with their lines. */
export function specifiersOf(fileName: string, source: string): Specifier[] {
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.Latest, true, fileName.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
  const out: Specifier[] = [];
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

export interface Edge {
  from: string;
  /** A project file (relative, forward slashes), or the bare specifier of a package. */
  to: string;
  line: number;
}

/** The source files (not tests, not declarations) under the given top folders of root. */
export function sourceFiles(root: string, tops: readonly string[]): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!fs.existsSync(dir)) return;
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (e.name !== 'node_modules') walk(full);
      } else if (/\.tsx?$/.test(e.name) && !/\.(test|spec)\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts')) {
        out.push(path.relative(root, full).split(path.sep).join('/'));
      }
    }
  };
  for (const t of tops) walk(path.join(root, t));
  return out.sort();
}

function resolve(root: string, from: string, spec: string): string {
  if (!spec.startsWith('.')) return spec;
  const base = path.normalize(path.join(path.dirname(from), spec)).split(path.sep).join('/');
  const stem = base.replace(/\.(js|jsx|ts|tsx|mjs)$/, '');
  for (const cand of [`${stem}.ts`, `${stem}.tsx`, `${stem}/index.ts`, base]) if (fs.existsSync(path.join(root, cand))) return cand;
  return base;
}

/** Every import edge of the files. */
export function importEdges(root: string, files: readonly string[]): Edge[] {
  const edges: Edge[] = [];
  for (const f of files) {
    for (const s of specifiersOf(f, fs.readFileSync(path.join(root, f), 'utf8'))) {
      edges.push({ from: f, to: s.text === null ? '(computed)' : resolve(root, f, s.text), line: s.line });
    }
  }
  return edges;
}

/** The strongly connected components with more than one file (Tarjan): the import cycles. */
export function cycles(files: readonly string[], edges: readonly Edge[]): string[][] {
  const next = new Map<string, string[]>(files.map((f) => [f, []]));
  for (const e of edges) if (next.has(e.to)) next.get(e.from)!.push(e.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const on = new Set<string>();
  const out: string[][] = [];
  let i = 0;
  const visit = (v: string) => {
    index.set(v, i);
    low.set(v, i++);
    stack.push(v);
    on.add(v);
    for (const w of next.get(v)!) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (on.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const comp: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        on.delete(w);
        comp.push(w);
      } while (w !== v);
      if (comp.length > 1) out.push(comp.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return out;
}
