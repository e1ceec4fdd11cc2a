// Word expansion: tilde, parameter, command substitution and arithmetic expansion, then field
// splitting, pathname expansion and quote removal (POSIX 2.6), over the Word AST of ast.ts.
//
// Everything that touches the system comes in through ExpansionContext, so this module runs the same
// against the real interpreter and against plain objects in tests.
//
// How it works: the parts of a word are expanded into a flat list of pieces, each remembering whether
// it was quoted and whether field splitting applies to it, with explicit breaks where "$@" separates
// parameters. Assembling fields from that list is then one pass that applies IFS rules only to the
// pieces that came from unquoted expansions, and builds, next to each field's text, the pattern for
// pathname expansion in which quoted characters are escaped.

import type { ParamExpansion, Program, Word, WordPart } from './ast.js';
import { evaluateArithmetic } from './arith.js';
import { ExpansionError } from './errors.js';
import { escapePattern, removeAffix, replacePattern } from './pattern.js';

export { matchPattern } from './pattern.js';

export interface ExpansionContext {
  /** A shell variable's value, or undefined when unset. */
  getVar(name: string): string | undefined;
  /** Used by `${x=word}`, `${x:=word}` and arithmetic assignment (`$((i+=1))`). */
  setVar(name: string, value: string): void;
  /** `$1`, `$2`, ...: positional[0] is `$1`. */
  positional: readonly string[];
  /** `$?`, `$$`, `$!` (empty without a background job), `$0`, and optionally `$-` (the set flags). */
  special: { '?': string; $: string; '!': string; '0': string; '-'?: string };
  /** The user's home, for `~` when HOME is unset (HOME wins when set). */
  home: string;
  /**
   * Run a command substitution and return everything it wrote on stdout; trailing newlines are removed
   * here. The program's text, for messages, is `program.source.slice(program.span.start, program.span.end)`.
   */
  commandSubstitution(program: Program): Promise<string>;
  /**
   * Pathname expansion: the paths matching a pattern, sorted, or [] when none match (the word then
   * stays as written). glob.ts's expandPathname implements it over a readdir callback.
   */
  glob(pattern: string): Promise<string[]>;
  /** Field separators; when absent, the IFS variable, and " \t\n" when that is unset too. */
  ifs?: string;
  /** `set -u`: expanding an unset parameter is an error. */
  nounset?: boolean;
  /** `set -f`: no pathname expansion. */
  noglob?: boolean;
  /** Home directory of another user, for `~user`; without it `~user` stays as written. */
  homeOf?(user: string): string | undefined;
}

const DEFAULT_IFS = ' \t\n';

/**
 * A piece of expanded text. `quoted` pieces are neither split nor globbed; `split` marks results of
 * unquoted expansions; `open` makes a field exist even when the text is empty (`""`, `"$@"` items).
 */
interface Piece {
  text: string;
  quoted: boolean;
  split: boolean;
  open: boolean;
}

/** Where "$@" (or unquoted `$@`/`$*`) separates two parameters. */
const BREAK = null;
type Seg = Piece | typeof BREAK;

interface State {
  ctx: ExpansionContext;
  /** Expanding to a single string (expandWord/expandPattern): `$*` joins with IFS, `$@` with spaces. */
  single: boolean;
}

/** Expand words into fields, as for a command's arguments or a `for` list. */
export async function expandWords(words: readonly Word[], ctx: ExpansionContext): Promise<string[]> {
  const out: string[] = [];
  const ifs = ifsOf(ctx);
  for (const word of words) {
    const segs: Seg[] = [];
    await expandParts(word.parts, { ctx, single: false }, false, false, segs);
    for (const field of buildFields(segs, ifs)) {
      if (field.glob && !ctx.noglob) {
        const matches = await ctx.glob(field.pattern);
        if (matches.length > 0) {
          out.push(...matches);
          continue;
        }
      }
      out.push(field.value);
    }
  }
  return out;
}

/**
 * Expand a word to one string, without field splitting or pathname expansion: assignment values,
 * redirection targets, the word of `case`, here-document bodies and here-strings.
 */
