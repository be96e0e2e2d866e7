// CommonJS packages (dicom-parser's UMD build, the Emscripten codecs) loaded with require:
// Node's ESM import of them exposes no named exports, and the same call works under
// vitest, tsx and the electron-vite main bundle (where dependencies stay external).
import { createRequire } from 'node:module';

export const requireCjs = createRequire(import.meta.url);
