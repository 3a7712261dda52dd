import { describe, expect, it } from 'vitest';
import {
  hashRecoveryCode,
  looksLikeRecoveryCode,
  newRecoveryCode,
  normalizeRecoveryCode,
} from '../../../../src/server/factors/recovery-codes/recovery-codes.js';

describe('recovery codes', () => {
  it('are five groups of five Crockford base32 symbols (125 bits)', () => {
    const codes = new Set(Array.from({ length: 2000 }, newRecoveryCode));
    expect(codes.size).toBe(2000);
    for (const code of codes) expect(code).toMatch(/^([0-9A-HJKMNP-TV-Z]{5}-){4}[0-9A-HJKMNP-TV-Z]{5}$/);
  });

  it('are recognised however the user types them', () => {
    const code = newRecoveryCode();
    const sloppy = ` ${code.toLowerCase().replace(/-/g, ' ')} `;
    expect(looksLikeRecoveryCode(sloppy)).toBe(true);
    expect(hashRecoveryCode(sloppy)).toBe(hashRecoveryCode(code));
    expect(normalizeRecoveryCode('O1IL-o')).toBe('0111' + '0');
  });

  it('hash to different values and never contain the code', () => {
    const code = newRecoveryCode();
    expect(hashRecoveryCode(code)).toMatch(/^[0-9a-f]{64}$/);
    expect(hashRecoveryCode(code)).not.toContain(normalizeRecoveryCode(code));
    expect(hashRecoveryCode(newRecoveryCode())).not.toBe(hashRecoveryCode(code));
  });

  it('reject things that are not codes', () => {
    for (const input of ['', '123456', 'u'.repeat(25), `${newRecoveryCode()}A`]) expect(looksLikeRecoveryCode(input)).toBe(false);
  });
});