export async function expandWord(word: Word, ctx: ExpansionContext): Promise<string> {
  const segs: Seg[] = [];
  await expandParts(word.parts, { ctx, single: true }, false, false, segs);
  return segs.map((s) => (s === BREAK ? ' ' : s.text)).join('');
}

/**
 * Expand a word to a pattern for matchPattern: like expandWord, but the characters that were quoted
 * are backslash-escaped, so `case $x in "*")` matches only a literal star.
 */
export async function expandPattern(word: Word, ctx: ExpansionContext): Promise<string> {
  const segs: Seg[] = [];
  await expandParts(word.parts, { ctx, single: true }, false, false, segs);
  return segs.map((s) => (s === BREAK ? ' ' : s.quoted ? escapePattern(s.text) : s.text)).join('');
}

function ifsOf(ctx: ExpansionContext): string {
  return ctx.ifs ?? ctx.getVar('IFS') ?? DEFAULT_IFS;
}

/** Parts whose expansion is "$@"-like, so the double quotes around them must not force a field. */
function hasAt(parts: readonly WordPart[]): boolean {
  return parts.some((p) => p.kind === 'Param' && p.name === '@' && p.op !== 'length');
}

async function expandParts(
  parts: readonly WordPart[],
  st: State,
  quoted: boolean,
  inParamWord: boolean,
  out: Seg[],
): Promise<void> {
  const { ctx } = st;
  for (const p of parts) {
    switch (p.kind) {
      case 'Literal':
        // unquoted text in ${x:-a b} is part of an expansion result, so it is split like one
        out.push({ text: p.value, quoted, split: inParamWord && !quoted, open: false });
        break;
      case 'SingleQuoted':
      case 'Escaped':
        out.push({ text: p.value, quoted: true, split: false, open: true });
        break;
      case 'DoubleQuoted':
        if (!hasAt(p.parts)) out.push({ text: '', quoted: true, split: false, open: true });
        await expandParts(p.parts, st, true, inParamWord, out);
        break;
      case 'Tilde': {
        const dir = tildeDir(p.user, ctx);
        out.push({ text: dir ?? '~' + p.user, quoted: true, split: false, open: true });
        break;
      }
      case 'Param':
        await expandParam(p, st, quoted, out);
        break;
      case 'CommandSubst': {
        const output = (await ctx.commandSubstitution(p.program)).replace(/\n+$/, '');
        out.push({ text: output, quoted, split: !quoted, open: false });
        break;
      }
      case 'Arith': {
        const value = await arithmetic(p.expr, ctx);
        out.push({ text: String(value), quoted, split: !quoted, open: false });
        break;
      }
      case 'BadSubst':
        throw new ExpansionError(`${p.text}: bad substitution`, 'bad-substitution');
    }
  }
}

function tildeDir(user: string, ctx: ExpansionContext): string | undefined {
  if (user === '') return ctx.getVar('HOME') ?? ctx.home;
  if (user === '+') return ctx.getVar('PWD');
  if (user === '-') return ctx.getVar('OLDPWD');
  return ctx.homeOf?.(user);
}

async function arithmetic(expr: Word, ctx: ExpansionContext): Promise<bigint> {
  const text = await expandWord(expr, ctx);
  return evaluateArithmetic(text, { get: (name) => ctx.getVar(name), set: (name, v) => ctx.setVar(name, v) });
}

/** A scalar parameter's value, or undefined when unset. `$@` and `$*` give their joined form. */
function lookup(name: string, ctx: ExpansionContext): string | undefined {
  if (/^[0-9]+$/.test(name)) {
    const n = Number(name);
    return n === 0 ? ctx.special['0'] : ctx.positional[n - 1];
  }
  switch (name) {
    case '#':
      return String(ctx.positional.length);
    case '@':
    case '*':
      return ctx.positional.length === 0 ? undefined : ctx.positional.join(' ');
    case '?':
    case '$':
    case '!':
    case '0':
      return ctx.special[name];
    case '-':
      return ctx.special['-'] ?? '';
    default:
      return ctx.getVar(name);
  }
}

