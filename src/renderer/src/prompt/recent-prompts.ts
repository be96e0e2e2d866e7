// The last prompts a radiologist typed, newest first, kept across sessions on this machine.
const KEY = 'nextmask.recentPrompts';
export const MAX_RECENT = 12;

export function addRecent(list: readonly string[], prompt: string, max = MAX_RECENT): string[] {
  const text = prompt.trim();
  if (!text) return [...list];
  return [text, ...list.filter((p) => p.toLowerCase() !== text.toLowerCase())].slice(0, max);
}

export function loadRecent(storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage): string[] {
  try {
    const parsed: unknown = JSON.parse(storage?.getItem(KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return []; // a corrupt entry must not break the prompt box
  }
}

export function saveRecent(
  list: readonly string[],
  storage: Pick<Storage, 'setItem'> | undefined = globalThis.localStorage,
): void {
  try {
    storage?.setItem(KEY, JSON.stringify(list));
  } catch {
    // Storage full or disabled: recent prompts are a convenience, not data.
  }
}
