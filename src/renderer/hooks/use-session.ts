import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import type { ConsoleInput, SessionState } from '../../shared/console-api';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { useUiStore } from '../state/ui-store';
import { queryKeys } from './query-keys';

/** Where the console stands; polled so a session that ends in the background brings sign-in back. */
export function useSession() {
  const client = useConsoleClient();
  return useQuery({ queryKey: queryKeys.session, queryFn: () => client.session.status({}), refetchInterval: 60_000, retry: false });
}

function useSessionMutation<I>(run: (input: I) => Promise<SessionState>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: (state) => {
      // Data fetched for one operator must not be shown to the next (nor after a sign-out).
      const before = queryClient.getQueryData<SessionState>(queryKeys.session);
      if (!state.operator || state.operator.email !== before?.operator?.email || state.serverUrl !== before.serverUrl) {
        queryClient.removeQueries({ queryKey: queryKeys.operatorData });
        useUiStore.getState().resetOperatorState();
      }
      queryClient.setQueryData(queryKeys.session, state);
    },
  });
}

export function useConnect() {
  const client = useConsoleClient();
  return useSessionMutation((input: ConsoleInput<'session:connect'>) => client.session.connect(input));
}

export function useSignIn() {
  const client = useConsoleClient();
  return useSessionMutation((input: ConsoleInput<'session:signIn'>) => client.session.signIn(input));
}

export function useSignOut() {
  const client = useConsoleClient();
  return useSessionMutation(() => client.session.signOut({}));
}

export function useSetLocale() {
  const client = useConsoleClient();
  return useSessionMutation((input: ConsoleInput<'preferences:update'>) => client.preferences.update(input));
}
