// Validates a call against the contract, runs its handler, and turns every outcome into
// an Envelope. Both transports (Electron IPC, loopback HTTP) go through here.
import { argSchemas, type Envelope, isChannel, type Results } from '../../shared/ipc';
import { ValidationError } from '../../shared/validate';
import { isAbortError, UserFacingError } from '../errors';
import { log } from '../log';
import type { HandlerContext, HandlerTable } from './handler-types';

export async function dispatch(
  table: HandlerTable,
  channel: unknown,
  rawArgs: unknown,
  ctx: HandlerContext,
): Promise<Envelope<Results[keyof Results]>> {
  if (!isChannel(channel)) {
    return { ok: false, error: { code: 'unknown-channel', message: `unknown channel: ${String(channel)}` } };
  }
  let args: unknown;
  try {
    args = argSchemas[channel].parse(rawArgs ?? {});
  } catch (err) {
    const message = err instanceof ValidationError ? err.message : String(err);
    return { ok: false, error: { code: 'invalid-args', message: `${channel}: invalid arguments: ${message}` } };
  }
  try {
    const handler = table[channel] as (a: unknown, c: HandlerContext) => unknown;
    const value = (await handler(args, ctx)) as Results[keyof Results];
    return { ok: true, value };
  } catch (err) {
    if (ctx.signal.aborted || isAbortError(err)) {
      return { ok: false, error: { code: 'cancelled', message: `${channel}: cancelled` } };
    }
    if (!(err instanceof UserFacingError)) log.error(`${channel} failed`, err);
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, error: { code: 'failed', message } };
  }
}
