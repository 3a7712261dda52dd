import { QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
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
const bridge = chooseBridge();

if (!bridge) {
  root.render(
    <I18nProvider locale={pickLocale(null, navigator.languages)}>
      <NoBridgeScreen />
    </I18nProvider>,
  );
} else {
  const client = createConsoleClient(bridge);
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({
      // A call that finds the session gone re-reads the session: the sign-in screen comes back with its notice.
      onError: (error) => {
        if (error instanceof ConsoleCallError && (error.code === 'session_expired' || error.code === 'not_signed_in')) void queryClient.invalidateQueries({ queryKey: queryKeys.session });
      },
    }),
    // Main already retries what is safe to retry (GETs on network errors); the page never does.
    defaultOptions: { queries: { retry: false, refetchOnWindowFocus: true }, mutations: { retry: false } },
  });
  const { showToast } = useUiStore.getState();
  guardNavigation(
    document,
    (url) => client.links.openExternal({ url }).then((answer) => answer.opened, () => false),
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
