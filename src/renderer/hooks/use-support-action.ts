import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useRef } from 'react';
import type { ConsoleInput, ConsoleOutput } from '../../shared/console-api';
import { useConsoleClient } from '../bridge/ConsoleProvider';
import { queryKeys } from './query-keys';

/** Every support action the console offers, by the bridge verb that takes it. */
export const supportActions = [
  'unlock',
  'sendPhoneResetLink',
  'regenerateRecoveryCodes',
  'resetAuthenticator',
  'revokeDevices',
  'endSessions',
  'enrollPushDevice',
  'revokePushDevice',
  'resendInvitation',
] as const;
export type SupportAction = (typeof supportActions)[number];
type Channel<A extends SupportAction> = `users:${A}`;
export type SupportActionInput<A extends SupportAction> = ConsoleInput<Channel<A>>;
export type SupportActionOutput<A extends SupportAction> = ConsoleOutput<Channel<A>>;

/**
 * One support action as a mutation. Afterwards (success or refusal alike: a conflict means the state
 * moved) every user page, search, lockout list, push alert list and audit page is re-read from the server: the screen
 * shows the new state as the server has it, never a guess. `gcTime: 0`: an answer (new recovery
 * codes, a push enrollment's link and test code) is not kept in the mutation cache once the dialog that shows it lets go. A second submit
 * while one is on its way is ignored, so a double click sends once.
 */
export function useSupportAction<A extends SupportAction>(action: A) {
  const client = useConsoleClient();
  const queryClient = useQueryClient();
  const inFlight = useRef(false);
  const mutation = useMutation({
    mutationFn: async (input: SupportActionInput<A>) => {
      const method = client.users[action] as unknown as (input: SupportActionInput<A>) => Promise<SupportActionOutput<A>>;
      return method(input);
    },
    gcTime: 0,
    // Not awaited: the answer (new recovery codes) is shown at once, the pages behind re-read meanwhile.
    onSettled: () => {
      for (const queryKey of [queryKeys.users, queryKeys.lockoutsAll, queryKeys.pushAlertsAll, queryKeys.auditAll])
        void queryClient.invalidateQueries({ queryKey });
    },
  });
  const send = async (input: SupportActionInput<A>): Promise<SupportActionOutput<A> | null> => {
    if (inFlight.current) return null;
    inFlight.current = true;
    try {
      return await mutation.mutateAsync(input);
    } catch {
      return null; // the error is on `mutation.error` for the dialog to show
    } finally {
      inFlight.current = false;
    }
  };
  return { send, mutation };
}