function isVariableName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name);
}

async function expandParam(p: ParamExpansion, st: State, quoted: boolean, out: Seg[]): Promise<void> {
  const { ctx } = st;
  const { op } = p;
  let name = p.name;
  if (p.indirect) {
    const target = lookup(name, ctx);
    if (target === undefined || target === '') {
      throw new ExpansionError(`${name}: invalid indirect expansion`, 'bad-substitution');
    }
    if (!/^(?:[A-Za-z_][A-Za-z0-9_]*|[0-9]+|[@*#?$!0-])$/.test(target)) {
      throw new ExpansionError(`${target}: invalid variable name`, 'bad-substitution');
    }
    name = target;
  }
  const isList = name === '@' || name === '*';

  /** Emit a parameter's value: a list for `$@`/`$*`, else one piece. */
  const emit = (items: readonly string[] | string): void => {
    if (typeof items === 'string') {
      out.push({ text: items, quoted, split: !quoted, open: false });
      return;
    }
    if (quoted && name === '*') {
      out.push({ text: items.join(ifsOf(ctx).slice(0, 1)), quoted, split: false, open: false });
      return;
    }
    if (st.single) {
      out.push({ text: items.join(name === '*' ? ifsOf(ctx).slice(0, 1) : ' '), quoted, split: false, open: false });
      return;
    }
    // Unquoted, bash behaves as if the parameters were joined with the first IFS character and the
    // result split: with IFS=: an empty parameter leaves an empty field, with IFS=' ' it vanishes.
    const ifs = ifsOf(ctx);
    items.forEach((item, i) => {
      if (i > 0) out.push(quoted || ifs === '' ? BREAK : { text: ifs[0]!, quoted: false, split: true, open: false });
      out.push({ text: item, quoted, split: !quoted, open: quoted });
    });
  };
  const emitValue = (value: string): void => emit(isList ? ctx.positional : value);
  const word = async (w: Word | null): Promise<void> => {
    if (w) await expandParts(w.parts, st, quoted, true, out);
  };
  const unbound = (): never => {
    throw new ExpansionError(`${name}: unbound variable`, 'unbound');
  };

  if (op === 'length') {
    if (isList) {
      emit(String(ctx.positional.length));
      return;
    }
    const v = lookup(name, ctx);
    if (v === undefined && ctx.nounset) unbound();
    emit(String(Array.from(v ?? '').length));
    return;
  }

  const value = lookup(name, ctx);
  const isSet = value !== undefined && !(p.colon && value === '');

  switch (op) {
    case null:
      if (value === undefined && ctx.nounset && !isList) unbound();
      emitValue(value ?? '');
      return;
    case '-':
      if (isSet) emitValue(value);
      else await word(p.arg);
      return;
    case '+':
      if (isSet) await word(p.arg);
      return;
    case '=': {
      if (isSet) {
        emitValue(value);
        return;
      }
      if (!isVariableName(name)) {
        throw new ExpansionError(`$${name}: cannot assign in this way`, 'bad-assignment');
      }
      const assigned = p.arg ? await expandWord(p.arg, ctx) : '';
      ctx.setVar(name, assigned);
      emit(assigned);
      return;
    }
    case '?': {
      if (isSet) {
        emitValue(value);
        return;
      }
      const message = p.arg && p.arg.parts.length > 0 ? await expandWord(p.arg, ctx) : '';
      const fallback = p.colon ? 'parameter null or not set' : 'parameter not set';
      throw new ExpansionError(`${name}: ${message || fallback}`, 'parameter-unset');
    }
    case '#':
    case '##':
    case '%':
    case '%%': {
      if (value === undefined && ctx.nounset && !isList) unbound();
      const pattern = p.arg ? await expandPattern(p.arg, ctx) : '';
      if (isList) emit(ctx.positional.map((v) => removeAffix(v, pattern, op)));
      else emit(removeAffix(value ?? '', pattern, op));
      return;
    }
    case '/':
    case '//':
    case '/#':
    case '/%': {
      if (value === undefined && ctx.nounset && !isList) unbound();
      const pattern = p.arg ? await expandPattern(p.arg, ctx) : '';
      const replacement = p.arg2 ? await expandWord(p.arg2, ctx) : '';
      if (isList) emit(ctx.positional.map((v) => replacePattern(v, pattern, replacement, op)));
      else emit(replacePattern(value ?? '', pattern, replacement, op));
      return;
    }
    case 'substring': {
      if (value === undefined && ctx.nounset && !isList) unbound();
      const offset = p.arg ? await arithmetic(p.arg, ctx) : 0n;
      const length = p.arg2 ? await arithmetic(p.arg2, ctx) : null;
      if (isList) {
        // ${@:1} counts from $0, as bash does, so ${@:2} is "all but the first argument"
        emit(slice([ctx.special['0'], ...ctx.positional], offset, length, name));
      } else {
        emit(slice(Array.from(value ?? ''), offset, length, name).join(''));
      }
      return;
    }
  }
}

function slice<T>(items: readonly T[], offset: bigint, length: bigint | null, name: string): T[] {
  const n = BigInt(items.length);
  const from = offset < 0n ? n + offset : offset;
  if (from < 0n || from > n) return [];
  if (length === null) return items.slice(Number(from));
  const to = length < 0n ? n + length : from + length;
  if (to < from) {
    if (length < 0n) throw new ExpansionError(`${name}: ${length}: substring expression < 0`, 'arithmetic');
    return [];
  }
  return items.slice(Number(from), Number(to > n ? n : to));
}

interface Field {
  value: string;
  /** The field as a pattern: quoted characters escaped. */
  pattern: string;
  /** Whether an unquoted `*`, `?` or `[` is in it. */
  glob: boolean;
}

function addText(f: Field, text: string, quoted: boolean): void {
  f.value += text;
  if (quoted) {
    f.pattern += escapePattern(text);
  } else {
    f.pattern += text;
    if (/[*?[]/.test(text)) f.glob = true;
  }
}

/**
 * Field splitting (POSIX 2.6.5): in split pieces, IFS whitespace separates fields and is trimmed at
 * the ends; any other IFS character ends a field, so `a::b` with IFS=: gives a, "", b, and it
 * absorbs the IFS whitespace next to it.
 */
function buildFields(segs: readonly Seg[], ifs: string): Field[] {
  const fields: Field[] = [];
  let cur: Field | null = null;
  // the last separator was IFS whitespace, which a following non-whitespace separator joins
  let afterWhitespace = false;
  const isWhite = (c: string): boolean => c === ' ' || c === '\t' || c === '\n';
  for (const seg of segs) {
    if (seg === BREAK) {
      if (cur) fields.push(cur);
      cur = null;
      afterWhitespace = false;
      continue;
    }
    if (!seg.split || ifs === '') {
      if (seg.text !== '' || seg.open) {
        cur ??= { value: '', pattern: '', glob: false };
        addText(cur, seg.text, seg.quoted);
        afterWhitespace = false;
      }
      continue;
    }
    let run = '';
    const flushRun = (): void => {
      if (run === '') return;
      cur ??= { value: '', pattern: '', glob: false };
      addText(cur, run, seg.quoted);
      run = '';
    };
    for (const c of seg.text) {
      if (!ifs.includes(c)) {
        run += c;
        afterWhitespace = false;
        continue;
      }
      flushRun();
      if (isWhite(c)) {
        if (cur) {
          fields.push(cur);
          cur = null;
          afterWhitespace = true;
        }
      } else if (cur) {
        fields.push(cur);
        cur = null;
        afterWhitespace = false;
      } else if (afterWhitespace) {
        afterWhitespace = false;
      } else {
        fields.push({ value: '', pattern: '', glob: false });
      }
    }
    flushRun();
  }
  if (cur) fields.push(cur);
  return fields;
}
