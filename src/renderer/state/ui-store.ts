import { create } from 'zustand';
import type { MessageKey } from '../i18n/catalogs';

export const sections = ['users', 'lockouts', 'shared', 'enrollment', 'audit'] as const;
export type Section = (typeof sections)[number];

/** UI state only (what is shown), never server data: that lives in react-query. */
interface UiState {
  section: Section;
  /** The operator chose "Change server" on the sign-in screen. */
  changingServer: boolean;
  toast: MessageKey | null;
  showSection(section: Section): void;
  setChangingServer(changing: boolean): void;
  showToast(message: MessageKey | null): void;
}

export const useUiStore = create<UiState>()((set) => ({
  section: 'users',
  changingServer: false,
  toast: null,
  showSection: (section) => set({ section }),
  setChangingServer: (changingServer) => set({ changingServer }),
  showToast: (toast) => set({ toast }),
}));
