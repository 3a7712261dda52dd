import { create } from 'zustand';
import type { MessageKey } from '../i18n/catalogs';

export const sections = ['users', 'lockouts', 'shared', 'enrollment', 'audit'] as const;
export type Section = (typeof sections)[number];

/** The audit screen's filters: kept here so a user page can open the trail already filtered to them. */
export interface AuditFilters {
  user: { id: string; label: string } | null;
  actorId: string;
  action: string;
  /** `datetime-local` values, in the operator's time zone. */
  from: string;
  to: string;
}

export const noAuditFilters: AuditFilters = { user: null, actorId: '', action: '', from: '', to: '' };

/** UI state only (what is shown), never server data: that lives in react-query. */
interface UiState {
  section: Section;
  /** The user whose page is open over the users list (or opened from a lockout or the audit trail). */
  openUserId: string | null;
  auditFilters: AuditFilters;
  /** The ticket of the operator's last action and whom it was for: the next dialog for the same starts with it. */
  lastTicket: { subject: string; ticket: string } | null;
  /** The operator chose "Change server" on the sign-in screen. */
  changingServer: boolean;
  toast: MessageKey | null;
  showSection(section: Section): void;
  openUser(id: string | null): void;
  setAuditFilters(filters: AuditFilters): void;
  setLastTicket(ticket: { subject: string; ticket: string } | null): void;
  /** At sign-out or a change of operator: nothing of the last operator's work stays on screen. */
  resetOperatorState(): void;
  setChangingServer(changing: boolean): void;
  showToast(message: MessageKey | null): void;
}

export const useUiStore = create<UiState>()((set) => ({
  section: 'users',
  openUserId: null,
  auditFilters: noAuditFilters,
  lastTicket: null,
  changingServer: false,
  toast: null,
  showSection: (section) => set({ section, openUserId: null }),
  openUser: (openUserId) => set({ section: 'users', openUserId }),
  setAuditFilters: (auditFilters) => set({ auditFilters }),
  setLastTicket: (lastTicket) => set({ lastTicket }),
  setChangingServer: (changingServer) => set({ changingServer }),
  resetOperatorState: () => set({ section: 'users', openUserId: null, auditFilters: noAuditFilters, lastTicket: null }),
  showToast: (toast) => set({ toast }),
}));
