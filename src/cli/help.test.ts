import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands, main } from './commands';

describe('nextmask <command> --help', () => {
  afterEach(() => vi.restoreAllMocks());

  it('prints every command its usage and exits 0, for --help and -h, without running it', async () => {
    for (const name of Object.keys(commands)) {
      for (const flag of ['--help', '-h']) {
        let printed = '';
        vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
          printed += String(chunk);
          return true;
        });
        const run = vi.spyOn(commands[name] as NonNullable<(typeof commands)[string]>, 'run');
        expect(await main([name, flag]), `${name} ${flag}`).toBe(0);
        expect(printed, name).toMatch(new RegExp(`usage:[\\s\\S]*nextmask ${name}\\b`));
        expect(run).not.toHaveBeenCalled();
        vi.restoreAllMocks();
      }
    }
  });

  it('still says an unknown command is one, with exit 2', async () => {
    vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    expect(await main(['nonsense', '--help'])).toBe(2);
  });
});
