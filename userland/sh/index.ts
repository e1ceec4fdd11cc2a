// The shell language front end: parse text into the AST, expand words against an interpreter's
// state. The interpreter imports from here.

export type * from './ast.js';
export { lineAt, sourceOf } from './ast.js';
export { ExpansionError, ShellSyntaxError } from './errors.js';
export type { ExpansionErrorCode, SyntaxErrorCode } from './errors.js';
export { parse, parseCommands } from './parser.js';
export type { ParseFailure, ParseResult } from './parser.js';
export { expandPattern, expandWord, expandWords } from './expand.js';
export type { ExpansionContext } from './expand.js';
export { evaluateArithmetic } from './arith.js';
export type { ArithEnv } from './arith.js';
export {
  escapePattern,
  hasGlobChars,
  matchPattern,
  removeAffix,
  replacePattern,
  unescapePattern,
} from './pattern.js';
export { expandPathname } from './glob.js';
export type { GlobFs } from './glob.js';
