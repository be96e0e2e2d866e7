// `npm run check:imports`: fails when the folders of src/main import each other in a cycle, printing each
// cycle's arrows with one import that makes each (scripts/repo-checks.ts).
import { join } from 'node:path';
import { type Arrow, folderArrows, folderCycles, readText, textFiles } from './repo-checks';

const main = join(import.meta.dirname, '../src/main');
const cycles = folderCycles(folderArrows(main, textFiles(main), readText));
const arrow = (a: Arrow) => `  ${a.from} → ${a.to}   (${a.file}: '${a.specifier}')`;
for (const cycle of cycles) console.error(`import cycle between folders of src/main:\n${cycle.map(arrow).join('\n')}`);
if (cycles.length > 0) process.exit(1);
console.log('check:imports: the folders of src/main import one way');
