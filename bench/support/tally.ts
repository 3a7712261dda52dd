import { percentile } from './load-client.js';

/** What one phase saw: every answer's latency and kind ("accepted", "refused_replay", "status_500_..."). */
export interface Tally {
  latencies: number[];
  answers: Map<string, number>;
}

export const tally = (): Tally => ({ latencies: [], answers: new Map() });

export function count(t: Tally, key: string, ms: number): void {
  t.latencies.push(ms);
  t.answers.set(key, (t.answers.get(key) ?? 0) + 1);
}

export interface PhaseSummary {
  requests: number;
  /** The phase's wall time: the timed window, or (fixed work) the first request to the last answer. */
  elapsedSeconds: number;
  /** All requests (of any answer) per second of elapsedSeconds. */
  perSecond: number;
  p50ms: number;
  p95ms: number;
  p99ms: number;
  /** Every answer by kind: what was counted and what was not. */
  answers: Record<string, number>;
}

export function summary(t: Tally, elapsedSeconds: number): PhaseSummary {
  const sorted = [...t.latencies].sort((a, b) => a - b);
  return {
    requests: sorted.length,
    elapsedSeconds: +elapsedSeconds.toFixed(3),
    perSecond: Math.round(sorted.length / elapsedSeconds),
    p50ms: +percentile(sorted, 50).toFixed(2),
    p95ms: +percentile(sorted, 95).toFixed(2),
    p99ms: +percentile(sorted, 99).toFixed(2),
    answers: Object.fromEntries(t.answers),
  };
}

/**
 * A phase whose every request should end in `goal` ("accepted", "signed_in"): the rate of those alone,
 * and how many answers were anything else (0, or the rate is not the work it claims to be).
 */
export function goalSummary(
  t: Tally,
  elapsedSeconds: number,
  goal: string,
): PhaseSummary & { goal: string; goalCount: number; goalPerSecond: number; otherAnswers: number } {
  const s = summary(t, elapsedSeconds);
  const goalCount = s.answers[goal] ?? 0;
  return { ...s, goal, goalCount, goalPerSecond: +(goalCount / elapsedSeconds).toFixed(1), otherAnswers: s.requests - goalCount };
}

/** One line for the console: "1,691/s accepted (p50 ... p99 ...), 0 other answers". */
export function describe(s: PhaseSummary & { goal?: string; goalPerSecond?: number; otherAnswers?: number }): string {
  const rate = s.goal ? `${s.goalPerSecond!.toLocaleString('en-US')}/s ${s.goal}` : `${s.perSecond.toLocaleString('en-US')}/s`;
  const others = s.goal
    ? `; other answers: ${s.otherAnswers}${s.otherAnswers ? ` ${JSON.stringify(s.answers)}` : ''}`
    : `; answers ${JSON.stringify(s.answers)}`;
  return `${rate} (${s.requests} requests in ${s.elapsedSeconds.toFixed(2)} s; p50 ${s.p50ms} ms, p95 ${s.p95ms} ms, p99 ${s.p99ms} ms)${others}`;
}
