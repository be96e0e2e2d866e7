// The keyboard map: one table (shown by the `?` overlay and in docs/VIEWER.md) and the function
// that turns a key press into an action. Keys act wherever focus is, except while typing in a
// field (there only Esc counts).

export type Action =
  | 'tool:none'
  | 'tool:brush'
  | 'tool:eraser'
  | 'tool:lasso-fill'
  | 'tool:lasso-erase'
  | 'tool:fill'
  | 'tool:box'
  | 'tool:click'
  | 'drag:wl'
  | 'drag:pan'
  | 'drag:zoom'
  | 'brush:smaller'
  | 'brush:larger'
  | 'undo'
  | 'redo'
  | 'view:reset'
  | 'view:fit'
  | 'view:invert'
  | 'view:rotate'
  | 'slice:next'
  | 'slice:previous'
  | 'slice:next10'
  | 'slice:previous10'
  | 'series:next'
  | 'series:previous'
  | 'preset'
  | 'help'
  | 'escape';

export interface Shortcut {
  /** As shown to people, e.g. "Ctrl+Z", "1–9". */
  keys: string;
  label: string;
  group: 'Editing' | 'View' | 'Navigation' | 'General';
  action: Action;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: 'V', label: 'View (no editing tool)', group: 'Editing', action: 'tool:none' },
  { keys: 'B', label: 'Brush', group: 'Editing', action: 'tool:brush' },
  { keys: 'E', label: 'Eraser', group: 'Editing', action: 'tool:eraser' },
  { keys: 'L', label: 'Lasso fill', group: 'Editing', action: 'tool:lasso-fill' },
  { keys: 'Shift+L', label: 'Lasso erase', group: 'Editing', action: 'tool:lasso-erase' },
  { keys: 'G', label: 'Fill (bucket)', group: 'Editing', action: 'tool:fill' },
  { keys: 'X', label: 'Box: drag around a region for the model', group: 'Editing', action: 'tool:box' },
  {
    keys: 'C',
    label: 'Click: add to the AI segment (Shift+click or right-click: remove)',
    group: 'Editing',
    action: 'tool:click',
  },
  { keys: '[', label: 'Smaller brush', group: 'Editing', action: 'brush:smaller' },
  { keys: ']', label: 'Larger brush', group: 'Editing', action: 'brush:larger' },
  { keys: 'Ctrl+Z', label: 'Undo', group: 'Editing', action: 'undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', label: 'Redo', group: 'Editing', action: 'redo' },
  { keys: 'W', label: 'Left drag: window/level', group: 'View', action: 'drag:wl' },
  { keys: 'P', label: 'Left drag: pan', group: 'View', action: 'drag:pan' },
  { keys: 'Z', label: 'Left drag: zoom', group: 'View', action: 'drag:zoom' },
  { keys: '1–9', label: 'Window preset (in the list order)', group: 'View', action: 'preset' },
  { keys: 'I', label: 'Invert', group: 'View', action: 'view:invert' },
  { keys: 'F', label: 'Fit to window', group: 'View', action: 'view:fit' },
  { keys: 'R', label: 'Rotate 90° clockwise', group: 'View', action: 'view:rotate' },
  { keys: 'Space', label: 'Reset the view', group: 'View', action: 'view:reset' },
  { keys: '↓ / →', label: 'Next slice', group: 'Navigation', action: 'slice:next' },
  { keys: '↑ / ←', label: 'Previous slice', group: 'Navigation', action: 'slice:previous' },
  { keys: 'Page Down', label: '10 slices on', group: 'Navigation', action: 'slice:next10' },
  { keys: 'Page Up', label: '10 slices back', group: 'Navigation', action: 'slice:previous10' },
  { keys: 'N', label: 'Next series', group: 'Navigation', action: 'series:next' },
  { keys: 'Shift+N', label: 'Previous series', group: 'Navigation', action: 'series:previous' },
  { keys: '?', label: 'Show or hide these shortcuts', group: 'General', action: 'help' },
  { keys: 'Esc', label: 'Close this list; cancel a running prompt', group: 'General', action: 'escape' },
];

const PLAIN: Record<string, Action> = {
  v: 'tool:none',
  b: 'tool:brush',
  e: 'tool:eraser',
  l: 'tool:lasso-fill',
  L: 'tool:lasso-erase',
  g: 'tool:fill',
  x: 'tool:box',
  c: 'tool:click',
  '[': 'brush:smaller',
  ']': 'brush:larger',
  w: 'drag:wl',
  p: 'drag:pan',
  z: 'drag:zoom',
  i: 'view:invert',
  f: 'view:fit',
  r: 'view:rotate',
  ' ': 'view:reset',
  ArrowDown: 'slice:next',
  ArrowRight: 'slice:next',
  ArrowUp: 'slice:previous',
  ArrowLeft: 'slice:previous',
  PageDown: 'slice:next10',
  PageUp: 'slice:previous10',
  n: 'series:next',
  N: 'series:previous',
  '?': 'help',
  Escape: 'escape',
};

/** True when the key press goes to a text field (or a select), where keys type rather than act. */
function typing(target: EventTarget | null): boolean {
  const element = target as HTMLElement | null;
  if (!element || typeof element.tagName !== 'string') return false;
  if (element.isContentEditable) return true;
  if (element.tagName === 'TEXTAREA' || element.tagName === 'SELECT') return true;
  if (element.tagName !== 'INPUT') return false;
  const type = (element as HTMLInputElement).type;
  return !['checkbox', 'radio', 'range', 'button', 'submit', 'color'].includes(type);
}

/** The action a key press asks for, with the preset number (1–9) for 'preset'; null when none. */
export function actionFor(event: KeyboardEvent): { action: Action; preset?: number } | null {
  if (event.key === 'Escape') return { action: 'escape' };
  if (typing(event.target) || event.altKey) return null;
  const ctrl = event.ctrlKey || event.metaKey;
  const key = event.key;
  if (ctrl) {
    const lower = key.toLowerCase();
    if (lower === 'z') return { action: event.shiftKey ? 'redo' : 'undo' };
    if (lower === 'y') return { action: 'redo' };
    return null;
  }
  if (/^[1-9]$/.test(key)) return { action: 'preset', preset: Number(key) };
  const action = PLAIN[key];
  return action ? { action } : null;
}
