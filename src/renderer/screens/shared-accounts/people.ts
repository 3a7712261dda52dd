import type { BreakupCheckAnswer } from '../../../shared/api/tenant-admin';
import { checkMemberLines, type MemberLine, type MemberProblem, type MemberProblemCode } from '../../../shared/tenant-admin/member-lines';
import type { MemberLocale, PersonField, PersonRow } from './wizard-store';

/** What only the server can tell (it knows every account and the tenant's SMS countries). */
const serverOnly: ReadonlySet<MemberProblemCode> = new Set(['email_in_tenant', 'email_in_other_tenant', 'sms_country_not_allowed']);
const requiredCodes: ReadonlySet<MemberProblemCode> = new Set(['name_required', 'email_required']);

export function isBlank(row: PersonRow): boolean {
  return !row.name.trim() && !row.email.trim() && !row.phone.trim();
}

/** The line the server gets for a row: the language always said (the shared account's, unless chosen). */
export function lineOf(row: PersonRow, sharedLocale: MemberLocale | undefined): MemberLine {
  const locale = row.locale ?? sharedLocale;
  return { name: row.name, email: row.email, phone: row.phone, ...(locale ? { locale } : {}) };
}

export interface RowReading {
  row: PersonRow;
  /** Index among the rows that are sent (blank rows are not), or -1 for a blank row. */
  position: number;
  /** E.164, when the phone reads. */
  phone: string | null;
  /** Every problem the row has now. */
  problems: MemberProblem[];
  /** The problems to show beside each field now (a required field's only once it was left). */
  shown: Partial<Record<PersonField, MemberProblemCode[]>>;
}

export interface PeopleReading {
  rows: RowReading[];
  /** The lines to send, blank rows left out. */
  lines: MemberLine[];
  /** Problems in the rows to send, shown or not yet. */
  problemCount: number;
  /** The rows with at least one problem. */
  rowsWithProblems: number;
}

/**
 * Every row read at once: the checks the console can make itself (checkMemberLines: required
 * fields, shapes, the phone, duplicates in the list), plus what the server said. `country` is the
 * tenant's (from the tenants list), so a phone typed the national way reads as the server reads it.
 * `check` is the server's answer and `checkedLines` the lines it answered for: when they are the
 * lines now, its problems are taken as they are; an older answer still counts for the emails and
 * phones it named.
 */
export function readPeople(
  rows: readonly PersonRow[],
  sharedEmail: string,
  sharedLocale: MemberLocale | undefined,
  country: string | undefined,
  check: BreakupCheckAnswer | undefined,
  checkedLines: readonly MemberLine[] | undefined,
): PeopleReading {
  const sent = rows.filter((row) => !isBlank(row));
  const lines = sent.map((row) => lineOf(row, sharedLocale));
  const local = checkMemberLines(lines, sharedEmail, country);
  const fresh = check !== undefined && checkedLines !== undefined && sameLines(lines, checkedLines);
  const byEmail = new Map<string, MemberProblem[]>();
  const byPhone = new Map<string, MemberProblem[]>();
  for (const member of check?.members ?? []) {
    for (const problem of member.problems) {
      if (!serverOnly.has(problem.code)) continue;
      if (problem.field === 'email' && member.email) push(byEmail, member.email.trim().toLowerCase(), problem);
      if (problem.field === 'phone' && member.phone) push(byPhone, member.phone, problem);
    }
  }
  let problemCount = 0;
  let rowsWithProblems = 0;
  let position = 0;
  const readings = rows.map((row): RowReading => {
    if (isBlank(row)) return { row, position: -1, phone: null, problems: [], shown: {} };
    const index = position++;
    const checked = local[index]!;
    const problems = [...checked.problems];
    const add = (problem: MemberProblem) => {
      if (!problems.some((p) => p.field === problem.field && p.code === problem.code)) problems.push(problem);
    };
    if (fresh) for (const problem of check.members[index]?.problems ?? []) add(problem);
    for (const problem of byEmail.get(checked.email) ?? []) add(problem);
    if (checked.phone) for (const problem of byPhone.get(checked.phone) ?? []) add(problem);
    const shown: RowReading['shown'] = {};
    for (const problem of problems) {
      if (requiredCodes.has(problem.code) && !row.touched[problem.field]) continue;
      (shown[problem.field] ??= []).push(problem.code);
    }
    problemCount += problems.length;
    if (problems.length) rowsWithProblems += 1;
    return { row, position: index, phone: checked.phone, problems, shown };
  });
  return { rows: readings, lines, problemCount, rowsWithProblems };
}

export function sameLines(a: readonly MemberLine[], b: readonly MemberLine[]): boolean {
  return (
    a.length === b.length &&
    a.every((line, i) => {
      const other = b[i]!;
      return (
        line.name === other.name && line.email === other.email && (line.phone ?? '') === (other.phone ?? '') && line.locale === other.locale
      );
    })
  );
}

function push<K>(map: Map<K, MemberProblem[]>, key: K, problem: MemberProblem) {
  const list = map.get(key);
  if (list) list.push(problem);
  else map.set(key, [problem]);
}

/** `YYYY-MM-DD` of a day `days` from today, in the operator's time zone (what a date input holds). */
export function localDay(days: number, from = new Date()): string {
  const day = new Date(from.getFullYear(), from.getMonth(), from.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${day.getFullYear()}-${pad(day.getMonth() + 1)}-${pad(day.getDate())}`;
}

/** The start of that day in the operator's time zone, as the ISO time the server takes. */
export function startOfLocalDay(day: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const date = new Date(Number(match[1]), Number(match[2]) - 1, Number(match[3]));
  return Number.isNaN(date.getTime()) ? null : date.toISOString();
}
