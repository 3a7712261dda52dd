import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { ConsoleInput } from '../../shared/console-api';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { queryKeys } from './query-keys';

/**
 * Pages of a user search, each from the cursor of the one before. The server reads a bounded stretch
 * of users per request, so a page may come back short (or empty) with a cursor: "load more" walks on.
 */
export function useUserSearch(query: Omit<ConsoleInput<'users:search'>, 'cursor'>) {
  const client = useConsoleClient();
  return useInfiniteQuery({
    queryKey: queryKeys.userSearch(query),
    queryFn: ({ pageParam }) => client.users.search(pageParam ? { ...query, cursor: pageParam } : query),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
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
