// How many colours the real terminal gets, decided once for the interactive screen. chalk's own
// detection (supports-color) gives 0 for a terminal it does not recognise (no TERM, CI set), where
// a person at a terminal still wants the coloured prompt; but an explicit "no" must win: FORCE_COLOR=0,
// TERM=dumb, NO_COLOR, --no-color.

/** chalk's levels: 0 none, 1 the 16 basic colours, 2 256 colours, 3 truecolor. */
export type ColorLevel = 0 | 1 | 2 | 3;

/**
 * The level for a terminal on stdout. `wanted` is false for --no-color; `detected` is chalk's own
 * guess (chalk.level). FORCE_COLOR follows supports-color: "0"/"false" none, ""/"true" basic,
 * "1"-"3" that level; it overrides TERM=dumb but not NO_COLOR or --no-color (no-color.org).
 */
export function terminalColorLevel(wanted: boolean, env: NodeJS.ProcessEnv, detected: number): ColorLevel {
  if (!wanted || (env['NO_COLOR'] ?? '') !== '') return 0;
  const force = env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false') return 0;
    const n = Number(force);
    if (Number.isInteger(n) && n >= 0) return Math.min(n, 3) as ColorLevel;
  }
  if (env['TERM'] === 'dumb') return 0;
  return (detected >= 1 && detected <= 3 ? detected : 1) as ColorLevel;
}
