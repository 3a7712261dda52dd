import { describe, expect, it } from 'vitest';
import { checkTotpCode, newTotpSecret, totpUri } from '../../../../src/server/factors/totp/totp-codes.js';

const ascii = (text: string) => new TextEncoder().encode(text);

/** RFC 6238 Appendix B: the seeds are ASCII "1234567890" repeated to the hash's key length; 8 digits. */
const seeds = {
  sha1: ascii('12345678901234567890'),
  sha256: ascii('12345678901234567890123456789012'),
  sha512: ascii('1234567890123456789012345678901234567890123456789012345678901234'),
};
const vectors: Array<[number, string, keyof typeof seeds]> = [
  [59, '94287082', 'sha1'],
  [59, '46119246', 'sha256'],
  [59, '90693936', 'sha512'],
  [1111111109, '07081804', 'sha1'],
  [1111111109, '68084774', 'sha256'],
  [1111111109, '25091201', 'sha512'],
  [1111111111, '14050471', 'sha1'],
  [1111111111, '67062674', 'sha256'],
  [1111111111, '99943326', 'sha512'],
  [1234567890, '89005924', 'sha1'],
  [1234567890, '91819424', 'sha256'],
  [1234567890, '93441116', 'sha512'],
  [2000000000, '69279037', 'sha1'],
  [2000000000, '90698825', 'sha256'],
  [2000000000, '38618901', 'sha512'],
  [20000000000, '65353130', 'sha1'],
  [20000000000, '77737706', 'sha256'],
  [20000000000, '47863826', 'sha512'],
];

describe('TOTP (RFC 6238)', () => {
  it.each(vectors)('at T=%i the code is %s (%s)', (seconds, code, algorithm) => {
    const result = checkTotpCode({ secret: seeds[algorithm], code, at: seconds * 1000, algorithm, digits: 8 });
    expect(result).toEqual({ valid: true, step: Math.floor(seconds / 30) });
  });

  it('accepts one step of drift either side and nothing further', () => {
    const at = 1111111109_000;
    const check = (offsetSeconds: number) =>
      checkTotpCode({ secret: seeds.sha1, code: '07081804', at: at + offsetSeconds * 1000, digits: 8 }).valid;
    expect(check(-30)).toBe(true);
    expect(check(30)).toBe(true);
    expect(check(-90)).toBe(false);
    expect(check(90)).toBe(false);
  });

  it('refuses a code whose step was already used (replay)', () => {
    const at = 1234567890_000;
    const first = checkTotpCode({ secret: seeds.sha1, code: '89005924', at, digits: 8 });
    expect(first.valid).toBe(true);
    const step = first.valid ? first.step : 0;
    expect(checkTotpCode({ secret: seeds.sha1, code: '89005924', at, digits: 8, afterStep: step }).valid).toBe(false);
    expect(checkTotpCode({ secret: seeds.sha1, code: '89005924', at, digits: 8, afterStep: step - 1 }).valid).toBe(true);
  });

  it('refuses codes of the wrong shape without throwing', () => {
    for (const code of ['', '12345', '1234567', 'abcdef', '12 456', '１２３４５６']) {
      expect(checkTotpCode({ secret: newTotpSecret(), code, at: Date.now() }).valid).toBe(false);
    }
  });

  it('makes 160-bit secrets and an otpauth URI apps understand', () => {
    const secret = newTotpSecret();
    expect(secret).toMatch(/^[A-Z2-7]{32}$/);
    const uri = new URL(totpUri(secret, 'Acme AS', 'ada@acme.test'));
    expect(uri.protocol).toBe('otpauth:');
    expect(uri.host).toBe('totp');
    expect(decodeURIComponent(uri.pathname)).toBe('/Acme AS:ada@acme.test');
    expect(uri.searchParams.get('secret')).toBe(secret);
    expect(uri.searchParams.get('issuer')).toBe('Acme AS');
  });
});
