import { keepPreviousData, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import type { ConsoleInput } from '../../shared/console-api';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { queryKeys } from './query-keys';

/**
 * Pages of a user search, each from the cursor of the one before. The server reads a bounded stretch
 * of users per request, so a page may come back short (or empty) with a cursor: "load more" walks on.
 * A query the operator typed past is cancelled: react-query drops its answer (the bridge call itself
 * runs out, it is a few milliseconds of server work), so a slow early answer never replaces a later one.
 */
export function useUserSearch(query: Omit<ConsoleInput<'users:search'>, 'cursor'>) {
  const client = useConsoleClient();
  return useInfiniteQuery({
    queryKey: queryKeys.userSearch(query),
    queryFn: ({ pageParam, signal }) => {
      void signal; // consumed: react-query then cancels this query when its key is left behind
      return client.users.search(pageParam ? { ...query, cursor: pageParam } : query);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
}

/**
 * One user's page, re-read every 30 s; `refetchInterval` shorter while something waits on the user
 * (a push enrollment the person is completing on their phone). react-query polls at the shortest
 * interval any mounted observer asks for.
 */
export function useUser(id: string, refetchInterval = 30_000) {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.user(id), queryFn: () => client.users.get({ id }), refetchInterval });
}

export function useLockouts(query: ConsoleInput<'lockouts:list'>) {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.lockouts(query), queryFn: () => client.lockouts.list(query), refetchInterval: 15_000 });
}

/** Polled like the lockouts: an attack in progress should reach the desk without a reload. */
export function useSignInAlarms(query: ConsoleInput<'alarms:list'>) {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.signInAlarms(query), queryFn: () => client.alarms.list(query), refetchInterval: 30_000 });
}

/** "This wasn't me" reports from push devices, polled like the alarms. */
export function usePushAlerts(query: ConsoleInput<'pushAlerts:list'>) {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.pushAlerts(query), queryFn: () => client.pushAlerts.list(query), refetchInterval: 30_000 });
}

export function useAudit(query: Omit<ConsoleInput<'audit:list'>, 'cursor'>) {
  const client = useConsoleClient();
  return useInfiniteQuery({
    queryKey: queryKeys.audit(query),
    queryFn: ({ pageParam }) => client.audit.list(pageParam ? { ...query, cursor: pageParam } : query),
    initialPageParam: null as string | null,
    getNextPageParam: (page) => page.nextCursor,
    placeholderData: keepPreviousData,
  });
}

/** Rarely changes: fetched once per sign-in. */
export function useTenants() {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.tenants, queryFn: () => client.tenants.list({}), staleTime: 5 * 60_000 });
}

export function useOperators() {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.operators, queryFn: () => client.operators.list({}), staleTime: 5 * 60_000 });
}
