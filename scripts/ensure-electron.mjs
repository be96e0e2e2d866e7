// Fetches Electron's binary after install, but never fails the install when it cannot
// (offline machines, CI). The package's own postinstall is denied in package.json
// "allowScripts" because a failed download there aborts `npm ci`.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

function main() {
  if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) return;
  let installer;
  try {
    installer = require.resolve('electron/install.js');
  } catch {
    return; // electron not installed (e.g. --omit=dev)
  }
  if (!existsSync(installer)) return;
  const result = spawnSync(process.execPath, [installer], { stdio: 'inherit', timeout: 600_000 });
  if (result.status !== 0) {
    console.warn(
      '\n[nextmask] Electron binary could not be downloaded; the app will not start until it is.\n' +
        '[nextmask] Building and testing work without it. When online, run: npx install-electron\n',
    );
  }
}

main();
