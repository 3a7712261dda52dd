import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import type { ConsoleBridge } from '../shared/console-api';
import { chooseBridge } from './bridge/choose-bridge';
import { ConsoleCallError, createConsoleClient } from './bridge/console-client';
import { ConsoleProvider } from './bridge/ConsoleProvider';
import { queryKeys } from './hooks/query-keys';
import { pickLocale } from './i18n/catalogs';
import { I18nProvider } from './i18n/I18nProvider';
import { guardNavigation } from './navigation-guard';
import { NoBridgeScreen } from './screens/NoBridgeScreen';
import { useUiStore } from './state/ui-store';

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);
/** Renders the console once the bridge is known (the browser host's needs one call to the host first). */
function render(bridge: ConsoleBridge | null): void {
  if (!bridge) {
    root.render(
      <I18nProvider locale={pickLocale(null, navigator.languages)}>
        <NoBridgeScreen />
      </I18nProvider>,
    );
  } else {
    const client = createConsoleClient(bridge);
    // A call (read or change) that finds the session gone drops everything fetched for that operator,
    // so the next one to sign in never sees it, and re-reads the session: sign-in comes back with its notice.
    const onCallError = (error: Error) => {
      if (error instanceof ConsoleCallError && (error.code === 'session_expired' || error.code === 'not_signed_in')) {
        queryClient.removeQueries({ queryKey: queryKeys.operatorData });
        void queryClient.invalidateQueries({ queryKey: queryKeys.session });
      }
    };
    const queryClient: QueryClient = new QueryClient({
      queryCache: new QueryCache({ onError: onCallError }),
      mutationCache: new MutationCache({ onError: onCallError }),
      // Main already retries what is safe to retry (GETs on network errors); the page never does.
      defaultOptions: { queries: { retry: false, refetchOnWindowFocus: true }, mutations: { retry: false } },
    });
    const { showToast } = useUiStore.getState();
    guardNavigation(
      document,
      (url) =>
        client.links.openExternal({ url }).then(
          (answer) => answer.opened,
          () => false,
        ),
      () => showToast('error.link_not_allowed'),
      () => showToast('toast.linkOpened'),
    );
    root.render(
      <StrictMode>
        <QueryClientProvider client={queryClient}>
          <ConsoleProvider client={client}>
            <App />
          </ConsoleProvider>
        </QueryClientProvider>
      </StrictMode>,
    );
  }
}

void chooseBridge().then(render);
