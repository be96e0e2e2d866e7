// better-sqlite3 for Electron: the copy in node_modules is built for Node's ABI (tests, CLI,
// `nextmask serve`) and must stay so. This puts a second build, for the installed Electron's
// ABI, in .cache/electron-native/, which the app loads when it runs inside Electron
// (src/main/store/workspace.ts, sqliteBinding). Run by `npm start`; never fails the start:
// without it (offline first run) the app opens and only saving masks reports the problem.
import { execFileSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, '.cache', 'electron-native');
const binary = join(out, 'better_sqlite3.node');
const stampFile = join(out, 'stamp');

const version = (pkg) => JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8')).version;
const electron = version('electron');
const stamp = `electron ${electron} better-sqlite3 ${version('better-sqlite3')} ${process.platform}-${process.arch}`;

const failedFile = join(out, 'failed');
if (existsSync(binary) && existsSync(stampFile) && readFileSync(stampFile, 'utf8') === stamp) process.exit(0);
// Do not recompile on every start after a failure; `--retry` tries again.
if (!process.argv.includes('--retry') && existsSync(failedFile) && readFileSync(failedFile, 'utf8') === stamp) {
  console.warn(
    'electron-sqlite: no Electron build of better-sqlite3 (an earlier try failed); run `node scripts/electron-sqlite.mjs --retry` online.',
  );
  process.exit(0);
}

const work = join(out, 'better-sqlite3');
rmSync(work, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
cpSync(join(root, 'node_modules', 'better-sqlite3'), work, { recursive: true });
rmSync(join(work, 'build'), { recursive: true, force: true });

const attempts = [
  // A prebuilt binary for this Electron (downloaded; needs the network once).
  [
    process.execPath,
    [join(root, 'node_modules', 'prebuild-install', 'bin.js'), '--runtime', 'electron', '--target', electron],
  ],
  // Else compile against Electron's headers (needs a C++ toolchain and the network once).
  ['npx', ['--yes', 'node-gyp', 'rebuild', `--target=${electron}`, '--dist-url=https://electronjs.org/headers']],
];

/** A build Node itself can load has Node's ABI, not Electron's (e.g. headers taken from a local nodedir). */
function loadsInNode(path) {
  try {
    execFileSync(process.execPath, ['-e', `process.dlopen({ exports: {} }, ${JSON.stringify(path)})`], {
      stdio: 'ignore',
    });
    return true;
  } catch {
    return false;
  }
}

// An npmrc `nodedir` would make node-gyp build against this Node's headers instead of Electron's.
const env = { ...process.env, npm_config_nodedir: '' };
for (const [command, args] of attempts) {
  try {
    execFileSync(command, args, { cwd: work, env, stdio: 'inherit', timeout: 300_000 });
    const built = join(work, 'build', 'Release', 'better_sqlite3.node');
    if (loadsInNode(built)) throw new Error("the result has Node's ABI, not Electron's");
    copyFileSync(built, binary);
    writeFileSync(stampFile, stamp);
    rmSync(work, { recursive: true, force: true });
    console.log(`better-sqlite3 built for Electron ${electron}: ${binary}`);
    process.exit(0);
  } catch (err) {
    console.warn(`electron-sqlite: ${command} failed: ${err instanceof Error ? err.message.split('\n')[0] : err}`);
  }
}
rmSync(work, { recursive: true, force: true });
writeFileSync(failedFile, stamp);
console.warn(
  'electron-sqlite: no Electron build of better-sqlite3; the app starts, but saving masks will fail until this succeeds (run `node scripts/electron-sqlite.mjs --retry` online).',
);
