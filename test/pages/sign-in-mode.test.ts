import { describe, expect, it } from 'vitest';
import { pageMode } from '../../src/pages/sign-in/mode.js';

/** The hosted sign-in reads from its address whether it is /sign-in or the OpenID Provider's interaction page. */
describe('the sign-in page’s mode', () => {
  it('is the standalone sign-in at /sign-in, with the API before it', () => {
    expect(pageMode('/sign-in')).toEqual({ kind: 'sign-in', apiBase: '' });
    expect(pageMode('/sign-in/')).toEqual({ kind: 'sign-in', apiBase: '' });
    expect(pageMode('/mfa/sign-in')).toEqual({ kind: 'sign-in', apiBase: '/mfa' });
  });

  it('is an interaction at /interaction/<uid>, under any base path', () => {
    expect(pageMode('/interaction/abcDEF_123-xyz')).toEqual({ kind: 'interaction', apiBase: '', uid: 'abcDEF_123-xyz' });
    expect(pageMode('/auth/mfa/interaction/abcDEF_123-xyz/')).toEqual({
      kind: 'interaction',
      apiBase: '/auth/mfa',
      uid: 'abcDEF_123-xyz',
    });
  });

  it('is the account page at /account/, under any base path', () => {
    expect(pageMode('/account/')).toEqual({ kind: 'account', apiBase: '' });
    expect(pageMode('/auth/mfa/account/')).toEqual({ kind: 'account', apiBase: '/auth/mfa' });
    // Only the folder is the account page (the server sends /account there); a path under it is not.
    expect(pageMode('/account/devices').kind).toBe('sign-in');
  });

  it('does not take what is not an interaction id for one', () => {
    expect(pageMode('/interaction/short').kind).toBe('sign-in');
    expect(pageMode('/interaction/abcDEF_123-xyz/details').kind).toBe('sign-in');
    expect(pageMode('/interaction/abc%2FDEF_123-xyz').kind).toBe('sign-in');
  });
});
