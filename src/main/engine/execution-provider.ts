// Which ONNX Runtime execution providers a session tries: the choice (auto, cpu or one provider), what
// 'auto' means on this platform, and the NEXTMASK_EXECUTION_PROVIDER setting the segmenter and
// fine-tuning read. openSession (session.ts) tries them in order and falls back to the CPU.
import type { ExecutionProviderChoice, ExecutionProviderName } from '../../shared/segment-types';

const PROVIDERS: readonly ExecutionProviderChoice[] = ['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu'];

/** The GPU providers 'auto' tries, in order, before the CPU: the platform's own, then WebGPU where it works. */
export function gpuProviders(platform: NodeJS.Platform = process.platform): ExecutionProviderName[] {
  const native = ({ linux: 'cuda', win32: 'dml', darwin: 'coreml' } as const)[platform as string];
  return native ? [native, 'webgpu'] : ['webgpu'];
}

/** The providers a session tries for `choice` ('auto': the GPU providers; the CPU is always the last resort). */
export function providersFor(choice: ExecutionProviderChoice): ExecutionProviderName | ExecutionProviderName[] {
  return choice === 'auto' ? gpuProviders() : choice;
}

/** NEXTMASK_EXECUTION_PROVIDER (auto|cpu|cuda|dml|coreml|webgpu), default auto: the segmenter's and fine-tuning's. */
export function executionProviderFromEnv(env: NodeJS.ProcessEnv = process.env): ExecutionProviderChoice {
  const provider = env.NEXTMASK_EXECUTION_PROVIDER ?? 'auto';
  if (!PROVIDERS.includes(provider as ExecutionProviderChoice)) {
    throw new Error(`NEXTMASK_EXECUTION_PROVIDER must be one of ${PROVIDERS.join(', ')}, got "${provider}"`);
  }
  return provider as ExecutionProviderChoice;
}
