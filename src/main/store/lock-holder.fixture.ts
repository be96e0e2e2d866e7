// Child process for the workspace lock test: another NextMask instance that has written to the
// workspace and keeps it until its stdin closes. Run: node --import tsx lock-holder.fixture.ts <dir>
import { Workspace } from './workspace';

if (process.argv[2]) {
  const ws = new Workspace(process.argv[2]);
  ws.putStudy({ key: 'held', sourcePath: '/data/held', width: 4, height: 4, frameCount: 1 });
  process.stdout.write('holding\n');
  process.stdin.resume();
  process.stdin.once('end', () => {
    ws.close();
    process.stdout.write('released\n');
  });
}
