/**
 * The load shapes of the sign-in benchmarks, for any server: MFA Desk's (bench/signin/phases.ts) and
 * a peer's (bench/peers/better-auth/load.ts) plug their own requests into the same loops, so both
 * sides of bench:compare are driven the same way.
 */
import { drain, runFor } from './load-client.js';
import { count, goalSummary, tally } from './tally.js';

export const TOTP_STEP_MS = 30_000;

/** What one attempt came to: its kind ("accepted", "signed_in", "status_401_INVALID_CODE") and its latency. */
export interface Outcome {
  key: string;
  ms: number;
}

/**
 * Fixed work: each item (a user with one open challenge, never used before) is verified once with the
 * code of the current step, by `workers` closed-loop clients, until none is left or `capMs` passed.
 * Every request should be accepted ("accepted"); any other answer is counted apart (`otherAnswers`).
 * goalPerSecond = accepted / elapsed (first request to last answer).
 */
export async function freshVerifyPhase<T>(items: readonly T[], workers: number, verify: (item: T) => Promise<Outcome>, capMs = Infinity) {
  const t = tally();
  const { elapsedMs, left } = await drain(
    items,
    workers,
    async (item) => {
      const { key, ms } = await verify(item);
      count(t, key, ms);
    },
    capMs,
  );
  return { ...goalSummary(t, elapsedMs / 1000, 'accepted'), usersLeftUnused: left };
}

/**
 * Full sign-ins for `ms`: each attempt is a whole sign-in (password, then a fresh TOTP code), which
 * should end "signed_in". A user signs in at most once per 30 s step (a TOTP step is accepted once),
 * taken in turn from the worker's share of `pool`; when all of a worker's users have signed in this
 * step it waits (counted as `poolExhaustedWaits`: the pool, not the server, set the pace then).
 */
export async function signInPhase<U extends { email: string }>(
  pool: readonly U[],
  workers: number,
  ms: number,
  signIn: (user: U) => Promise<Outcome>,
) {
  const t = tally();
  const lastStep = new Map<string, number>();
  const mine = Array.from({ length: workers }, (_, w) => pool.filter((_, i) => i % workers === w));
  const turn = new Array<number>(workers).fill(0);
  let waits = 0;
  const started = performance.now();
  await runFor(ms, workers, async (w) => {
    const list = mine[w]!;
    const step = Math.floor(Date.now() / TOTP_STEP_MS);
    let user: U | undefined;
    for (let tries = 0; tries < list.length && !user; tries++) {
      const candidate = list[turn[w]!++ % list.length]!;
      if ((lastStep.get(candidate.email) ?? -1) < step) user = candidate;
    }
    if (!user) {
      waits++;
      return new Promise((r) => setTimeout(r, 50));
    }
    lastStep.set(user.email, step);
    const { key, ms: took } = await signIn(user);
    count(t, key, took);
  });
  return { ...goalSummary(t, (performance.now() - started) / 1000, 'signed_in'), poolExhaustedWaits: waits };
}
