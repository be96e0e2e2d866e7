import { describe, expect, it } from 'vitest';
import { type DecoderSession, greedyDecode, type HeadLogits, speculativeDecode } from './decoding';

const VOCAB = 12;
const EOS = VOCAB - 1;
const allowed = (steps: number) => (i: number) => (i === steps - 1 ? ([EOS, EOS + 1] as const) : ([0, EOS] as const));

function hash(values: ArrayLike<number>, salt: number): number {
  let h = 2166136261 ^ salt;
  for (let i = 0; i < values.length; i++) h = Math.imul(h ^ (values[i] as number), 16777619);
  return h >>> 0;
}

/**
 * A stand-in decoder whose every output depends on the whole prefix, so a cache that is not
 * rolled back correctly changes the tokens. Head 1 is "the model"; head j guesses the token
 * j-1 steps further, right with probability `accuracy`.
 */
class FakeSession implements DecoderSession {
  readonly fed: number[] = [];
  passes = 0;
  constructor(
    readonly heads: number,
    readonly accuracy: number,
    readonly seed: number,
  ) {}

  get length(): number {
    return this.fed.length;
  }

  private next(prefix: number[]): number {
    return hash(prefix, this.seed) % EOS;
  }

  async extend(tokens: Int32Array): Promise<HeadLogits> {
    this.passes++;
    const positions = tokens.length;
    const data = new Float32Array(positions * this.heads * VOCAB);
    for (let p = 0; p < positions; p++) {
      this.fed.push(tokens[p] as number);
      const rollout = [...this.fed];
      for (let h = 0; h < this.heads; h++) {
        const truth = this.next(rollout);
        rollout.push(truth);
        const lucky = hash(rollout, 7 * this.seed + h) % 1000 < this.accuracy * 1000;
        const guess = h === 0 || lucky ? truth : (truth + 1 + (hash(rollout, h) % (EOS - 1))) % EOS;
        const base = (p * this.heads + h) * VOCAB;
        for (let v = 0; v < VOCAB; v++) data[base + v] = Math.sin(v * 12.9898 + hash(rollout, v)) * 0.1;
        data[base + guess] = 5;
        data[base + EOS] = h === 0 ? 4 : 0; // EOS is the runner-up: constraints must exclude it
      }
    }
    return { positions, heads: this.heads, vocab: VOCAB, data };
  }

  truncate(length: number): void {
    this.fed.length = length;
  }
}

describe('mask-token decoding', () => {
  const prompt = Int32Array.from({ length: 20 }, (_, i) => (i * 5) % EOS);

  it('greedy feeds one token per pass and respects the allowed ranges', async () => {
    const steps = 30;
    const session = new FakeSession(4, 0.5, 1);
    const result = await greedyDecode(session, prompt, { steps, allowed: allowed(steps) });
    expect(result.forwardPasses).toBe(steps);
    expect(result.tokensPerStep).toBe(1);
    expect(result.tokens[steps - 1]).toBe(EOS);
    expect(Array.from(result.tokens.subarray(0, steps - 1)).every((t) => t >= 0 && t < EOS)).toBe(true);
  });

  it('speculative decoding returns exactly the greedy tokens, whatever the heads guess', async () => {
    for (let seed = 1; seed <= 60; seed++) {
      const steps = 10 + (seed % 37);
      const heads = 1 + (seed % 5);
      const accuracy = (seed % 4) / 3;
      const greedy = await greedyDecode(new FakeSession(heads, accuracy, seed), prompt, {
        steps,
        allowed: allowed(steps),
      });
      const spec = await speculativeDecode(new FakeSession(heads, accuracy, seed), prompt, {
        steps,
        allowed: allowed(steps),
      });
      expect(Array.from(spec.tokens), `seed ${seed}`).toEqual(Array.from(greedy.tokens));
    }
  });

  it('accepts k tokens per pass when the heads are always right, one when they never are', async () => {
    const steps = 257;
    const perfect = await speculativeDecode(new FakeSession(4, 1, 3), prompt, { steps, allowed: allowed(steps) });
    expect(perfect.forwardPasses).toBe(1 + Math.ceil((steps - 1) / 4));
    expect(perfect.tokensPerStep).toBeGreaterThan(3.5);
    const hopeless = await speculativeDecode(new FakeSession(4, 0, 3), prompt, { steps, allowed: allowed(steps) });
    expect(hopeless.forwardPasses).toBe(steps);
  });

  it('lookahead guesses past the heads still give exactly the greedy tokens', async () => {
    for (let seed = 1; seed <= 40; seed++) {
      const steps = 20 + (seed % 41);
      const heads = 1 + (seed % 4);
      const greedy = await greedyDecode(new FakeSession(heads, 0.5, seed), prompt, { steps, allowed: allowed(steps) });
      const truth = greedy.tokens;
      // Right where the seed says so, otherwise a valid but wrong code, sometimes a stop or an EOS (out of range).
      const guess = (i: number, tokens: Int32Array) => {
        const roll = hash([i, seed], 5) % 10;
        if (roll === 0) return undefined;
        if (roll === 1) return EOS;
        return roll < 7 ? truth[i] : ((tokens[i - 1] ?? 0) + 1) % EOS;
      };
      const session = new FakeSession(heads, 0.5, seed);
      const spec = await speculativeDecode(session, prompt, {
        steps,
        allowed: allowed(steps),
        lookahead: { maxDraft: 3 + (seed % 10), guess },
      });
      expect(Array.from(spec.tokens), `seed ${seed}`).toEqual(Array.from(truth));
      // An EOS guess for a mask position is outside its allowed range: it must never be fed there.
      expect(session.fed.slice(prompt.length, -1)).not.toContain(EOS);
    }
  });

  it('right lookahead guesses cut the passes to one per maxDraft tokens', async () => {
    const steps = 257;
    const truth = (await greedyDecode(new FakeSession(1, 0, 11), prompt, { steps, allowed: allowed(steps) })).tokens;
    const options = { steps, allowed: allowed(steps) };
    const headsOnly = await speculativeDecode(new FakeSession(1, 0, 11), prompt, options);
    const withGuesses = await speculativeDecode(new FakeSession(1, 0, 11), prompt, {
      ...options,
      lookahead: { maxDraft: 16, guess: (i) => truth[i] },
    });
    expect(headsOnly.forwardPasses).toBe(steps);
    expect(withGuesses.forwardPasses).toBe(1 + Math.ceil((steps - 1) / 16));
    expect(Array.from(withGuesses.tokens)).toEqual(Array.from(truth));
  });

  it('streams every token exactly once, in order', async () => {
    const steps = 40;
    const streamed: number[] = [];
    const result = await speculativeDecode(new FakeSession(3, 0.7, 9), prompt, {
      steps,
      allowed: allowed(steps),
      onTokens: (tokens, produced) => {
        streamed.push(...tokens);
        expect(produced).toBe(streamed.length);
      },
    });
    expect(streamed).toEqual(Array.from(result.tokens));
  });

  it('stops when cancelled', async () => {
    const controller = new AbortController();
    const steps = 100;
    const run = greedyDecode(new FakeSession(2, 0.5, 4), prompt, {
      steps,
      allowed: allowed(steps),
      signal: controller.signal,
      onTokens: (_t, produced) => {
        if (produced === 10) controller.abort();
      },
    });
    await expect(run).rejects.toThrow();
  });
});
