/**
 * MFA Desk's sign-in phases against a running server, shared by bench/signin/run.ts and
 * bench/compare.ts. Users come from seed.ts; a user's TOTP step can be accepted once (the server
 * refuses a code at or before the last used step as a replay), so the verify phases that claim
 * acceptances use each seeded user and challenge once.
 */
import { generateSync } from 'otplib';
import { freshVerifyPhase, signInPhase, TOTP_STEP_MS } from '../support/auth-phases.js';
import { drain, runFor, type Answer, type LoadClient } from '../support/load-client.js';
import { count, goalSummary, tally, type Tally } from '../support/tally.js';
import { BENCH_PASSWORD, type BenchUser } from './seed.js';

export function codeFor(secret: string, at = Date.now()): string {
  return generateSync({ secret, epoch: Math.floor(at / 1000) });
}

/** What a verify answer was: "accepted", "refused_replay", "refused_wrong_code" or "status_<code>_<error>". */
export function classifyVerify(answer: Answer): string {
  if (answer.status === 200) return 'accepted';
  if (answer.status === 400 && answer.body.error === 'invalid_code')
    return answer.body.reason === 'already_used' ? 'refused_replay' : 'refused_wrong_code';
  return `status_${answer.status}_${String(answer.body.error)}`;
}

/**
 * A. accepted verifies, fixed work (bench/support/auth-phases.ts): every user verifies once, on their
 * own open challenge, with the code of the current step (fresh: no code of theirs was used before).
 */
export function acceptedVerifyPhase(client: LoadClient, users: readonly BenchUser[], workers: number, capMs = Infinity) {
  return freshVerifyPhase(
    users,
    workers,
    async (user) => {
      const challenge = user.challenges.shift();
      if (!challenge) throw new Error(`${user.email} has no open challenge left; seed more`);
      const answer = await client.post(`/v1/auth/challenges/${challenge}/verify`, { method: 'totp', code: codeFor(user.secret) });
      return { key: classifyVerify(answer), ms: answer.ms };
    },
    capMs,
  );
}

/** A user whose code of step `usedAt` was accepted: sending that code again is a replay. */
export interface UsedUser extends BenchUser {
  usedAt: number;
  cursor?: number;
}

/** Signs each user in once now (untimed), so their current code is spent. */
export async function spendCurrentCodes(client: LoadClient, users: readonly BenchUser[], workers: number): Promise<UsedUser[]> {
  const used: UsedUser[] = [];
  await drain(users, workers, async (user) => {
    const at = Date.now();
    const answer = await client.post(`/v1/auth/challenges/${user.challenges.shift()}/verify`, {
      method: 'totp',
      code: codeFor(user.secret, at),
    });
    if (answer.status !== 200) throw new Error(`spending ${user.email}'s code: ${answer.status} ${JSON.stringify(answer.body)}`);
    used.push({ ...user, usedAt: at });
  });
  return used;
}

/**
 * Replays refused (what the old phase A mostly measured): for `ms`, each request sends a user's
 * already-used code on one of the user's open challenges; the server takes an attempt, loads the
 * state, checks the code and refuses it as used, writing nothing else. A used code stays inside the
 * server's window for 30-60 s; a user whose code is about to age out spends the current one (an
 * acceptance, counted as "respent_accepted", not as a replay), which only happens in runs over 30 s.
 */
export async function replayPhase(client: LoadClient, users: UsedUser[], workers: number, ms: number) {
  const t = tally();
  const turn = new Array<number>(workers).fill(0);
  const mine = Array.from({ length: workers }, (_, w) => users.filter((_, i) => i % workers === w));
  const started = performance.now();
  await runFor(ms, workers, async (w) => {
    const list = mine[w]!;
    const user = list[turn[w]!++ % list.length]!;
    user.cursor ??= 0;
    const challenge = user.challenges[user.cursor];
    if (!challenge) throw new Error('the replay phase ran out of seeded challenges; seed more');
    const usedStep = Math.floor(user.usedAt / TOTP_STEP_MS);
    const now = Date.now();
    // The server accepts codes of the step before; stop replaying a step 1 s before it drops out.
    const respend = now >= (usedStep + 2) * TOTP_STEP_MS - 1000;
    const answer = await client.post(`/v1/auth/challenges/${challenge}/verify`, {
      method: 'totp',
      code: codeFor(user.secret, respend ? now : user.usedAt),
    });
    let key = classifyVerify(answer);
    if (respend && answer.status === 200) {
      user.usedAt = now;
      key = 'respent_accepted';
    }
    count(t, key, answer.ms);
    if (answer.status === 200 || answer.status === 410 || (answer.status === 400 && answer.body.attemptsLeft === 0)) user.cursor++;
  });
  return goalSummary(t, (performance.now() - started) / 1000, 'refused_replay');
}

/** B. full sign-ins for `ms` (bench/support/auth-phases.ts): login (argon2id), then verify with a fresh code. */
export function fullSignInPhase(client: LoadClient, pool: readonly BenchUser[], tenant: string, workers: number, ms: number) {
  return signInPhase(pool, workers, ms, async (user) => {
    const begun = performance.now();
    const login = await client.post('/v1/auth/login', { tenant, email: user.email, password: BENCH_PASSWORD });
    if (login.body.status !== 'mfa_required')
      return { key: `login_${login.status}_${String(login.body.error ?? login.body.status)}`, ms: login.ms };
    const verify = await client.post(`/v1/auth/challenges/${String(login.body.challengeId)}/verify`, {
      method: 'totp',
      code: codeFor(user.secret),
    });
    const key = classifyVerify(verify);
    return { key: key === 'accepted' ? 'signed_in' : `verify_${key}`, ms: performance.now() - begun };
  });
}

/** Password sign-ins (login only) as fast as `workers` clients can send them, until `keepGoing` says stop. */
export async function passwordFlood(
  client: LoadClient,
  pool: readonly BenchUser[],
  tenant: string,
  workers: number,
  keepGoing: () => boolean,
): Promise<{ tally: Tally; elapsedSeconds: number }> {
  const t = tally();
  let sent = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      while (keepGoing()) {
        const user = pool[(w * 7919 + sent++) % pool.length]!;
        const login = await client.post('/v1/auth/login', { tenant, email: user.email, password: BENCH_PASSWORD });
        count(t, login.status === 200 ? 'password_ok' : `status_${login.status}_${String(login.body.error)}`, login.ms);
      }
    }),
  );
  return { tally: t, elapsedSeconds: (performance.now() - started) / 1000 };
}

/** How many fresh users a verify phase gets: enough for `seconds` at `perSecond`. */
export function freshUsersFor(seconds: number, perSecond: number): number {
  return Math.max(200, Math.ceil(seconds * perSecond));
}
