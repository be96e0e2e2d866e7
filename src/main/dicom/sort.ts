// Slice order: along the slice normal when every instance has a position and orientation,
// else by InstanceNumber, else by file name.
import type { SeriesSummary } from '../../shared/viewer-types';

export interface Sortable {
  path: string;
  instanceNumber: number | undefined;
  imagePosition: number[] | undefined;
  imageOrientation: number[] | undefined;
}

function normal(orientation: number[]): number[] {
  const [rx, ry, rz, cx, cy, cz] = orientation as [number, number, number, number, number, number];
  return [ry * cz - rz * cy, rz * cx - rx * cz, rx * cy - ry * cx];
}

/** Position along the slice normal (mm), or undefined without position and orientation. */
export function slicePosition(item: Sortable): number | undefined {
  if (!item.imagePosition || !item.imageOrientation) return undefined;
  const n = normal(item.imageOrientation);
  return item.imagePosition.reduce((sum, p, i) => sum + p * (n[i] as number), 0);
}

export function sortInstances<T extends Sortable>(items: T[]): { sorted: T[]; sortedBy: SeriesSummary['sortedBy'] } {
  const byName = (a: T, b: T) => a.path.localeCompare(b.path, undefined, { numeric: true });
  if (items.length < 2) return { sorted: [...items], sortedBy: 'single' };
  const positions = items.map(slicePosition);
  if (positions.every((p) => p !== undefined) && new Set(positions).size === items.length) {
    const order = items.map((item, i) => ({ item, p: positions[i] as number }));
    order.sort((a, b) => a.p - b.p || byName(a.item, b.item));
    return { sorted: order.map((o) => o.item), sortedBy: 'position' };
  }
  if (items.every((item) => item.instanceNumber !== undefined)) {
    const sorted = [...items].sort(
      (a, b) => (a.instanceNumber as number) - (b.instanceNumber as number) || byName(a, b),
    );
    return { sorted, sortedBy: 'instance-number' };
  }
  return { sorted: [...items].sort(byName), sortedBy: 'file-name' };
}
