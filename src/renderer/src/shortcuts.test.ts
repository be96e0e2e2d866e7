import { describe, expect, it } from 'vitest';
import { actionFor, SHORTCUTS } from './shortcuts';

const press = (key: string, init: KeyboardEventInit = {}, target?: HTMLElement) => {
  const event = new KeyboardEvent('keydown', { key, ...init });
  if (target) Object.defineProperty(event, 'target', { value: target });
  return actionFor(event);
};

describe('keyboard map', () => {
  it('maps tool, view, slice, series and preset keys', () => {
    expect(press('b')).toEqual({ action: 'tool:brush' });
    expect(press('x')).toEqual({ action: 'tool:box' });
    expect(press('c')).toEqual({ action: 'tool:click' });
    expect(press('L', { shiftKey: true })).toEqual({ action: 'tool:lasso-erase' });
    expect(press('ArrowDown')).toEqual({ action: 'slice:next' });
    expect(press('N', { shiftKey: true })).toEqual({ action: 'series:previous' });
    expect(press('3')).toEqual({ action: 'preset', preset: 3 });
    expect(press('0')).toBeNull();
    expect(press('z', { ctrlKey: true })).toEqual({ action: 'undo' });
    expect(press('Z', { ctrlKey: true, shiftKey: true })).toEqual({ action: 'redo' });
    expect(press('?')).toEqual({ action: 'help' });
  });

  it('leaves keys to text fields, except Esc', () => {
    const field = document.createElement('input');
    expect(press('b', {}, field)).toBeNull();
    expect(press('Escape', {}, field)).toEqual({ action: 'escape' });
    const box = document.createElement('input');
    box.type = 'checkbox';
    expect(press('b', {}, box)).toEqual({ action: 'tool:brush' });
  });

  it('documents every action it maps', () => {
    const documented = new Set(SHORTCUTS.map((s) => s.action));
    for (const key of ['v', 'b', 'e', 'l', 'L', 'g', '[', ']', 'w', 'p', 'z', 'i', 'f', 'r', ' ', 'PageUp', 'n', 'N']) {
      expect(documented.has(press(key)!.action), key).toBe(true);
    }
  });
});
