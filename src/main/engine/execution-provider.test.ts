import { describe, expect, it } from 'vitest';
import { executionProviderFromEnv, gpuProviders, providersFor } from './execution-provider';

describe('execution providers', () => {
  it("puts the platform's own GPU provider first, then WebGPU", () => {
    expect(gpuProviders('linux')).toEqual(['cuda', 'webgpu']);
    expect(gpuProviders('win32')).toEqual(['dml', 'webgpu']);
    expect(gpuProviders('darwin')).toEqual(['coreml', 'webgpu']);
    expect(gpuProviders('freebsd')).toEqual(['webgpu']);
  });

  it("tries the GPU providers for 'auto' and a named provider alone", () => {
    expect(providersFor('auto')).toEqual(gpuProviders());
    expect(providersFor('cpu')).toBe('cpu');
    expect(providersFor('dml')).toBe('dml');
  });

  it('reads NEXTMASK_EXECUTION_PROVIDER, auto when unset, and refuses other values naming the choices', () => {
    expect(executionProviderFromEnv({})).toBe('auto');
    expect(executionProviderFromEnv({ NEXTMASK_EXECUTION_PROVIDER: 'webgpu' })).toBe('webgpu');
    expect(() => executionProviderFromEnv({ NEXTMASK_EXECUTION_PROVIDER: 'tpu' })).toThrow(
      'NEXTMASK_EXECUTION_PROVIDER must be one of auto, cpu, cuda, dml, coreml, webgpu, got "tpu"',
    );
  });
});
