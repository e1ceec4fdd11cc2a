export const BUNDLE: string;
export function staleness(root: string): string | null;
