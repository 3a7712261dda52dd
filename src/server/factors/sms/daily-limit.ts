/**
 * Sign-in SMS codes left today. At the limit none is: the next request would lock the account. A
 * count past the limit is the one that locked it; sign-in is answered at all only once that lock is
 * over, and then the count starts again (challenge.ts), so the whole limit is left.
 */
export function loginSmsLeft(limit: number, sentToday: number): number {
  return sentToday > limit ? limit : limit - sentToday;
}
