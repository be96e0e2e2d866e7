// Opens ORT sessions on the requested execution provider, falling back to CPU and
// reporting which provider actually runs.
import * as ort from 'onnxruntime-node';
import type { ExecutionProviderName } from '../../shared/segment-types';

export interface SessionOptions {
  /** A provider, or providers to try in order; the CPU is always the last resort. */
  executionProvider?: ExecutionProviderName | readonly ExecutionProviderName[];
  /** Intra-op threads; ORT's default (one per physical core) when absent. */
  threads?: number;
  /**
   * Let idle intra-op threads spin (ORT's default, fastest on a dedicated machine). Turn off when the
   * cores are shared with other heavy work: spinning threads then steal the cores the others need.
   */
  spin?: boolean;
}

export interface OpenedSession {
  session: ort.InferenceSession;
  provider: ExecutionProviderName;
  /** Why the requested provider(s) were not used, when they were not. */
  fallbackReason?: string;
}

export async function openSession(model: Uint8Array, options: SessionOptions = {}): Promise<OpenedSession> {
  const requested = [options.executionProvider ?? 'cpu'].flat();
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    ...(options.spin === false
      ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }
      : {}),
  };
  const reasons: string[] = [];
  for (const provider of requested.filter((p) => p !== 'cpu')) {
    try {
      const session = await ort.InferenceSession.create(model, { ...base, executionProviders: [provider] });
      return { session, provider, ...(reasons.length ? { fallbackReason: reasons.join('; ') } : {}) };
    } catch (error) {
      reasons.push(`${provider} unavailable: ${(error as Error).message}`);
    }
  }
  return {
    session: await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] }),
    provider: 'cpu',
    ...(reasons.length ? { fallbackReason: reasons.join('; ') } : {}),
  };
}

export type HostArray = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

const ORT_TYPE = new Map<unknown, ort.Tensor.Type>([
  [Float32Array, 'float32'],
  [Float64Array, 'float64'],
  [BigInt64Array, 'int64'],
  [Int32Array, 'int32'],
  [Uint8Array, 'bool'],
]);

/** Wraps a host array without copying (ORT reads inputs in place). */
export function hostTensor(data: HostArray, dims: readonly number[]): ort.Tensor {
  const type = ORT_TYPE.get(data.constructor);
  if (!type) throw new Error('unsupported array type');
  return new ort.Tensor(type as 'float32', data as Float32Array, dims);
}
