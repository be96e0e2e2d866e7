import { describe, expect, it } from 'vitest';
import { mean, median } from './average';

describe('mean and median', () => {
  it('take the middle value, or the mean of the two middle ones, whatever the order', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 10])).toBe(3.5);
    expect(mean([1, 2, 6])).toBe(3);
  });

  it('are NaN for an empty list', () => {
    expect(mean([])).toBeNaN();
    expect(median([])).toBeNaN();
  });
});
