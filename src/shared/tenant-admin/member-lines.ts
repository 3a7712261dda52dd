import { z } from 'zod';
import { readMobileNumber } from '../phone.js';

/**
 * The people behind a shared account, as a tenant admin types or pastes them into the break-up
 * wizard. One reading for the console (each line checked as it is typed) and the server (which
 * checks again, and adds what only it knows: emails already in use). Pure.
 */

export const memberLocales = ['en', 'nb', 'de'] as const;

/** One line as typed: nothing is refused here, so every problem can be shown beside its field. */
export const memberLine = z.strictObject({
  name: z.string().max(300),
  email: z.string().max(300),
  /** Optional: a number the person confirms by SMS when they enrol. Empty: none. */
  phone: z.string().max(64).default(''),
  /** The invitation's language; the shared account's when left out. */
  locale: z.enum(memberLocales).optional(),
});
export type MemberLine = z.input<typeof memberLine>;

export const memberProblemCodes = [
  'name_required',
  'email_required',
  'invalid_email',
  'duplicate_in_list',
  /** The shared account's own address: the people get addresses of their own. */
  'same_as_shared',
  /** Another account of this tenant has it (the server knows). */
  'email_in_tenant',
  /** An account of another organisation has it (the server knows; which one is not said). */
  'email_in_other_tenant',
  'invalid_phone',
  'not_mobile',
  /** The tenant does not send SMS to that country (the server knows). */
  'sms_country_not_allowed',
] as const;
export type MemberProblemCode = (typeof memberProblemCodes)[number];

export const memberProblem = z.object({ field: z.enum(['name', 'email', 'phone']), code: z.enum(memberProblemCodes) });
export type MemberProblem = z.infer<typeof memberProblem>;

export interface CheckedMember {
  name: string;
  /** Trimmed, lower case. */
  email: string;
  /** E.164, or null when none was given or it does not read. */
  phone: string | null;
  phoneCallingCode: string | null;
  locale: (typeof memberLocales)[number] | undefined;
  problems: MemberProblem[];
}

/** A deliberately plain address check (one @, a dot in the domain, no spaces): the invitation proves it. */
const emailShape = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * What can be told from the lines alone: required fields, shapes, the phone, duplicates in the list.
 * `country`: the tenant's (policy `country`), so a phone typed the national way reads as there.
 */
export function checkMemberLines(lines: readonly MemberLine[], sharedEmail: string, country: string | undefined): CheckedMember[] {
  const shared = sharedEmail.trim().toLowerCase();
  const seen = new Map<string, number>();
  for (const line of lines) {
    const email = line.email.trim().toLowerCase();
    if (email) seen.set(email, (seen.get(email) ?? 0) + 1);
  }
  return lines.map((line) => {
    const problems: MemberProblem[] = [];
    const name = line.name.trim().replace(/\s+/g, ' ');
    const email = line.email.trim().toLowerCase();
    if (!name) problems.push({ field: 'name', code: 'name_required' });
    if (!email) problems.push({ field: 'email', code: 'email_required' });
    else if (!emailShape.test(email) || email.length > 254) problems.push({ field: 'email', code: 'invalid_email' });
    else if (email === shared) problems.push({ field: 'email', code: 'same_as_shared' });
    else if ((seen.get(email) ?? 0) > 1) problems.push({ field: 'email', code: 'duplicate_in_list' });
    let phone: string | null = null;
    let phoneCallingCode: string | null = null;
    const typed = (line.phone ?? '').trim();
    if (typed) {
      const reading = readMobileNumber(typed, country);
      if (reading.ok) {
        phone = reading.e164;
        phoneCallingCode = reading.countryCallingCode;
      } else problems.push({ field: 'phone', code: reading.problem });
    }
    return { name, email, phone, phoneCallingCode, locale: line.locale, problems };
  });
}

/**
 * Lines pasted from a spreadsheet (tab-separated, as every spreadsheet copies) or typed with `;` or
 * `,` between the fields: name, email, phone, in any order of columns the cells make plain (the one
 * with an @ is the email, the one of digits the phone, the rest the name). A header row is skipped.
 */
export function parsePastedMembers(text: string): MemberLine[] {
  const rows = text
    .split(/\r?\n/)
    .map((row) => row.trim())
    .filter(Boolean);
  const lines: MemberLine[] = [];
  for (const row of rows) {
    const separator = row.includes('\t') ? '\t' : row.includes(';') ? ';' : ',';
    const cells = row
      .split(separator)
      .map((cell) => cell.trim().replace(/^"(.*)"$/, '$1'))
      .filter(Boolean);
    const email = cells.find((cell) => cell.includes('@')) ?? '';
    const phone = cells.find((cell) => cell !== email && /^[+(]?[\d\s().-]{5,}$/.test(cell)) ?? '';
    const name = cells.filter((cell) => cell !== email && cell !== phone).join(' ');
    if (!email && isHeader(cells)) continue;
    lines.push({ name, email, phone });
  }
  return lines;
}

const headerWords = new Set(['name', 'navn', 'email', 'e-mail', 'e-post', 'epost', 'phone', 'telefon', 'mobil', 'mobile', 'handy']);
function isHeader(cells: string[]): boolean {
  return cells.length > 0 && cells.every((cell) => headerWords.has(cell.toLowerCase()));
}
