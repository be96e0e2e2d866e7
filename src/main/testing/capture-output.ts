// Runs a CLI command in-process with stdout and stderr captured (and kept off the test's output).
import { vi } from 'vitest';

export interface Captured<T> {
  value: T;
  stdout: string;
  stderr: string;
}

/** What `run` returned and printed; if it throws, the output is lost and the error propagates. */
export async function captureOutput<T>(run: () => Promise<T>): Promise<Captured<T>> {
  const out: string[] = [];
  const err: string[] = [];
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation((c) => out.push(String(c)) > 0),
    vi.spyOn(process.stderr, 'write').mockImplementation((c) => err.push(String(c)) > 0),
  ];
  try {
    return { value: await run(), stdout: out.join(''), stderr: err.join('') };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}
