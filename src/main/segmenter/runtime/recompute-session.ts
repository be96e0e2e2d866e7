// A DecoderSession without a cache between steps: every `extend` after the prompt reruns the whole
// sequence so far — a fresh prefill over the prompt, then one causal pass over all the mask tokens fed
// so far (the decode-step graph with n = all of them) — and returns the logits of the new positions.
// That is one full forward per step from the shipped graphs and weights, the baseline the KV cache
// saves: bench:segment times it against KvDecoderSession and speculative decoding.

import { type DecoderModels, KvDecoderSession } from './decoder-session';
import type { DecoderSession, HeadLogits } from './decoding';

export class RecomputeDecoderSession implements DecoderSession {
  private prompt: Int32Array | null = null;
  private readonly outputs: Int32Array;
  private produced = 0;

  constructor(private readonly models: DecoderModels) {
    this.outputs = new Int32Array(models.layout.outputs);
  }

  get length(): number {
    return this.prompt ? this.models.layout.prefix + this.produced : 0;
  }

  truncate(length: number): void {
    const { prefix } = this.models.layout;
    if (length < prefix) throw new Error('cannot truncate into the prompt');
    if (length > this.length) throw new Error(`cannot truncate ${this.length} positions to ${length}`);
    this.produced = length - prefix;
  }

  async extend(tokens: Int32Array): Promise<HeadLogits> {
    // The KV session only carries the keys/values within this one forward; it is dropped afterwards.
    const pass = new KvDecoderSession(this.models);
    if (!this.prompt) {
      const logits = await pass.extend(tokens); // validates the prompt
      this.prompt = tokens.slice();
      return logits;
    }
    if (tokens.length === 0) throw new Error('extend needs at least one token');
    if (this.produced + tokens.length > this.outputs.length) {
      throw new Error(`more than ${this.outputs.length} output tokens`);
    }
    await pass.extend(this.prompt);
    const all = this.outputs.subarray(0, this.produced + tokens.length);
    all.set(tokens, this.produced);
    const logits = await pass.extend(all); // validates the tokens before they count as fed
    this.produced += tokens.length;
    const row = logits.heads * logits.vocab;
    return { ...logits, positions: tokens.length, data: logits.data.subarray((all.length - tokens.length) * row) };
  }
}
