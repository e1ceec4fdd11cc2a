// The shell's abstract syntax tree: what the parser produces and the interpreter walks.
//
// Every node carries a `span` of offsets into the `source` of the Program that contains it, so the
// interpreter can show a command as the user typed it (`jobs`, `set -x`, error lines) without the
// parser keeping a printer in sync with the grammar. Two places have a source of their own, because
// their text is rewritten before it is parsed: the program inside backquotes (backslashes removed)
// and here-document bodies (tabs stripped for `<<-`). Their nested Program nodes carry that text as
// `source`, so `program.source.slice(span.start, span.end)` is right for every node reached from a
// Program without crossing another Program.

export interface Span {
  /** Offset of the first character. */
  start: number;
  /** Offset just past the last character. */
  end: number;
}

export interface Program {
  kind: 'Program';
  span: Span;
  /** The text every span under this program (up to a nested Program) indexes into. */
  source: string;
  body: List;
}

/** Commands separated by `;`, `&` or newlines. */
export interface List {
  kind: 'List';
  span: Span;
  items: AndOr[];
}

/** `a && b || c`, run in the background when followed by `&`. */
export interface AndOr {
  kind: 'AndOr';
  /** Covers the pipelines and operators, not the trailing `;` or `&`. */
  span: Span;
  first: Pipeline;
  rest: AndOrTail[];
  background: boolean;
}

export interface AndOrTail {
  op: '&&' | '||';
  pipeline: Pipeline;
}

export interface Pipeline {
  kind: 'Pipeline';
  span: Span;
  /** `! cmd`: the status is inverted. */
  negated: boolean;
  commands: Command[];
}

export type Command = SimpleCommand | CompoundCommand | FunctionDef;

export type CompoundCommand =
  | BraceGroup
  | Subshell
  | IfCommand
  | WhileCommand
  | ForCommand
  | CaseCommand;

export interface SimpleCommand {
  kind: 'SimpleCommand';
  span: Span;
  /** `A=1 B=2` before the command name (or alone). */
  assignments: Assignment[];
  /** The command name and its arguments, unexpanded. May be empty (assignments or redirections only). */
  words: Word[];
  /** In source order, which is the order they must be applied in (`>f 2>&1` differs from `2>&1 >f`). */
  redirects: Redirection[];
}

export interface Assignment {
  kind: 'Assignment';
  span: Span;
  name: string;
  /** `A+=x` (bash): append to the current value. */
  append: boolean;
  /** Expand with expandWord: no field splitting or globbing in an assignment. */
  value: Word;
}

export interface BraceGroup {
  kind: 'BraceGroup';
  span: Span;
  body: List;
  redirects: Redirection[];
}

export interface Subshell {
  kind: 'Subshell';
  span: Span;
  body: List;
  redirects: Redirection[];
}

export interface IfCommand {
  kind: 'If';
  span: Span;
  /** The `if` clause followed by each `elif` clause. */
  clauses: IfClause[];
  elseBody: List | null;
  redirects: Redirection[];
}

export interface IfClause {
  condition: List;
  body: List;
}

/** `while` and `until` loops: `until` loops while the condition fails. */
export interface WhileCommand {
  kind: 'While';
  span: Span;
  until: boolean;
  condition: List;
  body: List;
  redirects: Redirection[];
}

export interface ForCommand {
  kind: 'For';
  span: Span;
  name: string;
  /** null for `for NAME; do` (and `for NAME do`): iterate over the positional parameters. */
  words: Word[] | null;
  body: List;
  redirects: Redirection[];
}

export interface CaseCommand {
  kind: 'Case';
  span: Span;
  word: Word;
  items: CaseItem[];
  redirects: Redirection[];
}

export interface CaseItem {
  kind: 'CaseItem';
  span: Span;
  /** Expand each with expandPattern and test with matchPattern. */
  patterns: Word[];
  body: List;
  /** `;;` stop; `;&` run the next body too (bash); `;;&` keep testing the next patterns (bash). */
  terminator: ';;' | ';&' | ';;&';
}

export interface FunctionDef {
  kind: 'FunctionDef';
  span: Span;
  name: string;
  /** Redirections written after the body belong to the body and apply on every call. */
  body: CompoundCommand;
}

export type Redirection = Redirect | HereDoc;

/**
 * `<` `>` `>>` `>|` `<>` open a file; `<&` `>&` duplicate (target `N`) or close (target `-`) a
 * descriptor, and bash reads `>&file` (no explicit fd, target not a number) as `&>file`;
 * `&>` `&>>` send both stdout and stderr to a file (fd is 1, stderr follows it);
 * `<<<` is a here-string (the expanded target plus a newline on stdin).
 */
export type RedirectOp = '<' | '>' | '>>' | '>|' | '<>' | '<&' | '>&' | '&>' | '&>>' | '<<<';

