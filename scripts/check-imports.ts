// `npm run check:imports`: fails when the folders of src/main import each other in a cycle, or when files
// of src do, printing each cycle's arrows with one import that makes each (scripts/repo-checks.ts).
import { join } from 'node:path';
import { type Arrow, fileArrows, folderArrows, importCycles, readText, textFiles } from './repo-checks';

const src = join(import.meta.dirname, '../src');
const main = join(src, 'main');
const arrow = (a: Arrow) => `  ${a.from} → ${a.to}   (${a.file}: '${a.specifier}')`;
const found = [
  ...importCycles(folderArrows(main, textFiles(main), readText)).map((c) => ({ between: 'folders of src/main', c })),
  ...importCycles(fileArrows(src, textFiles(src), readText)).map((c) => ({ between: 'files of src', c })),
];
for (const { between, c } of found) console.error(`import cycle between ${between}:\n${c.map(arrow).join('\n')}`);
if (found.length > 0) process.exit(1);
console.log('check:imports: the folders of src/main and the files of src import one way');
