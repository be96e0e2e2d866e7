// Event-loop responsiveness in tests: the gaps between 2 ms interval ticks while some work
// runs. A thread that blocks shows one gap about as long as the work.
import { performance } from 'node:perf_hooks';

/** Gaps between 2 ms interval ticks while `work` runs, sorted ascending. */
export async function timerGaps(work: () => Promise<unknown>): Promise<number[]> {
  let last = performance.now();
  const gaps: number[] = [];
  const timer = setInterval(() => {
    const now = performance.now();
    gaps.push(now - last);
    last = now;
  }, 2);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  gaps.push(performance.now() - last);
  return gaps.sort((a, b) => a - b);
}
