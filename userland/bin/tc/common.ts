// What tc's parts share: the failure they end with (message and exit status, as iproute2 has them)
// and iproute2's matches() and NEXT_ARG().

export class Fail {
  constructor(
    readonly message: string,
    readonly status: number,
  ) {}
}

/** Does `word` abbreviate `full`, as iproute2's matches() asks? */
export function matches(word: string, full: string): boolean {
  return word.length > 0 && full.startsWith(word);
}

/** NEXT_ARG(): the next word, or iproute2's incomplete_command(), which exits with -1. */
export function nextArg(args: string[]): string {
  const a = args.shift();
  if (a === undefined) throw new Fail('Command line is not complete. Try option "help"', 255);
  return a;
}

/** NEXT_IS_NUMBER(): does the next word start with a digit? */
export function nextIsNumber(args: readonly string[]): boolean {
  return /^\d/.test(args[0] ?? '');
}
