/**
 * A code as people type or paste it: "123 456", "123-456", " 123 456 ", "123–456" (an en dash from
 * a text that set the code). What separates the groups carries nothing, so the server, the console
 * and the pages drop it before reading the code. Pure, and without zod: the authenticator PWA uses it.
 */

/** Whitespace (the no-break and thin spaces of formatted text too), the hyphen, the Unicode dashes U+2010-2015 and the minus sign. */
const separators = /[\s\u2010-\u2015\u2212-]/g;

/** The code without what separates its groups. */
export function withoutSeparators(typed: string): string {
  return typed.replace(separators, '');
}

/**
 * A code for a sign-in challenge, which is six digits (the app, an SMS) or a recovery code: six
 * digits once the separators are gone are read as those digits; anything else stays as typed
 * (trimmed), for the recovery-code factor's own reading (recovery-codes.ts) or to count as wrong.
 */
export function readChallengeCode(typed: string): string {
  const digits = withoutSeparators(typed);
  return /^\d{6}$/.test(digits) ? digits : typed.trim();
}
