import type { ConsoleErrorCode } from '../../shared/console-api.js';

/** System error codes that mean this machine has no network at all, rather than one server being away. */
const offlineCodes = new Set(['ENETUNREACH', 'ENETDOWN', 'EHOSTDOWN', 'EAI_AGAIN']);
/** Codes that mean the network works but the server does not answer (down, wrong port, wrong name, slow). */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'EPIPE',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

export interface NetworkFailure {
  code: Extract<ConsoleErrorCode, 'offline' | 'server_unreachable'>;
  /** The system code (ECONNREFUSED, timeout, ...), for the detail line and the log. */
  cause: string;
}

/**
 * Classifies what fetch threw. undici wraps the system error as `TypeError('fetch failed', {cause})`,
 * sometimes twice; an AbortSignal.timeout surfaces as a `TimeoutError`. Returns null for anything
 * that is not a network failure (a programming error must not be reported as "server unreachable").
 */
export function classifyNetworkError(error: unknown): NetworkFailure | null {
  for (let current: unknown = error, depth = 0; current && depth < 5; depth++) {
    if (typeof current !== 'object') break;
    const name = 'name' in current ? String(current.name) : '';
    if (name === 'TimeoutError' || name === 'AbortError') return { code: 'server_unreachable', cause: 'timeout' };
    const code = 'code' in current && typeof current.code === 'string' ? current.code : '';
    if (offlineCodes.has(code)) return { code: 'offline', cause: code };
    if (unreachableCodes.has(code)) return { code: 'server_unreachable', cause: code };
    current = 'cause' in current ? current.cause : undefined;
  }
  if (error instanceof TypeError && error.message === 'fetch failed') return { code: 'server_unreachable', cause: 'fetch failed' };
  return null;
}
