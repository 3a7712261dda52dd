import { z } from 'zod';
import { consoleApi, isConsoleChannel, type BridgeResult, type ConsoleHandlers } from '../../shared/console-api.js';
import { ConsoleError, toErrorBody } from './console-error.js';

/**
 * One bridge call, whichever transport carried it: an unknown channel or an argument that fails
 * its schema is refused before any handler runs; the answer is parsed with the output schema, which
 * also strips any field the contract does not declare (a token cannot ride along by accident).
 */
export async function dispatch(
  handlers: ConsoleHandlers,
  channel: unknown,
  rawInput: unknown,
  log: (line: string) => void = console.error,
): Promise<BridgeResult<unknown>> {
  if (!isConsoleChannel(channel)) return { ok: false, error: { code: 'invalid_input', message: 'unknown operation' } };
  const spec = consoleApi[channel];
  const input = spec.input.safeParse(rawInput ?? {});
  if (!input.success)
    return {
      ok: false,
      error: { code: 'invalid_input', message: `invalid arguments for ${channel}`, detail: z.prettifyError(input.error) },
    };
  try {
    const handler = handlers[channel] as (input: unknown) => Promise<unknown>;
    return { ok: true, value: spec.output.parse(await handler(input.data)) };
  } catch (error) {
    if (!(error instanceof ConsoleError))
      log(`[console] ${channel} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return { ok: false, error: toErrorBody(error) };
  }
}
