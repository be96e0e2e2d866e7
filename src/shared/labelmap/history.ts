// Bounded undo/redo: a stack of entries with a cap on their count and on their total bytes,
// so hours of painting on large frames cannot exhaust memory. The oldest entries go first.

export interface HistoryLimits {
  maxEntries: number;
  maxBytes: number;
}

export const DEFAULT_HISTORY_LIMITS: HistoryLimits = { maxEntries: 100, maxBytes: 256 * 1024 * 1024 };

export class History<E> {
  private done: E[] = [];
  private undone: E[] = [];
  private bytes = 0;

  constructor(
    private readonly sizeOf: (entry: E) => number,
    private readonly limits: HistoryLimits = DEFAULT_HISTORY_LIMITS,
  ) {}

  /** Records a new edit; anything undone before it can no longer be redone. */
  push(entry: E): void {
    for (const e of this.undone) this.bytes -= this.sizeOf(e);
    this.undone = [];
    this.done.push(entry);
    this.bytes += this.sizeOf(entry);
    while (this.done.length > 1 && (this.done.length > this.limits.maxEntries || this.bytes > this.limits.maxBytes)) {
      this.bytes -= this.sizeOf(this.done.shift() as E);
    }
  }

  /** The entry to revert, moved to the redo stack; undefined when there is nothing to undo. */
  undo(): E | undefined {
    const entry = this.done.pop();
    if (entry !== undefined) this.undone.push(entry);
    return entry;
  }

  /** The entry to re-apply, moved back to the undo stack. */
  redo(): E | undefined {
    const entry = this.undone.pop();
    if (entry !== undefined) this.done.push(entry);
    return entry;
  }

  get canUndo(): boolean {
    return this.done.length > 0;
  }

  get canRedo(): boolean {
    return this.undone.length > 0;
  }

  get size(): number {
    return this.done.length;
  }

  clear(): void {
    this.done = [];
    this.undone = [];
    this.bytes = 0;
  }
}
