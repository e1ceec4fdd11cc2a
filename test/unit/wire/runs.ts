// Property-test budget: 2000 cases per property by default; FUZZ_RUNS raises it for a long fuzzing
// session or lowers it for a quick loop.
export const numRuns = Number(process.env.FUZZ_RUNS ?? 2000);
