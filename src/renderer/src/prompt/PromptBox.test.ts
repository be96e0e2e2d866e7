import { fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { codingOf } from '../../../shared/labelmap/coding';
import type { ShownReading } from '../../../shared/shown-reading';
import { LiveReading, tooLong } from './live-reading.svelte';
import PromptBox from './PromptBox.svelte';
import { addRecent, loadRecent } from './recent-prompts';

describe('recent prompts', () => {
  it('keeps the newest first, without case-insensitive duplicates, bounded', () => {
    let list: string[] = [];
    for (const p of ['left lung', 'right lung', 'Left Lung', '  ', 'both lungs']) list = addRecent(list, p, 3);
    expect(list).toEqual(['both lungs', 'Left Lung', 'right lung']);
  });

  it('survives a corrupt stored value', () => {
    expect(loadRecent({ getItem: () => '{not json' })).toEqual([]);
    expect(loadRecent({ getItem: () => '["a", 3, "b"]' })).toEqual(['a', 'b']);
  });
});

/** A reading of the words main would understand here ("left", "lung"); the others not understood. */
function fakeRead(prompt: string): Promise<ShownReading> {
  const words = prompt.split(/\s+/).filter(Boolean);
  const known = words.filter((w) => ['left', 'lung'].includes(w));
  const unread = words.filter((w) => !known.includes(w));
  return Promise.resolve({
    terms: known.length ? [known.join(' ')] : [],
    unread,
    moreUnread: 0,
    coding: known.length ? codingOf('lung', 'left') : null,
    problem: known.length ? null : 'nothing understood',
    outOfScope: words.includes('heart') ? 'the model does not segment the heart' : null,
    didYouMean: unread.includes('lfet') ? prompt.replace('lfet', 'left') : null,
  });
}

const props = { running: false, read: fakeRead, onsubmit: vi.fn(), oncancel: vi.fn() };

describe('LiveReading', () => {
  it('asks once typing pauses, and keeps only the newest text’s reading', async () => {
    const settle: ((r: ShownReading) => void)[] = [];
    const read = vi.fn((_prompt: string) => new Promise<ShownReading>((resolve) => settle.push(resolve)));
    const live = new LiveReading(read, 10);
    live.update('l');
    live.update('left');
    await waitFor(() => expect(read).toHaveBeenCalledTimes(1));
    expect(read).toHaveBeenCalledWith('left');
    live.update('left lung');
    await waitFor(() => expect(read).toHaveBeenCalledTimes(2));
    const reading = (terms: string[]) => ({
      terms,
      unread: [],
      moreUnread: 0,
      coding: null,
      problem: null,
      outOfScope: null,
      didYouMean: null,
    });
    settle[1]?.(reading(['left lung']));
    settle[0]?.(reading(['stale']));
    await waitFor(() => expect(live.shown?.terms).toEqual(['left lung']));
    await new Promise((r) => setTimeout(r, 20));
    expect(live.shown?.terms).toEqual(['left lung']);
    expect(live.text).toBe('left lung');
  });

  it('says a prompt over the limit is too long, without asking', () => {
    const read = vi.fn(fakeRead);
    const live = new LiveReading(read, 10);
    live.update('x'.repeat(10_001));
    expect(live.shown).toEqual(tooLong(10_001));
    expect(live.shown?.problem).toBe('The prompt is 10,001 characters; at most 10,000 are read: shorten it.');
    expect(read).not.toHaveBeenCalled();
  });

  it('shows a failed read as a problem, not a crash', async () => {
    const live = new LiveReading(() => Promise.reject(new Error('main is gone')), 1);
    live.update('left lung');
    await waitFor(() => expect(live.shown?.problem).toBe('The prompt could not be read: main is gone'));
  });
});

describe('PromptBox', () => {
  beforeEach(() => localStorage.clear());

  it('runs on Enter with the trimmed prompt and remembers it', async () => {
    const onsubmit = vi.fn();
    render(PromptBox, { ...props, onsubmit });
    const input = screen.getByRole('combobox', { name: 'Prompt' });
    await fireEvent.input(input, { target: { value: '  left lung ' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onsubmit).toHaveBeenCalledWith('left lung');
    expect(loadRecent()).toEqual(['left lung']);
  });

  it('does not run an empty prompt', async () => {
    const onsubmit = vi.fn();
    render(PromptBox, { ...props, onsubmit });
    await fireEvent.keyDown(screen.getByRole('combobox', { name: 'Prompt' }), { key: 'Enter' });
    expect(onsubmit).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Segment' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('cancels on Escape only while running, and shows progress', async () => {
    const oncancel = vi.fn();
    const { rerender } = render(PromptBox, { ...props, oncancel });
    const input = screen.getByRole('combobox', { name: 'Prompt' });
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(oncancel).not.toHaveBeenCalled();
    await rerender({ running: true, progress: 0.25 });
    expect((screen.getByRole('progressbar', { name: 'Segmentation progress' }) as HTMLProgressElement).value).toBe(
      0.25,
    );
    await fireEvent.keyDown(input, { key: 'Escape' });
    expect(oncancel).toHaveBeenCalledTimes(1);
  });

  it('recalls earlier prompts with the arrow keys', async () => {
    localStorage.setItem('nextmask.recentPrompts', JSON.stringify(['newest', 'older']));
    render(PromptBox, props);
    const input = screen.getByRole('combobox', { name: 'Prompt' }) as HTMLInputElement;
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('newest');
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('older');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.value).toBe('newest');
  });

  it('shows what the prompt is read as under the box, with the words not understood to click and retype', async () => {
    render(PromptBox, props);
    const input = screen.getByRole('combobox', { name: 'Prompt' }) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'left lugn lung' } });
    const terms = await screen.findByRole('list', { name: 'Read as' });
    await waitFor(() =>
      expect(
        within(terms)
          .getAllByRole('listitem')
          .map((li) => li.textContent),
      ).toEqual(['left lung']),
    );
    const unread = within(screen.getByRole('list', { name: 'Not understood' })).getByRole('button', { name: 'lugn' });
    expect(screen.getByTestId('reading-coding').textContent).toBe('SEG: Lung · left');
    await fireEvent.click(unread);
    expect([input.selectionStart, input.selectionEnd]).toEqual([5, 9]);
    expect(document.activeElement).toBe(input);
  });

  it('says what the model does not cover, and takes "did you mean …?" into the box with a click', async () => {
    render(PromptBox, props);
    const input = screen.getByRole('combobox', { name: 'Prompt' }) as HTMLInputElement;
    await fireEvent.input(input, { target: { value: 'lung heart' } });
    expect((await screen.findByTestId('reading-out-of-scope')).textContent).toBe(
      'the model does not segment the heart',
    );
    await fireEvent.input(input, { target: { value: 'lfet lung' } });
    const meant = await screen.findByTestId('reading-did-you-mean');
    expect(meant.textContent).toBe('Did you mean “left lung”?');
    expect(screen.queryByTestId('reading-out-of-scope')).toBeNull();
    await fireEvent.click(meant);
    expect(input.value).toBe('left lung');
    await waitFor(() => expect(screen.queryByTestId('reading-did-you-mean')).toBeNull());
  });

  it('says a prompt over the limit is too long and does not run it', async () => {
    const onsubmit = vi.fn();
    render(PromptBox, { ...props, onsubmit });
    const input = screen.getByRole('combobox', { name: 'Prompt' });
    await fireEvent.input(input, { target: { value: 'left lung '.repeat(1001) } });
    expect(screen.getByTestId('reading-problem').textContent).toMatch(/^The prompt is 10,010 characters/);
    expect((screen.getByRole('button', { name: 'Segment' }) as HTMLButtonElement).disabled).toBe(true);
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onsubmit).not.toHaveBeenCalled();
  });
});
