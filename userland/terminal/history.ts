// Command history with up/down navigation: the line being typed is kept while browsing, and
// consecutive duplicates and blank lines are not recorded.

export const HISTORY_MAX = 1000;

export class History {
  private readonly entries: string[];
  /** entries.length while not browsing. */
  private index: number;
  private draft = '';

  constructor(
    initial: readonly string[] = [],
    private readonly onAdd: (line: string) => void = () => {},
  ) {
    this.entries = initial.slice(-HISTORY_MAX);
    this.index = this.entries.length;
  }

  get all(): readonly string[] {
    return this.entries;
  }

  add(line: string): void {
    this.index = this.entries.length;
    this.draft = '';
    if (!line.trim() || this.entries[this.entries.length - 1] === line) return;
    this.entries.push(line);
    if (this.entries.length > HISTORY_MAX) this.entries.shift();
    this.index = this.entries.length;
    this.onAdd(line);
  }

  /** Up: the previous entry, or null at the oldest. `current` is what is typed now. */
  previous(current: string): string | null {
    if (this.index === 0) return null;
    if (this.index === this.entries.length) this.draft = current;
    this.index--;
    return this.entries[this.index]!;
  }

  /** Down: the next entry, then back to what was being typed. */
  next(): string | null {
    if (this.index >= this.entries.length) return null;
    this.index++;
    return this.index === this.entries.length ? this.draft : this.entries[this.index]!;
  }

  reset(): void {
    this.index = this.entries.length;
  }
}
