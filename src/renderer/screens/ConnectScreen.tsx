import { useState, type FormEvent } from 'react';
import { CenteredCard } from '../components/CenteredCard';
import { ErrorMessage } from '../components/ErrorMessage';
import { TextField } from '../components/TextField';
import { useConnect, useSession } from '../hooks/use-session';
import { useI18n } from '../i18n/I18nProvider';
import { useUiStore } from '../state/ui-store';

export function ConnectScreen() {
  const { t } = useI18n();
  const session = useSession();
  const connect = useConnect();
  const setChangingServer = useUiStore((state) => state.setChangingServer);
  const [serverUrl, setServerUrl] = useState(session.data?.serverUrl ?? '');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    connect.mutate({ serverUrl }, { onSuccess: () => setChangingServer(false) });
  };
  return (
    <CenteredCard title={t('connect.title')}>
      <p>{t('connect.intro')}</p>
      <form onSubmit={submit} aria-busy={connect.isPending}>
        <TextField
          label={t('connect.serverUrl')}
          name="serverUrl"
          type="url"
          inputMode="url"
          autoComplete="url"
          spellCheck={false}
          required
          autoFocus
          value={serverUrl}
          onChange={(event) => setServerUrl(event.target.value)}
        />
        <ErrorMessage error={connect.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={connect.isPending}>
            {connect.isPending ? t('connect.submitting') : t('connect.submit')}
          </button>
          {session.data?.serverUrl ? (
            <button type="button" onClick={() => setChangingServer(false)}>
              {t('connect.cancel')}
            </button>
          ) : null}
        </div>
      </form>
    </CenteredCard>
  );
}
