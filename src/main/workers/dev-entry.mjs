// Worker entry when running from sources (vitest, tsx): registers tsx's loader in this
// thread, then loads the TypeScript entry named by the first worker argument (see
// launch.ts), removing it so the entry sees the same argv as its built bundle.
import { pathToFileURL } from 'node:url';
import { register } from 'tsx/esm/api';

const [entry] = process.argv.splice(2, 1);
if (!entry) throw new Error('dev-entry.mjs: no worker entry given');
register();
await import(pathToFileURL(entry).href);
