import { render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { NEW_SEGMENT_DEFAULTS, type SegmentInfo } from '../../../shared/labelmap/segments';
import type { SegmentEditor } from './editor.svelte';
import SegmentRow from './SegmentRow.svelte';

const info = (extra: Partial<SegmentInfo>): SegmentInfo => ({
  id: 's1',
  name: 'left lung',
  color: [1, 2, 3],
  ...NEW_SEGMENT_DEFAULTS,
  ...extra,
});

/** The row's confidence label and whether it is drawn as a warning; null when it has none. */
function confidenceOf(segment: SegmentInfo): { text: string | null; low: boolean } | null {
  // The row only calls the editor when clicked.
  const { unmount } = render(SegmentRow, { editor: {} as SegmentEditor, segment, selected: false, pixels: 4 });
  const label = screen.queryByTestId('segment-confidence');
  const seen = label && { text: label.textContent, low: label.classList.contains('low') };
  unmount();
  return seen;
}

describe("a segment row's confidence", () => {
  it("shows an AI answer's confidence, and in red when the answer was labelled low confidence", () => {
    expect(confidenceOf(info({ source: 'ai', confidence: 0.912 }))).toEqual({ text: 'confidence 0.91', low: false });
    expect(confidenceOf(info({ source: 'ai', confidence: 0.62, lowConfidence: true }))).toEqual({
      text: 'low confidence (0.62)',
      low: true,
    });
    // Labelled low without a number (a model decoding by argmax, a prompt outside what it covers).
    expect(confidenceOf(info({ source: 'ai', lowConfidence: true }))).toEqual({ text: 'low confidence', low: true });
  });

  it('shows nothing where nothing was said: a hand-drawn segment, an answer without a confidence', () => {
    expect(confidenceOf(info({}))).toBeNull();
    expect(confidenceOf(info({ source: 'ai' }))).toBeNull();
  });
});
