import { describe, expect, it } from 'vitest';
import { takeBridgeSecret } from '../../src/renderer/bridge/http-bridge';

/** Just enough of Location, Storage and History for the secret hand-over. */
function page(hash: string) {
  const store = new Map<string, string>();
  const replaced: string[] = [];
  const location = { hash, pathname: '/', search: '' } as Location;
  const storage = { getItem: (key: string) => store.get(key) ?? null, setItem: (key: string, value: string) => void store.set(key, value) } as Storage;
  const history = { replaceState: (_state: unknown, _title: string, url: string) => void replaced.push(url) } as History;
  return { location, storage, history, replaced };
}

describe('browser host secret hand-over', () => {
  const secret = 'IdM58h5AlNzBckEWa2M54qY_CaoJ1AuIKtM_YMGETsM';

  it('moves the secret from the fragment into session storage and clears the address bar', () => {
    const p = page(`#bridge=${secret}`);
    expect(takeBridgeSecret(p.location, p.storage, p.history)).toBe(secret);
    expect(p.replaced).toEqual(['/']);
    // A reload (no fragment any more) finds it again.
    expect(takeBridgeSecret({ ...p.location, hash: '' }, p.storage, p.history)).toBe(secret);
  });

  it('has no secret without the launch link', () => {
    const p = page('');
    expect(takeBridgeSecret(p.location, p.storage, p.history)).toBeNull();
    expect(takeBridgeSecret(page('#bridge=short').location, p.storage, p.history)).toBeNull();
  });
});
