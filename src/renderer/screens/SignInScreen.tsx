import { useRef, useState, type FormEvent } from 'react';
import type { SessionState } from '../../shared/console-api';
import { CenteredCard } from '../components/CenteredCard';
import { ErrorMessage } from '../components/ErrorMessage';
import { TextField } from '../components/TextField';
import { useSignIn } from '../hooks/use-session';
import { useI18n } from '../i18n/I18nProvider';
import { useUiStore } from '../state/ui-store';

export function SignInScreen({ session }: { session: SessionState }) {
  const { t } = useI18n();
  const signIn = useSignIn();
  const setChangingServer = useUiStore((state) => state.setChangingServer);
  const [email, setEmail] = useState(session.lastEmail ?? '');
  const [password, setPassword] = useState('');
  const [code, setCode] = useState('');
  const codeInput = useRef<HTMLInputElement>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    signIn.mutate(
      { email, password, code },
      {
        // A code is good once: after a failure the operator types the next one.
        onError: () => {
          setCode('');
          codeInput.current?.focus();
        },
      },
    );
  };
  const notice = signIn.error ? null : session.notice;
  return (
    <CenteredCard title={t('signIn.title')}>
      <p className="server-line">
        {t('signIn.server', { server: session.serverUrl ?? '' })}{' '}
        <button type="button" className="link-button" onClick={() => setChangingServer(true)}>
          {t('signIn.changeServer')}
        </button>
      </p>
      {!session.keychain.available ? (
        <div className="message message-warning" role="note" data-testid="keychain-unavailable">
          <p>{t('keychain.unavailable')}</p>
          {session.keychain.reason ? <small>{t('keychain.reason', { reason: session.keychain.reason })}</small> : null}
        </div>
      ) : null}
      {notice === 'signed_out' ? (
        <p className="message message-info" role="status" data-notice="signed_out">
          {t('notice.signed_out')}
        </p>
      ) : notice ? (
        <ErrorMessage code={notice} />
      ) : null}
      <form onSubmit={submit} aria-busy={signIn.isPending}>
        <TextField
          label={t('signIn.email')}
          name="email"
          type="email"
          autoComplete="username"
          spellCheck={false}
          required
          autoFocus={!email}
          value={email}
          onChange={(event) => setEmail(event.target.value)}
        />
        <TextField
          label={t('signIn.password')}
          name="password"
          type="password"
          autoComplete="current-password"
          required
          autoFocus={Boolean(email)}
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        <TextField
          label={t('signIn.code')}
          hint={t('signIn.codeHint')}
          name="code"
          inputRef={codeInput}
          inputMode="numeric"
          autoComplete="one-time-code"
          pattern="\d{6}"
          maxLength={6}
          required
          value={code}
          onChange={(event) => setCode(event.target.value.replace(/\D/g, ''))}
        />
        <ErrorMessage error={signIn.error} />
        <div className="actions">
          <button type="submit" className="primary" disabled={signIn.isPending}>
            {signIn.isPending ? t('signIn.submitting') : t('signIn.submit')}
          </button>
        </div>
      </form>
    </CenteredCard>
  );
}
