// `npm run package:fuses [-- <path to the Electron binary>]`: flips the production fuses
// (src/main/fuses.ts) in the Electron binary a package will ship, then reads them back.

import { createRequire } from 'node:module';
import { FuseState, FuseV1Options, flipFuses, getCurrentFuseWire } from '@electron/fuses';
import { PRODUCTION_FUSES } from '../src/main/fuses';

const binary = process.argv[2] ?? (createRequire(import.meta.url)('electron') as string);
await flipFuses(binary, PRODUCTION_FUSES);
const wire = await getCurrentFuseWire(binary);
const names = Object.keys(FuseV1Options).filter((k) => Number.isNaN(Number(k)));
for (const name of names) {
  const state = wire[FuseV1Options[name as keyof typeof FuseV1Options]];
  process.stdout.write(
    `${name}: ${state === FuseState.ENABLE ? 'on' : state === FuseState.DISABLE ? 'off' : 'absent'}\n`,
  );
}
