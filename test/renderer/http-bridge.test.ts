import { describe, expect, it } from 'vitest';
import { takeBridgeSecret } from '../../src/renderer/bridge/http-bridge';

/** Just enough of Location, Storage and History for the secret hand-over. */
function page(hash: string) {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  const location = { hash, pathname: '/', search: '' } as Location;
  const storage = {
    getItem: (key: string) => store.get(key) ?? null,
    setItem: (key: string, value: string) => void store.set(key, value),
  } as Storage;
  const history = { replaceState: (_state: unknown, _title: string, url: string) => void replaced.push(url) } as History;
  return { location, storage, history, replaced };
}

describe('browser host secret hand-over', () => {
  const secret = 'IdM58h5AlNzBckEWa2M54qY_CaoJ1AuIKtM_YMGETsM';
  const code = 'Lc9mQ2xY7vT4pR1sW8kJ3nB6hF0dG5aZ2eU9iO4yK1q';

  it('trades the launch code for the secret once, keeps the secret in session storage and clears the address bar', async () => {
    const p = page(`#launch=${code}`);
    const redeemed: string[] = [];
    const redeem = async (c: string) => (redeemed.push(c), secret);
    expect(await takeBridgeSecret(p.location, p.storage, p.history, redeem)).toBe(secret);
    expect(redeemed).toEqual([code]);
    expect(p.replaced).toEqual(['/']);
    // A reload (no fragment any more) finds it again without asking the host.
    expect(await takeBridgeSecret({ ...p.location, hash: '' }, p.storage, p.history, redeem)).toBe(secret);
    expect(redeemed).toHaveLength(1);
  });

  it('has no secret without the launch link, or when the host refuses the code', async () => {
    const p = page('');
    const never = async () => null;
    expect(await takeBridgeSecret(p.location, p.storage, p.history, never)).toBeNull();
    expect(await takeBridgeSecret(page('#launch=short').location, p.storage, p.history, never)).toBeNull();
    expect(await takeBridgeSecret(page(`#launch=${code}`).location, p.storage, p.history, never)).toBeNull();
  });
});
