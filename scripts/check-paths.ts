// `npm run check:paths`: fails, printing the offending lines, when docs/, the README or the model card
// cite a repository path (src/…, docs/…, models/…) that does not exist (scripts/repo-checks.ts).
import { join } from 'node:path';
import { repoMissingPaths } from './repo-checks';

const offences = repoMissingPaths(join(import.meta.dirname, '..'));
for (const o of offences) console.error(`${o.file}:${o.line}: ${o.why}: ${o.text}`);
if (offences.length > 0) {
  console.error(`check:paths: ${offences.length} line(s) above cite paths that are not in the repository`);
  process.exit(1);
}
console.log('check:paths: every path the docs cite exists');
