import { useEffect } from 'react';
import type { SessionState, SignedInOperator } from '../../shared/console-api';
import { LanguageSelect } from '../components/LanguageSelect';
import { useSignOut } from '../hooks/use-session';
import { useI18n } from '../i18n/I18nProvider';
import { sections, useUiStore, type Section } from '../state/ui-store';
import { AuditScreen } from './AuditScreen';
import { EnrollmentSheetsScreen } from './EnrollmentSheetsScreen';
import { LockoutsScreen } from './LockoutsScreen';
import { SharedAccountsScreen } from './SharedAccountsScreen';
import { UsersScreen } from './UsersScreen';

const sectionLabel = {
  users: 'nav.users',
  lockouts: 'nav.lockouts',
  shared: 'nav.shared',
  enrollment: 'nav.enrollment',
  audit: 'nav.audit',
} as const;

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName));
}

const focusSearch = (showSection: (section: Section) => void) => {
  showSection('users');
  // At once when the search is on screen (the next keys go into it), else once it has rendered.
  const search = document.getElementById('user-search');
  if (search?.checkVisibility()) search.focus();
  else requestAnimationFrame(() => document.getElementById('user-search')?.focus());
};

/**
 * Keyboard-first: Alt+1..5 switch sections anywhere; Ctrl/Cmd+K jumps to the user search from
 * anywhere (even a text field), "/" does when not typing. Not while a dialog is open: it owns the keys.
 */
function useShortcuts(showSection: (section: Section) => void) {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (document.querySelector('dialog[open]')) return;
      if ((event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k') {
        event.preventDefault();
        focusSearch(showSection);
      } else if (event.altKey && !event.ctrlKey && !event.metaKey && /^Digit[1-5]$/.test(event.code)) {
        const section = sections[Number(event.code.slice(5)) - 1];
        if (section) {
          event.preventDefault();
          showSection(section);
        }
      } else if (event.key === '/' && !isTyping(event.target)) {
        event.preventDefault();
        focusSearch(showSection);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [showSection]);
}

function OperatorBadge({ operator, session }: { operator: SignedInOperator; session: SessionState }) {
  const { t } = useI18n();
  const server = session.serverUrl ? new URL(session.serverUrl).host : '';
  return (
    <div className="operator" data-testid="signed-in-operator">
      <strong>{t('frame.signedInAs', { name: operator.name })}</strong>
      <span>
        {t(`role.${operator.role}`)} ·{' '}
        {operator.tenantIds.length ? t('frame.tenantCount', { count: operator.tenantIds.length }) : t('frame.allTenants')}
      </span>
      <span data-testid="signed-in-server">{t('frame.server', { server })}</span>
      {!session.remembered ? <span className="muted">{t('frame.notRemembered')}</span> : null}
    </div>
  );
}

export function AppFrame({ session, operator }: { session: SessionState; operator: SignedInOperator }) {
  const { t } = useI18n();
  const section = useUiStore((state) => state.section);
  const showSection = useUiStore((state) => state.showSection);
  const signOut = useSignOut();
  useShortcuts(showSection);
  return (
    <div className="frame">
      <a className="skip-link" href="#main">
        {t('app.skipToContent')}
      </a>
      <header className="topbar">
        <span className="brand">{t('app.name')}</span>
        <OperatorBadge operator={operator} session={session} />
        <div className="topbar-actions">
          <LanguageSelect />
          {session.serverUrl ? (
            <a href={`${session.serverUrl}/docs`} className="external" data-testid="api-docs-link">
              {t('frame.apiDocs')}
            </a>
          ) : null}
          <button type="button" onClick={() => signOut.mutate()} disabled={signOut.isPending}>
            {t('frame.signOut')}
          </button>
        </div>
      </header>
      <nav className="sidebar" aria-label={t('frame.navigation')}>
        <ul>
          {sections.map((name, index) => (
            <li key={name}>
              <button
                type="button"
                aria-current={section === name ? 'page' : undefined}
                onClick={() => showSection(name)}
                aria-keyshortcuts={`Alt+${index + 1}`}
              >
                <span>{t(sectionLabel[name])}</span>
                <kbd aria-hidden="true">{index + 1}</kbd>
              </button>
            </li>
          ))}
        </ul>
        <p className="shortcuts muted">{t('frame.shortcuts')}</p>
      </nav>
      <main className="content" id="main" tabIndex={-1}>
        {section === 'users' ? (
          <UsersScreen />
        ) : section === 'lockouts' ? (
          <LockoutsScreen />
        ) : section === 'shared' ? (
          <SharedAccountsScreen />
        ) : section === 'enrollment' ? (
          <EnrollmentSheetsScreen />
        ) : (
          <AuditScreen />
        )}
      </main>
    </div>
  );
}
