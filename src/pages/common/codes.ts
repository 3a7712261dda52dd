/**
 * Codes and keys as people type, read and scan them, for every page that sends or shows one. Pure
 * (no DOM), so test/pages/codes.test.ts runs it in Node.
 */

import { withoutSeparators } from '../../shared/typed-code.js';

/** What people type for a code ("123 456", "123-456", "123–456", pasted with spaces), read the one way the server reads it. */
export function normaliseCode(typed: string): string {
  return withoutSeparators(typed);
}

/** The six digits of an authenticator-app or SMS code as typed, or null when what was typed is not six digits. */
export function sixDigits(typed: string): string | null {
  const code = normaliseCode(typed);
  return /^\d{6}$/.test(code) ? code : null;
}

/** A base32 key in groups of four, for typing by hand ("JBSW Y3DP EHPK 3PXP"). */
export function groupsOfFour(secret: string): string {
  return (
    secret
      .replace(/\s+/g, '')
      .match(/.{1,4}/g)
      ?.join(' ') ?? secret
  );
}

/** An SVG as a data: URL (the pages' policy allows images from data:, never inline markup or script). */
export function svgDataUrl(svg: string): string {
  let binary = '';
  for (const byte of new TextEncoder().encode(svg)) binary += String.fromCharCode(byte);
  return `data:image/svg+xml;base64,${btoa(binary)}`;
}
