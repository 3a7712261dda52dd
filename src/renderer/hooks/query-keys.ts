import type { ConsoleInput } from '../../shared/console-api';

/** Every react-query key in one place, so invalidation after sign-in/sign-out can't miss one. */
export const queryKeys = {
  session: ['session'] as const,
  /** Everything that belongs to the signed-in operator: removed at sign-out. */
  operatorData: ['operator-data'] as const,
  /** Every search, and every user's page: what a support action may have changed. */
  users: ['operator-data', 'users'] as const,
  userSearch: (query: ConsoleInput<'users:search'>) => ['operator-data', 'users', 'search', query] as const,
  user: (id: string) => ['operator-data', 'users', 'detail', id] as const,
  lockoutsAll: ['operator-data', 'lockouts'] as const,
  lockouts: (query: ConsoleInput<'lockouts:list'>) => ['operator-data', 'lockouts', query] as const,
  signInAlarms: (query: ConsoleInput<'alarms:list'>) => ['operator-data', 'alarms', query] as const,
  /** Push fraud reports: a revoked device changes what they say. */
  pushAlertsAll: ['operator-data', 'push-alerts'] as const,
  pushAlerts: (query: ConsoleInput<'pushAlerts:list'>) => ['operator-data', 'push-alerts', query] as const,
  auditAll: ['operator-data', 'audit'] as const,
  audit: (query: ConsoleInput<'audit:list'>) => ['operator-data', 'audit', query] as const,
  tenants: ['operator-data', 'tenants'] as const,
  operators: ['operator-data', 'operators'] as const,
  /** Shared accounts, their break-ups and the break-up checks: what a flag or a break-up changes. */
  sharedAccountsAll: ['operator-data', 'shared-accounts'] as const,
  sharedAccounts: (query: ConsoleInput<'sharedAccounts:list'>) => ['operator-data', 'shared-accounts', 'list', query] as const,
  breakup: (id: string) => ['operator-data', 'shared-accounts', 'breakup', id] as const,
  breakupCheck: (input: ConsoleInput<'breakups:check'>) => ['operator-data', 'shared-accounts', 'check', input] as const,
  /** Enrollment sheets made and their candidates (never a sheet's key: that lives in the print preview only). */
  sheetsAll: ['operator-data', 'sheets'] as const,
  sheetCandidates: (query: ConsoleInput<'sheets:candidates'>) => ['operator-data', 'sheets', 'candidates', query] as const,
  sheetList: (query: ConsoleInput<'sheets:list'>) => ['operator-data', 'sheets', 'list', query] as const,
};
