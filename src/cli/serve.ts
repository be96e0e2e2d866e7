// `nextmask serve`: the handler table and built renderer on 127.0.0.1, for running the
// UI in a browser (end-to-end tests, or a look at the UI without Electron).
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../main/app';
import { serveHandlers } from '../main/ipc/http-server';

export async function serveCommand(argv: string[], builtRendererDir: string): Promise<number> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '0' },
      static: { type: 'string' },
      json: { type: 'boolean', default: false },
    },
  });
  const staticDir = resolve(values.static ?? builtRendererDir);
  if (!existsSync(`${staticDir}/index.html`)) {
    throw new Error(`no built renderer at ${staticDir}: run \`npm run build\` first`);
  }
  const app = createApp(undefined, { preloadModel: true });
  const { services, handlers } = app;
  const server = await serveHandlers({ handlers, events: services.events, staticDir, port: Number(values.port) });
  if (values.json)
    process.stdout.write(`${JSON.stringify({ url: server.url, origin: server.origin, token: server.token })}\n`);
  else process.stdout.write(`NextMask UI: ${server.url}\n(Ctrl+C to stop)\n`);
  await new Promise<void>((done) => {
    const stop = () => void Promise.all([server.close(), app.close()]).then(() => done());
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  return 0;
}
