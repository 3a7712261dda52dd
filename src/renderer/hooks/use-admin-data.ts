import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { ConsoleInput } from '../../shared/console-api';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { queryKeys } from './query-keys';

export function useUserSearch(query: ConsoleInput<'users:search'>) {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.userSearch(query), queryFn: () => client.users.search(query), placeholderData: keepPreviousData });
}

export function useLockouts(query: ConsoleInput<'lockouts:list'>) {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.lockouts(query), queryFn: () => client.lockouts.list(query), refetchInterval: 30_000 });
}

/** Polled like the lockouts: an attack in progress should reach the desk without a reload. */
export function useSignInAlarms(query: ConsoleInput<'alarms:list'>) {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.signInAlarms(query), queryFn: () => client.alarms.list(query), refetchInterval: 30_000 });
}
