import { generateSecret, generateURI, verifySync, type HashAlgorithm } from 'otplib';
import { nodeCryptoPlugin } from './node-crypto-plugin.js';

/** RFC 6238 parameters every mainstream authenticator app (Google Authenticator included) supports. */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** 20 bytes = 160 bits, the HMAC-SHA1 block-size-matched length RFC 4226 section 4 recommends. */
export const TOTP_SECRET_BYTES = 20;

export function newTotpSecret(): string {
  return generateSecret({ length: TOTP_SECRET_BYTES, crypto: nodeCryptoPlugin });
}

export function totpUri(secret: string, issuer: string, accountLabel: string): string {
  return generateURI({ issuer, label: accountLabel, secret, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS });
}

export interface TotpCheck {
  secret: string | Uint8Array;
  code: string;
  /** Now, in epoch milliseconds. */
  at: number;
  /** The highest step already used; codes at or before it are replays. */
  afterStep?: number | null;
  algorithm?: HashAlgorithm;
  digits?: 6 | 7 | 8;
}

/**
 * Checks a code against the current step and one step either side (clock drift of up to 30 s, as
 * RFC 6238 section 5.2 suggests). Returns the matched time step, which the caller must record
 * atomically to refuse the same code again.
 */
export function checkTotpCode(check: TotpCheck): { valid: true; step: number } | { valid: false } {
  const digits = check.digits ?? TOTP_DIGITS;
  if (!new RegExp(`^\\d{${digits}}$`).test(check.code)) return { valid: false };
  const result = verifySync({
    strategy: 'totp',
    crypto: nodeCryptoPlugin,
    token: check.code,
    secret: check.secret,
    algorithm: check.algorithm ?? 'sha1',
    digits,
    period: TOTP_PERIOD_SECONDS,
    epoch: Math.floor(check.at / 1000),
    epochTolerance: TOTP_PERIOD_SECONDS,
    ...(check.afterStep != null ? { afterTimeStep: check.afterStep } : {}),
  });
  // The functional API answers for HOTP too; only the TOTP result carries the time step.
  return result.valid && 'timeStep' in result ? { valid: true, step: result.timeStep } : { valid: false };
}
