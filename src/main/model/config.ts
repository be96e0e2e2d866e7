// What a NTP-MRISeg model is (architecture, token sizes) and how it is trained (losses, schedule).
// Stored in training configs (configs/*.json), checkpoints and the exported model's model.json.
import { type TokenLayout, type TokenSizes, tokenLayout } from '../../shared/tokens';
import type { DecoderConfig } from '../engine/transformer';

export interface ArchitectureConfig {
  width: number;
  heads: number;
  layers: number;
  mlpRatio?: number;
  /** k output heads (NkTP): head j predicts token t + j. */
  predictHeads: number;
  tokens: TokenSizes;
}

export interface LossConfig {
  /** Heads 2..k join the loss with weight decay^(j-1) (head 1 always has weight 1). */
  nktp: { enabled: boolean; decay: number };
  /** InfoNCE against the embeddings of the previous `negatives` predicted tokens. */
  tcl: { enabled: boolean; weight: number; temperature: number; negatives: number };
  /** Hard-error memory: the top `top` wrong tokens of the previous epoch per sample. */
  het: { enabled: boolean; weight: number; top: number };
}

export const DEFAULT_LOSSES: LossConfig = {
  nktp: { enabled: true, decay: 0.5 },
  tcl: { enabled: true, weight: 0.1, temperature: 0.1, negatives: 5 },
  het: { enabled: true, weight: 0.5, top: 16 },
};

export function decoderConfig(a: ArchitectureConfig): DecoderConfig {
  const layout = tokenLayout(a.tokens);
  return {
    vocab: layout.vocab,
    width: a.width,
    heads: a.heads,
    layers: a.layers,
    maxSeq: layout.prefix + layout.outputs,
    ...(a.mlpRatio ? { mlpRatio: a.mlpRatio } : {}),
  };
}

export function layoutOf(a: ArchitectureConfig): TokenLayout {
  return tokenLayout(a.tokens);
}
