// Which segments of an imported file are already in the series: the same SEG imported again (its
// segments' ids come from the file's UIDs) or a file exported from these segments (same masks).
import { countSet, masksEqual } from '../../../shared/labelmap/mask';
import type { Segment } from '../../../shared/labelmap/segments';

function sameMasks(a: Segment, b: Segment): boolean {
  return a.masks.length === b.masks.length && a.masks.every((m, i) => masksEqual(m, b.masks[i] as typeof m));
}

/** Indices of `imported` that duplicate a segment of `present` (an empty mask duplicates only by id). */
export function duplicateIndices(imported: readonly Segment[], present: readonly Segment[]): number[] {
  return imported.flatMap((s, i) => {
    const painted = s.masks.some((m) => countSet(m) > 0);
    return present.some((p) => p.id === s.id || (painted && sameMasks(s, p))) ? [i] : [];
  });
}

/** What the panel asks: which of the file's segments are here already. */
export function describeDuplicates(path: string, all: number, here: number): string {
  const file = path.split(/[\\/]/).pop() ?? path;
  const which = here === all ? (all === 1 ? 'The segment' : `All ${all} segments`) : `${here} of the ${all} segments`;
  return `${which} in ${file} ${here === 1 ? 'is' : 'are'} already here (the same file imported before, or the same masks).`;
}
