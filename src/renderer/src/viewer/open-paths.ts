// Paths to open at start-up from the URL fragment (`#token=…&open=/a&open=/b`), so a
// browser session (and the e2e test) can open files without a dialog.
export function pathsFromHash(hash: string): string[] {
  return new URLSearchParams(hash.replace(/^#/, ''))
    .getAll('open')
    .map((p) => p.trim())
    .filter(Boolean);
}

/** Paths of dropped files (Electron only: browsers do not expose them). */
export function droppedPaths(
  files: FileList | null | undefined,
  pathForFile: ((file: File) => string) | undefined,
): string[] {
  if (!files || !pathForFile) return [];
  return [...files].map((file) => pathForFile(file)).filter(Boolean);
}
