import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { META_CONTENT_SECURITY_POLICY } from './src/shared/security';

/** Writes the shared CSP into index.html so the meta tag and main's header never differ. */
function cspMetaTag(): Plugin {
  return {
    name: 'nextmask-csp',
    transformIndexHtml: (html: string) => html.replace('%NEXTMASK_CSP%', META_CONTENT_SECURITY_POLICY),
  };
}

export default defineConfig({
  main: {
    build: {
      outDir: 'out/main',
      rollupOptions: {
        // The Electron entry and the plain-Node CLI share one build (and its chunks); the
        // training, frame-decoding and segmenter workers are their own entries, found at runtime
        // by src/main/workers/launch.ts.
        input: {
          index: resolve('src/main/index.ts'),
          cli: resolve('src/cli/nextmask.ts'),
          'engine-worker': resolve('src/main/engine/training-worker.ts'),
          'decode-worker': resolve('src/main/dicom/decode-worker.ts'),
          'segment-worker': resolve('src/main/segmenter/segment-worker.ts'),
          'finetune-worker': resolve('src/main/finetune/job-worker.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      rollupOptions: {
        input: { index: resolve('src/preload/index.ts') },
        // Sandboxed preloads must be CommonJS.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'src/renderer',
    base: './',
    plugins: [svelte({ configFile: resolve('svelte.config.js') }), cspMetaTag()],
    build: {
      outDir: 'out/renderer',
      rollupOptions: { input: { index: resolve('src/renderer/index.html') } },
    },
  },
});
