import { FuseV1Options } from '@electron/fuses';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_FUSES } from './fuses';

describe('production fuses', () => {
  it('turn off Node mode, NODE_OPTIONS and inspect; turn on cookie encryption and asar integrity', () => {
    expect(PRODUCTION_FUSES[FuseV1Options.RunAsNode]).toBe(false);
    expect(PRODUCTION_FUSES[FuseV1Options.EnableNodeOptionsEnvironmentVariable]).toBe(false);
    expect(PRODUCTION_FUSES[FuseV1Options.EnableNodeCliInspectArguments]).toBe(false);
    expect(PRODUCTION_FUSES[FuseV1Options.EnableCookieEncryption]).toBe(true);
    expect(PRODUCTION_FUSES[FuseV1Options.EnableEmbeddedAsarIntegrityValidation]).toBe(true);
    expect(PRODUCTION_FUSES[FuseV1Options.OnlyLoadAppFromAsar]).toBe(true);
  });
});
