import { useEffect, useState } from 'react';
import type { UserSummary } from '../../shared/api/admin';
import type { SharedAccountView } from '../../shared/api/tenant-admin';
import { ErrorMessage } from '../components/ErrorMessage';
import { TenantSelect } from '../components/TenantSelect';
import { useTenants } from '../hooks/use-admin-data';
import { useSession } from '../hooks/use-session';
import { useSharedAccounts } from '../hooks/use-shared-accounts';
import { useI18n } from '../i18n/I18nProvider';
import { BreakupWizard } from './shared-accounts/BreakupWizard';
import { FlagDialog } from './shared-accounts/FlagDialog';
import { MarkShared } from './shared-accounts/MarkShared';
import { localDay } from './shared-accounts/people';
import { SharedAccountList } from './shared-accounts/SharedAccountList';
import { useWizardStore } from './shared-accounts/wizard-store';
import './shared-accounts/shared-accounts.css';

/**
 * Shared accounts: the accounts several people seem to use (a mailbox-style address, sign-ins from
 * many places in a week, an operator's flag), why, and their break-up into personal accounts.
 * Tenant admins see their tenant, support the tenants assigned to them; auditors none of it.
 */
export function SharedAccountsScreen() {
  const { t } = useI18n();
  const session = useSession().data;
  const operator = session?.operator;
  const owner = operator ? `${session.serverUrl ?? ''}|${operator.email}` : null;
  const claim = useWizardStore((state) => state.claim);
  const openId = useWizardStore((state) => state.openId);
  const ownerNow = useWizardStore((state) => state.owner);
  // Drafts belong to one operator on one server: another sign-in starts with none.
  useEffect(() => {
    if (owner) claim(owner);
  }, [owner, claim]);
  if (!operator) return null;
  if (operator.role === 'auditor') {
    return (
      <section aria-labelledby="shared-title">
        <h1 id="shared-title" tabIndex={-1}>
          {t('nav.shared')}
        </h1>
        <p className="message message-info" data-testid="shared-not-for-role">
          {t('shared.notForRole')}
        </p>
      </section>
    );
  }
  if (openId && ownerNow === owner) return <BreakupWizard id={openId} />;
  return <SharedAccounts />;
}

type FlagTarget = { user: Pick<UserSummary, 'id' | 'name' | 'email'>; shared: boolean };

function SharedAccounts() {
  const { t } = useI18n();
  const tenants = useTenants();
  const [tenantId, setTenantId] = useState('');
  const accounts = useSharedAccounts(tenantId ? { tenantId } : {});
  const drafts = useWizardStore((state) => state.drafts);
  const open = useWizardStore((state) => state.open);
  const [flag, setFlag] = useState<FlagTarget | null>(null);
  const items = accounts.data?.items ?? [];
  const showTenants = (tenants.data?.items.length ?? 0) > 1;
  const tenantName = tenants.data?.items.find((tenant) => tenant.id === tenantId)?.name;
  // Back from a wizard (its button is gone with it): the focus starts again at the heading, not nowhere.
  useEffect(() => {
    if (document.activeElement === document.body || document.activeElement === null) document.getElementById('shared-title')?.focus();
  }, []);
  const breakUp = (item: SharedAccountView) =>
    open(
      { id: item.user.id, name: item.user.name, email: item.user.email, tenantId: item.user.tenantId, tenantName: item.user.tenantName },
      item.breakup?.id ?? null,
      localDay(7),
    );
  return (
    <section aria-labelledby="shared-title" data-testid="shared-accounts">
      <h1 id="shared-title" tabIndex={-1}>
        {t('nav.shared')}
      </h1>
      <p className="shared-intro">{t('shared.intro')}</p>
      {showTenants ? (
        <div className="toolbar">
          <TenantSelect
            id="shared-tenant"
            label={t('users.tenant')}
            emptyLabel={t('users.allTenants')}
            value={tenantId}
            tenants={tenants.data?.items ?? []}
            onChange={setTenantId}
          />
        </div>
      ) : null}
      <h2 id="shared-list-title">{tenantName ? t('shared.listTitleIn', { tenant: tenantName }) : t('shared.listTitle')}</h2>
      <ErrorMessage error={accounts.error} />
      {accounts.isPending ? (
        <p className="muted" role="status">
          {t('shared.loading')}
        </p>
      ) : null}
      {accounts.isSuccess ? (
        <p className="muted" role="status" data-testid="shared-count">
          {items.length ? t('shared.count', { count: items.length }) : t('shared.empty')}
          {accounts.data.dismissed ? ` ${t('shared.dismissed', { count: accounts.data.dismissed })}` : ''}
        </p>
      ) : null}
      {items.length ? (
        <SharedAccountList
          items={items}
          showTenant={showTenants}
          draftIds={new Set(Object.keys(drafts))}
          act={{
            breakUp,
            unflag: (item) => setFlag({ user: item.user, shared: false }),
          }}
        />
      ) : null}
      <MarkShared
        tenantId={tenantId}
        listedIds={new Set(items.map((item) => item.user.id))}
        onFlag={(user) => setFlag({ user, shared: true })}
      />
      {flag ? <FlagDialog user={flag.user} shared={flag.shared} onClose={() => setFlag(null)} /> : null}
    </section>
  );
}
