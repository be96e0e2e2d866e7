// `npm run check:words`: fails, printing the offending lines, when the docs, sources, tools, configs or
// model files say process words (PROCESS_WORDS and DOC_WORDS in scripts/repo-checks.ts).
import { join } from 'node:path';
import { repoProcessWords } from './repo-checks';

const offences = repoProcessWords(join(import.meta.dirname, '..'));
for (const o of offences) console.error(`${o.file}:${o.line}: ${o.why}: ${o.text}`);
if (offences.length > 0) {
  console.error(`check:words: ${offences.length} line(s) above; the repository describes the project as it is`);
  process.exit(1);
}
console.log('check:words: no process words');
