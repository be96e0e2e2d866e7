// Opens ORT sessions on the requested execution provider, falling back to CPU and
// reporting which provider actually runs.
import * as ort from 'onnxruntime-node';

export type ExecutionProvider = 'cpu' | 'cuda' | 'dml' | 'coreml' | 'webgpu';

export interface SessionOptions {
  executionProvider?: ExecutionProvider;
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
  provider: ExecutionProvider;
  /** Why the requested provider was not used, when it was not. */
  fallbackReason?: string;
}

export async function openSession(model: Uint8Array, options: SessionOptions = {}): Promise<OpenedSession> {
  const requested = options.executionProvider ?? 'cpu';
  const base: ort.InferenceSession.SessionOptions = {
    graphOptimizationLevel: 'all',
    ...(options.threads ? { intraOpNumThreads: options.threads } : {}),
    ...(options.spin === false
      ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }
      : {}),
  };
  if (requested !== 'cpu') {
    try {
      const session = await ort.InferenceSession.create(model, { ...base, executionProviders: [requested] });
      return { session, provider: requested };
    } catch (error) {
      const session = await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] });
      return { session, provider: 'cpu', fallbackReason: `${requested} unavailable: ${(error as Error).message}` };
    }
  }
  return {
    session: await ort.InferenceSession.create(model, { ...base, executionProviders: ['cpu'] }),
    provider: 'cpu',
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
