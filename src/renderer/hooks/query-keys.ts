import type { ConsoleInput } from '../../shared/console-api';

/** Every react-query key in one place, so invalidation after sign-in/sign-out can't miss one. */
export const queryKeys = {
  session: ['session'] as const,
  /** Everything that belongs to the signed-in operator: removed at sign-out. */
  operatorData: ['operator-data'] as const,
  userSearch: (query: ConsoleInput<'users:search'>) => ['operator-data', 'users', 'search', query] as const,
  user: (id: string) => ['operator-data', 'users', 'detail', id] as const,
  lockouts: (query: ConsoleInput<'lockouts:list'>) => ['operator-data', 'lockouts', query] as const,
  signInAlarms: (query: ConsoleInput<'alarms:list'>) => ['operator-data', 'alarms', query] as const,
};
