// `npm run check:words`: fails, printing the offending lines, when the docs, sources, tools, configs or
// model files say process words (PROCESS_WORDS in scripts/repo-checks.ts).
import { join } from 'node:path';
import { processWords, readText, textFiles } from './repo-checks';

const ROOT = join(import.meta.dirname, '..');
const offences = ['docs', 'src', 'tools', 'configs', 'models', 'README.md']
  .flatMap((p) => textFiles(join(ROOT, p)))
  .flatMap((file) => processWords(file.slice(ROOT.length + 1), readText(file)));
for (const o of offences) console.error(`${o.file}:${o.line}: ${o.why}: ${o.text}`);
if (offences.length > 0) {
  console.error(`check:words: ${offences.length} line(s) above; the repository describes the project as it is`);
  process.exit(1);
}
console.log('check:words: no process words');
