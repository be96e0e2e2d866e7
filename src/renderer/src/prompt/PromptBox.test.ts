import { fireEvent, render, screen } from '@testing-library/svelte';
import { beforeEach, describe, expect, it, vi } from 'vitest';
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

describe('PromptBox', () => {
  beforeEach(() => localStorage.clear());

  it('runs on Enter with the trimmed prompt and remembers it', async () => {
    const onsubmit = vi.fn();
    render(PromptBox, { running: false, onsubmit, oncancel: vi.fn() });
    const input = screen.getByRole('combobox', { name: 'Prompt' });
    await fireEvent.input(input, { target: { value: '  left lung ' } });
    await fireEvent.keyDown(input, { key: 'Enter' });
    expect(onsubmit).toHaveBeenCalledWith('left lung');
    expect(loadRecent()).toEqual(['left lung']);
  });

  it('does not run an empty prompt', async () => {
    const onsubmit = vi.fn();
    render(PromptBox, { running: false, onsubmit, oncancel: vi.fn() });
    await fireEvent.keyDown(screen.getByRole('combobox', { name: 'Prompt' }), { key: 'Enter' });
    expect(onsubmit).not.toHaveBeenCalled();
    expect((screen.getByRole('button', { name: 'Segment' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('cancels on Escape only while running, and shows progress', async () => {
    const oncancel = vi.fn();
    const { rerender } = render(PromptBox, { running: false, onsubmit: vi.fn(), oncancel });
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
    render(PromptBox, { running: false, onsubmit: vi.fn(), oncancel: vi.fn() });
    const input = screen.getByRole('combobox', { name: 'Prompt' }) as HTMLInputElement;
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('newest');
    await fireEvent.keyDown(input, { key: 'ArrowUp' });
    expect(input.value).toBe('older');
    await fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(input.value).toBe('newest');
  });
});
