// Seeded random streams, so initialisation and tests reproduce exactly.

/** Deterministic uniform(-1, 1) stream (mulberry32), so failures reproduce. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** Standard normal samples (Box–Muller) from a seeded stream. */
export function normal(seed: number): () => number {
  const rand = random(seed);
  return () => {
    const u = (rand() + 1) / 2 || 1e-12;
    const v = (rand() + 1) / 2;
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
