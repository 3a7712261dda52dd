import { Toast } from './components/Toast';
import { ErrorMessage } from './components/ErrorMessage';
import { useSession } from './hooks/use-session';
import { pickLocale } from './i18n/catalogs';
import { I18nProvider, useI18n } from './i18n/I18nProvider';
import { AppFrame } from './screens/AppFrame';
import { ConnectScreen } from './screens/ConnectScreen';
import { SignInScreen } from './screens/SignInScreen';
import { useUiStore } from './state/ui-store';

function Screens() {
  const { t } = useI18n();
  const session = useSession();
  const changingServer = useUiStore((state) => state.changingServer);
  if (session.isPending) {
    return (
      <main className="centered" id="main" aria-busy="true">
        <p className="muted">{t('app.loading')}</p>
      </main>
    );
  }
  if (session.isError) {
    return (
      <main className="centered" id="main">
        <ErrorMessage error={session.error} />
      </main>
    );
  }
  const state = session.data;
  if (!state.serverUrl || changingServer) return <ConnectScreen />;
  if (!state.operator) return <SignInScreen session={state} />;
  return <AppFrame session={state} operator={state.operator} />;
}

export function App() {
  const session = useSession();
  const locale = pickLocale(session.data?.preferences.locale ?? null, navigator.languages);
  return (
    <I18nProvider locale={locale}>
      <Screens />
      <Toast />
    </I18nProvider>
  );
}
