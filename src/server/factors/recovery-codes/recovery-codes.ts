import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../crypto/tokens.js';
import { withoutSeparators } from '../../../shared/typed-code.js';

/** Crockford base32: no I, L, O, U, so a code read off paper is typed back right. */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
/** 25 symbols x 5 bits = 125 bits: above the 112 bits that let a lookup secret be stored with a plain hash (OWASP ASVS 5.0 6.5.2). */
const SYMBOLS = 25;

/** A fresh code, shown as five groups of five: "7K2QM-9XZ3P-...". */
export function newRecoveryCode(): string {
  const bytes = randomBytes(SYMBOLS);
  let out = '';
  for (let i = 0; i < SYMBOLS; i++) {
    out += ALPHABET[bytes[i]! & 31];
    if (i % 5 === 4 && i < SYMBOLS - 1) out += '-';
  }
  return out;
}

/**
 * What the user typed, in canonical form: case, spaces and dashes (an en dash, a no-break space from
 * a document too) don't matter, nor where the groups break; O/I/L read as 0/1/1 (Crockford). The
 * code's 125 bits are all still asked for: only what carries nothing is dropped.
 */
export function normalizeRecoveryCode(input: string): string {
  return withoutSeparators(input.toUpperCase()).replace(/O/g, '0').replace(/[IL]/g, '1');
}

export function looksLikeRecoveryCode(input: string): boolean {
  const normalized = normalizeRecoveryCode(input);
  return normalized.length === SYMBOLS && [...normalized].every((ch) => ALPHABET.includes(ch));
}

export function hashRecoveryCode(input: string): string {
  return sha256Hex(`recovery:${normalizeRecoveryCode(input)}`);
}
