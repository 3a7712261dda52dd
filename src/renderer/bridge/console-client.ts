import type { BridgeResult, ConsoleBridge, ConsoleErrorCode } from '../../shared/console-api';

/** A failed bridge call, thrown to react-query; screens turn `code` into a sentence (i18n `error.<code>`). */
export class ConsoleCallError extends Error {
  constructor(
    readonly code: ConsoleErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
    this.name = 'ConsoleCallError';
  }
}

type Unwrapped<F> = F extends (input: infer I) => Promise<BridgeResult<infer O>> ? (input: I) => Promise<O> : never;

/** The bridge with its envelopes opened: methods resolve with the value or throw ConsoleCallError. */
export type ConsoleClient = { [D in keyof ConsoleBridge]: { [V in keyof ConsoleBridge[D]]: Unwrapped<ConsoleBridge[D][V]> } };

export function createConsoleClient(bridge: ConsoleBridge): ConsoleClient {
  const client: Record<string, Record<string, (input: unknown) => Promise<unknown>>> = {};
  for (const [domain, methods] of Object.entries(
    bridge as unknown as Record<string, Record<string, (input: unknown) => Promise<BridgeResult<unknown>>>>,
  )) {
    client[domain] = {};
    for (const [verb, method] of Object.entries(methods)) {
      client[domain][verb] = async (input: unknown) => {
        const result = await method(input);
        if (result.ok) return result.value;
        throw new ConsoleCallError(result.error.code, result.error.message, result.error.detail);
      };
    }
  }
  return client as unknown as ConsoleClient;
}
