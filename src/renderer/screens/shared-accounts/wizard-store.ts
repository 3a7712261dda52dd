import { create } from 'zustand';
import type { BreakupView } from '../../../shared/api/tenant-admin';
import type { ConsoleErrorCode, ConsoleInput } from '../../../shared/console-api';
import type { memberLocales } from '../../../shared/tenant-admin/member-lines';

export type MemberLocale = (typeof memberLocales)[number];
export type PersonField = 'name' | 'email' | 'phone';
export type WizardStep = 'people' | 'when' | 'preview' | 'progress';
export const wizardSteps: readonly WizardStep[] = ['people', 'when', 'preview', 'progress'];

/** One person as typed in the wizard's table. */
export interface PersonRow {
  /** React's key: stays with the row when rows above it are removed. */
  key: string;
  name: string;
  email: string;
  phone: string;
  /** Null: the shared account's language. */
  locale: MemberLocale | null;
  /** Fields the operator has left (or the whole row, once pasted or left): "required" is said only then. */
  touched: Partial<Record<PersonField, true>>;
}

/** The shared account being broken up, as it was when the wizard opened (it may leave the list later). */
export interface SharedAccountRef {
  id: string;
  name: string;
  email: string;
  tenantId: string;
  tenantName: string;
}

export interface BreakupDraft {
  account: SharedAccountRef;
  /** Made once when the wizard opens and sent with every try: the server finishes the same break-up, never a second one. */
  idempotencyKey: string;
  /** The break-up the account already had when the wizard opened: a newer one is this draft's. */
  earlierBreakupId: string | null;
  step: WizardStep;
  rows: PersonRow[];
  when: 'now' | 'date';
  /** `YYYY-MM-DD` of a date input, in the operator's time zone. */
  date: string;
  ticket: string;
  reason: string;
  /** What was sent, exactly: "Finish the rest" sends it again unchanged (same key, same people, same date). */
  sent: ConsoleInput<'breakups:run'> | null;
  result: BreakupView | null;
  /** The server refused the list when it was sent (a problem it found since the check): nothing was created. */
  refused: boolean;
  /** A try is on its way (kept here, not in the component: the operator may look elsewhere meanwhile). */
  running: boolean;
  /** Why the last try's call failed (the server may still have created some: the list says what). */
  runError: { code: ConsoleErrorCode; detail: string } | null;
}

let rowCounter = 0;
export function newRow(fields: Partial<Pick<PersonRow, 'name' | 'email' | 'phone' | 'locale'>> = {}, touched = false): PersonRow {
  rowCounter += 1;
  return {
    key: `row-${rowCounter}`,
    name: fields.name ?? '',
    email: fields.email ?? '',
    phone: fields.phone ?? '',
    locale: fields.locale ?? null,
    touched: touched ? { name: true, email: true, phone: true } : {},
  };
}

/** A key the server accepts (16-64 of A-Z a-z 0-9 - _), from the platform's random source. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
}

interface WizardState {
  /** Whose drafts these are (server and operator): another operator starts with none. */
  owner: string | null;
  /** The shared account whose wizard is open, if one is. */
  openId: string | null;
  drafts: Record<string, BreakupDraft>;
  claim(owner: string): void;
  /** Opens the account's wizard: the draft it had, else a new one (a new idempotency key) disabling on `defaultDay`. */
  open(account: SharedAccountRef, earlierBreakupId: string | null, defaultDay: string): void;
  close(): void;
  /** Forgets a draft (a finished break-up, once the operator leaves it). */
  discard(id: string): void;
  update(id: string, change: Partial<BreakupDraft> | ((draft: BreakupDraft) => Partial<BreakupDraft>)): void;
}

/**
 * The break-up wizards of this console window, kept while the operator looks at other sections:
 * a draft (and, above all, its idempotency key) must outlive a detour, so that "Finish the rest"
 * still finishes the same break-up. UI state only; the server's view of a break-up is re-read.
 */
export const useWizardStore = create<WizardState>()((set) => ({
  owner: null,
  openId: null,
  drafts: {},
  claim: (owner) => set((state) => (state.owner === owner ? state : { owner, openId: null, drafts: {} })),
  open: (account, earlierBreakupId, defaultDay) =>
    set((state) => {
      if (state.drafts[account.id]) return { openId: account.id };
      const draft: BreakupDraft = {
        account,
        idempotencyKey: newIdempotencyKey(),
        earlierBreakupId,
        step: 'people',
        rows: [newRow()],
        when: 'date',
        date: defaultDay,
        ticket: '',
        reason: '',
        sent: null,
        result: null,
        refused: false,
        running: false,
        runError: null,
      };
      return { openId: account.id, drafts: { ...state.drafts, [account.id]: draft } };
    }),
  close: () => set({ openId: null }),
  discard: (id) =>
    set((state) => {
      const drafts = { ...state.drafts };
      delete drafts[id];
      return { drafts, openId: state.openId === id ? null : state.openId };
    }),
  update: (id, change) =>
    set((state) => {
      const draft = state.drafts[id];
      if (!draft) return state;
      const patch = typeof change === 'function' ? change(draft) : change;
      return { drafts: { ...state.drafts, [id]: { ...draft, ...patch } } };
    }),
}));
