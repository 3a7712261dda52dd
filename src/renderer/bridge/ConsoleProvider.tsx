import { createContext, useContext, type ReactNode } from 'react';
import type { ConsoleClient } from './console-client';

const ConsoleContext = createContext<ConsoleClient | null>(null);

export function ConsoleProvider({ client, children }: { client: ConsoleClient; children: ReactNode }) {
  return <ConsoleContext.Provider value={client}>{children}</ConsoleContext.Provider>;
}

/** For hooks only: components get data through hooks, never from the bridge directly. */
export function useConsoleClient(): ConsoleClient {
  const client = useContext(ConsoleContext);
  if (!client) throw new Error('useConsoleClient outside ConsoleProvider');
  return client;
}
