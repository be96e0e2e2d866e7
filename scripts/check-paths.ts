// `npm run check:paths`: fails, printing the offending lines, when docs/, the README or the model card
// cite a repository path (src/…, docs/…, models/…) or a doc section ("MODEL.md, "Inference"") that does
// not exist (scripts/repo-checks.ts).
import { join } from 'node:path';
import { repoMissingReferences } from './repo-checks';

const offences = repoMissingReferences(join(import.meta.dirname, '..'));
for (const o of offences) console.error(`${o.file}:${o.line}: ${o.why}: ${o.text}`);
if (offences.length > 0) {
  console.error(`check:paths: ${offences.length} line(s) above cite paths or sections that are not in the repository`);
  process.exit(1);
}
console.log('check:paths: every path and section the docs cite exists');
