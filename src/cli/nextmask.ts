// The `nextmask` command line: the process's arguments to the command table (commands.ts).
import { main } from './commands';

main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