export interface Redirect {
  kind: 'Redirect';
  span: Span;
  op: RedirectOp;
  /** The descriptor redirected: the explicit `N` of `N>`, else 0 for input ops and 1 for output ops. */
  fd: number;
  /** Whether `N` was written: `>&file` is `&>file` only without one. */
  explicitFd: boolean;
  target: Word;
}

export interface HereDoc {
  kind: 'HereDoc';
  /** The operator and delimiter only; the body lies on the following lines. */
  span: Span;
  op: '<<' | '<<-';
  fd: number;
  /** The delimiter after quote removal. */
  delimiter: string;
  /** Quoting any part of the delimiter turns expansion of the body off. */
  quoted: boolean;
  /**
   * The body with its delimiter line removed, leading tabs already stripped for `<<-`. Expand it with
   * expandWord (a quoted body is a single literal part). Its spans index the body text, not the source.
   */
  body: Word;
}

/** A word as written: a sequence of parts, expanded and quote-removed by expand.ts. */
export interface Word {
  kind: 'Word';
  span: Span;
  parts: WordPart[];
}

export type WordPart =
  | Literal
  | SingleQuoted
  | Escaped
  | DoubleQuoted
  | ParamExpansion
  | CommandSubstitution
  | ArithExpansion
  | TildePrefix
  | BadSubstitution;

/** Plain text. Outside double quotes its `* ? [` are pattern characters; inside, they are not. */
export interface Literal {
  kind: 'Literal';
  span: Span;
  value: string;
}

/** `'...'` and bash's `$'...'` (escapes already decoded): text taken literally. */
export interface SingleQuoted {
  kind: 'SingleQuoted';
  span: Span;
  value: string;
}

/** A character quoted by a backslash (`\*`, `\"` in double quotes). */
export interface Escaped {
  kind: 'Escaped';
  span: Span;
  value: string;
}

export interface DoubleQuoted {
  kind: 'DoubleQuoted';
  span: Span;
  parts: WordPart[];
}

/**
 * `$NAME`, `${NAME}` and `${NAME<op>word}`. `name` is an identifier, a positional number (`1`,
 * `10`) or one of the special parameters `@ * # ? - $ ! 0`.
 */
export interface ParamExpansion {
  kind: 'Param';
  span: Span;
  name: string;
  /** bash's `${!name}`: expand the parameter whose name is the value of `name`. */
  indirect: boolean;
  op: ParamOp | null;
  /** The `:` of `:-`, `:=`, `:+`, `:?`: treat a set but empty value like an unset one. */
  colon: boolean;
  /**
   * The word after the operator: the default/alternative/message word, the pattern of `#` `##` `%`
   * `%%` and of the `/` ops, the offset of `substring`. null for no op and for `length`.
   */
  arg: Word | null;
  /** The replacement of the `/` ops and the length of `substring`, when written. */
  arg2: Word | null;
}

/**
 * `-` default, `=` assign default, `+` alternative, `?` error if unset, `length` is `${#NAME}`,
 * `#`/`##` remove the shortest/longest matching prefix, `%`/`%%` the shortest/longest suffix.
 * bash's: `/` replace the first match, `//` every match, `/#` a match at the start, `/%` at the end;
 * `substring` is `${NAME:offset}` and `${NAME:offset:length}`.
 */
export type ParamOp =
  | '-'
  | '='
  | '+'
  | '?'
  | 'length'
  | '#'
  | '##'
  | '%'
  | '%%'
  | '/'
  | '//'
  | '/#'
  | '/%'
  | 'substring';

/** `$(...)` or backquotes. */
export interface CommandSubstitution {
  kind: 'CommandSubst';
  span: Span;
  program: Program;
  backquote: boolean;
}

/** `$((...))`: the expression text is expanded (parameters, substitutions) and then evaluated. */
export interface ArithExpansion {
  kind: 'Arith';
  span: Span;
  expr: Word;
}

/** `~`, `~user`, `~+` (PWD), `~-` (OLDPWD) at the start of a word or after `=`/`:` in an assignment. */
export interface TildePrefix {
  kind: 'Tilde';
  span: Span;
  /** '' for the current user's home. */
  user: string;
}

/**
 * A `${...}` that parses but cannot be expanded (`${x!}`, `${!prefix*}`): expanding it fails with
 * "bad substitution", as in bash, where such a word is an error only when it is reached.
 */
export interface BadSubstitution {
  kind: 'BadSubst';
  span: Span;
  /** The whole `${...}` as written, for the message. */
  text: string;
}

export type Node =
  | Program
  | List
  | AndOr
  | Pipeline
  | Command
  | Assignment
  | CaseItem
  | Redirection
  | Word
  | WordPart;

/** The text of a node as written, given the Program whose source its span indexes. */
export function sourceOf(program: Program, node: { span: Span }): string {
  return program.source.slice(node.span.start, node.span.end);
}

/** 1-based line number of an offset, for `$LINENO` and error messages. */
export function lineAt(source: string, offset: number): number {
  let line = 1;
  const end = Math.min(offset, source.length);
  for (let i = 0; i < end; i++) if (source.charCodeAt(i) === 10) line++;
  return line;
}
