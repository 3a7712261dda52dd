import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import type { ConsoleInput, ConsoleOutput } from '../../shared/console-api';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { queryKeys } from './query-keys';

/**
 * Accounts that look shared, with why, and the newest break-up of each. Re-read every 30 s, and
 * every second while a break-up of one of them is on its way (`refetchInterval`): its people move
 * from pending to created as the server makes them.
 */
export function useSharedAccounts(
  query: ConsoleInput<'sharedAccounts:list'>,
  options: { enabled?: boolean; refetchInterval?: number | false } = {},
) {
  const client = useConsoleClient();
  return useQuery({
    queryKey: queryKeys.sharedAccounts(query),
    queryFn: () => client.sharedAccounts.list(query),
    refetchInterval: options.refetchInterval ?? 30_000,
    enabled: options.enabled ?? true,
  });
}

/**
 * The server's reading of the people typed so far (emails in use in this tenant or another, the
 * tenant's SMS countries), for the lines as they stood when typing paused. The previous answer stays
 * while the next is on its way, so the marks beside the fields do not flicker.
 */
export function useBreakupCheck(input: ConsoleInput<'breakups:check'> | null) {
  const client = useConsoleClient();
  return useQuery({
    queryKey: queryKeys.breakupCheck(input ?? { id: '', members: [] }),
    // With the lines it answered for: an answer kept while the next is on its way is for older lines.
    queryFn: async () => ({ members: input!.members, answer: await client.breakups.check(input!) }),
    enabled: input !== null && input.members.length > 0,
    placeholderData: keepPreviousData,
    gcTime: 60_000,
  });
}

/**
 * A few users matching what was typed (email or name), for "Mark as shared"; nothing is asked
 * before something is typed. Under the users' key, so a flag re-reads it with them.
 */
export function useUserLookup(q: string, tenantId: string, limit: number) {
  const client = useConsoleClient();
  const query = { q, limit, ...(tenantId ? { tenantId } : {}) };
  return useQuery({
    queryKey: [...queryKeys.users, 'lookup', query],
    queryFn: () => client.users.search(query),
    enabled: q !== '',
    placeholderData: keepPreviousData,
  });
}

/** One break-up as the server has it; polled while it is in progress. */
export function useBreakup(id: string | null, refetchInterval: number | false = false) {
  const client = useConsoleClient();
  return useQuery({
    queryKey: queryKeys.breakup(id ?? ''),
    queryFn: () => client.breakups.get({ id: id! }),
    enabled: id !== null,
    refetchInterval,
  });
}

/** After a flag or a break-up every list it touches is re-read: shared accounts, users, the audit trail. */
function useInvalidateAfterChange() {
  const queryClient = useQueryClient();
  return () => {
    for (const queryKey of [queryKeys.sharedAccountsAll, queryKeys.users, queryKeys.auditAll])
      void queryClient.invalidateQueries({ queryKey });
  };
}

/**
 * Marks an account shared, or says it is not. A second submit while one is on its way is ignored
 * (a double click sends once); the error stays on `mutation.error` for the dialog.
 */
export function useSetSharedFlag() {
  const client = useConsoleClient();
  const invalidate = useInvalidateAfterChange();
  const inFlight = useRef(false);
  const mutation = useMutation({
    mutationFn: (input: ConsoleInput<'users:setSharedFlag'>) => client.users.setSharedFlag(input),
    onSettled: invalidate,
  });
  const send = async (input: ConsoleInput<'users:setSharedFlag'>): Promise<ConsoleOutput<'users:setSharedFlag'> | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    try {
      return await mutation.mutateAsync(input);
    } catch {
      return null;
    } finally {
      inFlight.current = false;
    }
  };
  return { send, mutation };
}

/**
 * Runs a break-up (the first time, or again with the same idempotency key to finish the rest).
 * Resolves with the server's view, or throws the call's error for the wizard to put in words;
 * one call at a time.
 */
export function useRunBreakup() {
  const client = useConsoleClient();
  const invalidate = useInvalidateAfterChange();
  const inFlight = useRef(false);
  const mutation = useMutation({
    mutationFn: (input: ConsoleInput<'breakups:run'>) => client.breakups.run(input),
    onSettled: invalidate,
  });
  const run = async (input: ConsoleInput<'breakups:run'>): Promise<ConsoleOutput<'breakups:run'> | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    try {
      return await mutation.mutateAsync(input);
    } finally {
      inFlight.current = false;
    }
  };
  return { run, mutation };
}

/**
 * Finishes a break-up left in progress from what the server recorded (another console started it,
 * or this one was closed): no draft is needed. One call at a time; the error stays on the mutation.
 */
export function useFinishBreakup() {
  const client = useConsoleClient();
  const invalidate = useInvalidateAfterChange();
  const inFlight = useRef(false);
  const mutation = useMutation({
    mutationFn: (id: string) => client.breakups.finish({ id }),
    onSettled: invalidate,
  });
  const finish = async (id: string): Promise<void> => {
    if (inFlight.current) return;
    inFlight.current = true;
    try {
      await mutation.mutateAsync(id);
    } catch {
      // shown from mutation.error
    } finally {
      inFlight.current = false;
    }
  };
  return { finish, mutation };
}
