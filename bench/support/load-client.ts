import { Agent, request } from 'node:http';

/** A small keep-alive HTTP client: the load generator must cost less CPU than the server it measures. */
export class LoadClient {
  readonly #agent: Agent;
  readonly #host: string;
  readonly #port: number;

  constructor(baseUrl: string, connections: number) {
    const url = new URL(baseUrl);
    this.#host = url.hostname;
    this.#port = Number(url.port);
    this.#agent = new Agent({ keepAlive: true, maxSockets: connections });
  }

  post(path: string, body: unknown, token?: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
    return this.#send('POST', path, JSON.stringify(body), token);
  }

  get(path: string, token?: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
    return this.#send('GET', path, undefined, token);
  }

  #send(method: string, path: string, payload: string | undefined, token?: string): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
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
            ...(payload !== undefined ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            resolve({ status: res.statusCode ?? 0, body: text ? (JSON.parse(text) as Record<string, unknown>) : {}, ms: performance.now() - started });
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
