// Electron fuses for a production build, flipped in the Electron binary by `npm run package:fuses`
// (scripts/electron-fuses.ts) before the app is packaged: the binary cannot then be used as a plain
// Node.js (RunAsNode), nor be steered by NODE_OPTIONS or --inspect, and loads only the app's own
// integrity-checked asar; cookies are encrypted at rest.
import { type FuseConfig, FuseV1Options, FuseVersion } from '@electron/fuses';

export const PRODUCTION_FUSES: FuseConfig = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
  [FuseV1Options.GrantFileProtocolExtraPrivileges]: false,
};
