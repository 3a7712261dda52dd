import { EventEmitter } from 'node:events';
import type { PushChallengeState } from '../../store/repositories/push-challenges.js';

/**
 * In-process news of push challenges, so a waiting sign-in (Server-Sent Events) hears an approval
 * the moment this instance records it, and an open authenticator hears of a new request. The
 * database stays the truth: the event streams also re-read it every second (push-event-streams.ts),
 * which is how an answer recorded by another instance sharing PostgreSQL arrives.
 */
const bus = new EventEmitter();
bus.setMaxListeners(0);

export interface PushChange {
  pushId: string;
  challengeId: string | null;
  state: PushChallengeState;
}

export function announcePushChange(change: PushChange): void {
  bus.emit(`push:${change.pushId}`, change);
  if (change.challengeId) bus.emit(`challenge:${change.challengeId}`, change);
}

/** Something about a challenge's push changed (another method took over): its listeners re-read it. */
export function announceChallengeChanged(challengeId: string): void {
  bus.emit(`challenge:${challengeId}`, { pushId: '', challengeId, state: 'cancelled' } satisfies PushChange);
}

/** A new request for the user's devices (a push sent, resent or a test approval). */
export function announcePendingPush(userId: string, pushId: string): void {
  bus.emit(`user:${userId}`, pushId);
}

export function onChallengePush(challengeId: string, listener: (change: PushChange) => void): () => void {
  bus.on(`challenge:${challengeId}`, listener);
  return () => bus.off(`challenge:${challengeId}`, listener);
}

export function onPendingPush(userId: string, listener: (pushId: string) => void): () => void {
  bus.on(`user:${userId}`, listener);
  return () => bus.off(`user:${userId}`, listener);
}
