import { describe, expect, it } from 'vitest';
import { slicePosition, sortInstances } from './sort';

const axial = [1, 0, 0, 0, 1, 0];

describe('sortInstances', () => {
  it('orders by position along the slice normal, whatever the instance numbers say', () => {
    const items = [
      { path: 'a', instanceNumber: 1, imagePosition: [0, 0, 10], imageOrientation: axial },
      { path: 'b', instanceNumber: 2, imagePosition: [0, 0, -5], imageOrientation: axial },
      { path: 'c', instanceNumber: 3, imagePosition: [0, 0, 2.5], imageOrientation: axial },
    ];
    const { sorted, sortedBy } = sortInstances(items);
    expect(sortedBy).toBe('position');
    expect(sorted.map((i) => i.path)).toEqual(['b', 'c', 'a']);
  });

  it('projects on the normal of oblique slices, not on z', () => {
    // Sagittal: rows along y, columns along z, normal along x.
    const sagittal = [0, 1, 0, 0, 0, 1];
    expect(
      slicePosition({ path: '', instanceNumber: 1, imagePosition: [7, 100, -30], imageOrientation: sagittal }),
    ).toBe(7);
  });

  it('falls back to instance numbers when a position is missing', () => {
    const items = [
      { path: 'x', instanceNumber: 3, imagePosition: [0, 0, 1], imageOrientation: axial },
      { path: 'y', instanceNumber: 1, imagePosition: undefined, imageOrientation: undefined },
      { path: 'z', instanceNumber: 2, imagePosition: [0, 0, 0], imageOrientation: axial },
    ];
    const { sorted, sortedBy } = sortInstances(items);
    expect(sortedBy).toBe('instance-number');
    expect(sorted.map((i) => i.path)).toEqual(['y', 'z', 'x']);
  });

  it('falls back to file names (numerically) when nothing else is there', () => {
    const none = { instanceNumber: undefined, imagePosition: undefined, imageOrientation: undefined };
    const { sorted, sortedBy } = sortInstances([
      { path: 'img10', ...none },
      { path: 'img2', ...none },
    ]);
    expect(sortedBy).toBe('file-name');
    expect(sorted.map((i) => i.path)).toEqual(['img2', 'img10']);
  });
});
