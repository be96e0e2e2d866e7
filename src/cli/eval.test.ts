import { describe, expect, it } from 'vitest';
import { IDENTITY_VIEW, TEST_TIME_VIEWS } from '../main/segmenter/pipeline/test-time-views';
import { parseFallback, parseGroups, parseViews } from './eval';

describe('eval --fallback', () => {
  it('reads "none" and decreasing thresholds under one half', () => {
    expect(parseFallback('none')).toEqual([]);
    expect(parseFallback('0.4,0.3,0.2')).toEqual([0.4, 0.3, 0.2]);
  });

  it('rejects thresholds out of range, out of order or not numbers', () => {
    for (const bad of ['0.5', '0.3,0.4', 'x', '0.4,,0.3', '0'])
      expect(() => parseFallback(bad), bad).toThrow(/--fallback/);
  });
});

describe('eval --groups', () => {
  it('reads known group names and rejects others', () => {
    expect(parseGroups('btxrd')).toEqual(['btxrd']);
    expect(parseGroups('lung,infection')).toEqual(['lung', 'infection']);
    for (const bad of ['', 'lungs', 'lung,,btxrd']) expect(() => parseGroups(bad), bad).toThrow(/--groups/);
  });
});

describe('eval --views', () => {
  it('takes the first N default test-time views and rejects counts out of range', () => {
    expect(parseViews('1')).toEqual([IDENTITY_VIEW]);
    expect(parseViews('4')).toEqual(TEST_TIME_VIEWS.slice(0, 4));
    expect(parseViews(String(TEST_TIME_VIEWS.length))).toEqual([...TEST_TIME_VIEWS]);
    for (const bad of ['0', '1.5', 'x', String(TEST_TIME_VIEWS.length + 1)])
      expect(() => parseViews(bad), bad).toThrow(/--views/);
  });
});
