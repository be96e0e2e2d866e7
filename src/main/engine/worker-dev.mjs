// Worker entry when running from sources (vitest, tsx): registers tsx's loader in this
// thread, then loads the TypeScript worker. Built apps use the engine-worker.js bundle.
import { register } from 'tsx/esm/api';

register();
await import('./worker.ts');
