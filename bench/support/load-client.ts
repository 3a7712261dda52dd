import { Agent, request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: IncomingHttpHeaders;
  ms: number;
}

/** A small keep-alive HTTP client: the load generator must cost less CPU than the server it measures. */
export class LoadClient {
  readonly #agent: Agent;
  readonly #host: string;
  readonly #port: number;
  readonly #headers: OutgoingHttpHeaders;

  /** `headers` go on every request (better-auth wants an Origin on requests that carry cookies). */
  constructor(baseUrl: string, connections: number, headers: OutgoingHttpHeaders = {}) {
    const url = new URL(baseUrl);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections });
    this.#headers = headers;
  }

  post(path: string, body: unknown, token?: string, headers?: OutgoingHttpHeaders): Promise<Answer> {
    return this.#send('POST', path, JSON.stringify(body), token, headers);
  }

  get(path: string, token?: string, headers?: OutgoingHttpHeaders): Promise<Answer> {
    return this.#send('GET', path, undefined, token, headers);
  }

  #send(method: string, path: string, payload: string | undefined, token?: string, headers?: OutgoingHttpHeaders): Promise<Answer> {
    const started = performance.now();
    return new Promise((resolve, reject) => {
      const req = request(
        {
          agent: this.#agent,
          host: this.#host,
          port: this.#port,
          method,
          path,
          headers: {
            ...this.#headers,
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: Record<string, unknown> = {};
            try {
              body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
            } catch {
              body = { text: text.slice(0, 200) };
            }
            resolve({ status: res.statusCode ?? 0, body, headers: res.headers, ms: performance.now() - started });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.#agent.destroy();
  }
}

/**
 * The cookies of one request chain (a sign-in, then its second step), as a browser keeps them for one
 * site: `Set-Cookie` adds or replaces, an expired one (`Max-Age=0`, an `Expires` in the past) removes.
 * Paths, domains and attributes are not checked: every request goes to the one server.
 */
export class CookieJar {
  readonly #cookies = new Map<string, string>();

  constructor(initial?: string) {
    for (const pair of initial?.split(/;\s*/) ?? []) {
      const eq = pair.indexOf('=');
      if (eq > 0) this.#cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
  }

  /** Takes a Node response's `Set-Cookie` headers. */
  take(headers: IncomingHttpHeaders): this {
    return this.takeLines(headers['set-cookie'] ?? []);
  }

  /** Takes `Set-Cookie` lines (a fetch Response's `headers.getSetCookie()`). */
  takeLines(lines: readonly string[]): this {
    for (const line of lines) {
      const [pair = '', ...attributes] = line.split(/;\s*/);
      const eq = pair.indexOf('=');
      if (eq <= 0) continue;
      const name = pair.slice(0, eq);
      const expired = attributes.some(
        (a) => /^max-age=(0|-\d+)$/i.test(a) || (/^expires=/i.test(a) && Date.parse(a.slice(8)) <= Date.now()),
      );
      if (expired) this.#cookies.delete(name);
      else this.#cookies.set(name, pair.slice(eq + 1));
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.#cookies.get(name);
  }

  /** The Cookie header, or {} when the jar is empty. */
  header(): OutgoingHttpHeaders {
    return this.#cookies.size ? { cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs `workers` closed-loop workers until `ms` has passed. */
export async function runFor(ms: number, workers: number, work: (worker: number) => Promise<void>): Promise<void> {
  const deadline = performance.now() + ms;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (performance.now() < deadline) await work(worker);
    }),
  );
}

/**
 * Fixed work: `workers` closed-loop workers take the items one at a time, each item once, until none
 * is left (or, with `capMs`, no new item is started after that long). Resolves with the milliseconds
 * from the first request to the last answer, and how many items were left untouched.
 */
export async function drain<T>(
  items: readonly T[],
  workers: number,
  work: (item: T, worker: number) => Promise<void>,
  capMs = Infinity,
): Promise<{ elapsedMs: number; left: number }> {
  let next = 0;
  const started = performance.now();
  const deadline = started + capMs;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      while (next < items.length && performance.now() < deadline) await work(items[next++]!, worker);
    }),
  );
  return { elapsedMs: performance.now() - started, left: items.length - next };
}
