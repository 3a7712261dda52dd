/**
 * What support agents type into the user search, shared by bench/admin-search (HTTP) and
 * bench/console-search (keystrokes in the console), so both measure the same mix.
 */
export interface Fragment {
  q: string;
  kind: 'name' | 'email' | 'phone' | 'rare';
}

export interface SampleUser {
  email: string;
  name: string;
  phone: string | null;
}

/**
 * Two-character fragments that few or no users contain: what a support agent types on the way to a
 * longer query ("qj", "s6"). Unbounded, each of these walked every user (issue 8, finding 8).
 */
export const RARE_SHORT = ['qj', 'qx', 'zq', 'xj', 'jq', 'vq', 'q9', 'x3', 's6', 'a7', 'wq', 'qz'];

/**
 * Deterministic fragments: a 2-6 character piece of a name, an email, or phone digits of a real user;
 * and one request in ten a rare two-character fragment.
 */
export function fragmentsFrom(samples: SampleUser[], count: number): Fragment[] {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const out: Fragment[] = [];
  while (out.length < count) {
    if (next() < 0.1) {
      out.push({ q: RARE_SHORT[Math.floor(next() * RARE_SHORT.length)]!, kind: 'rare' });
      continue;
    }
    const user = samples[Math.floor(next() * samples.length)]!;
    const length = 2 + Math.floor(next() * 5);
    const roll = next();
    const source =
      roll < 0.4 ? user.name : roll < 0.8 ? user.email.split('@')[0]! : (user.phone ?? user.name).replace(/\D/g, '') || user.name;
    const kind = roll < 0.4 ? 'name' : roll < 0.8 ? 'email' : user.phone ? 'phone' : 'name';
    if (source.length < length) continue;
    const start = Math.floor(next() * (source.length - length + 1));
    out.push({ q: source.slice(start, start + length), kind });
  }
  return out;
}
