import { lazy, Suspense, useEffect, useState } from 'react';
import { ErrorMessage } from '../components/ErrorMessage';
import { TenantSelect } from '../components/TenantSelect';
import { useTenants } from '../hooks/use-admin-data';
import { useCreateSheets } from '../hooks/use-enrollment-sheets';
import { useMayAct } from '../hooks/use-may-act';
import { useSession } from '../hooks/use-session';
import { useI18n } from '../i18n/I18nProvider';
import { CandidatePicker } from './enrollment-sheets/CandidatePicker';
import { SheetList } from './enrollment-sheets/SheetList';
import './enrollment-sheets/sheets-screen.css';

// The preview brings the fonts and the QR drawing: loaded when the first sheets are made.
const SheetPreview = lazy(() => import('./enrollment-sheets/SheetPreview').then((module) => ({ default: module.SheetPreview })));

/**
 * Enrollment sheets: for users without an authenticator app, a printed page each with a QR code
 * drawn on this computer. Pick the tenant and the users, create the sheets (ticket and reason), then
 * print or save them from the preview. The sheets, with their keys, live only in this screen's
 * mutation: closing the preview (or leaving the section) drops them. Auditors get none of it.
 */
export function EnrollmentSheetsScreen() {
  const { t } = useI18n();
  const role = useSession().data?.operator?.role;
  const mayAct = useMayAct();
  const tenants = useTenants();
  const create = useCreateSheets();
  const [tenantId, setTenantId] = useState('');
  const [filter, setFilter] = useState('');
  const { reset } = create.mutation;
  // Leaving the section forgets the sheets, like Close.
  useEffect(() => () => reset(), [reset]);
  const visible = tenants.data?.items ?? [];
  const tenant = visible.length === 1 ? visible[0]! : visible.find((item) => item.id === tenantId);
  const sheets = create.mutation.data?.sheets;

  if (role === 'auditor' || (role && !mayAct)) {
    return (
      <section aria-labelledby="sheets-title" className="sheets-section">
        <h1 id="sheets-title" tabIndex={-1}>
          {t('nav.enrollment')}
        </h1>
        <p className="message message-info" data-testid="sheets-not-for-role">
          {t('sheets.notForRole')}
        </p>
      </section>
    );
  }
  if (sheets && tenant) {
    return (
      <Suspense
        fallback={
          <p className="muted" role="status">
            {t('sheets.preview.loading')}
          </p>
        }
      >
        <SheetPreview
          sheets={sheets}
          tenantSlug={tenant.slug}
          onClose={() => {
            reset();
            requestAnimationFrame(() => document.getElementById('sheets-title')?.focus());
          }}
        />
      </Suspense>
    );
  }
  return (
    <section aria-labelledby="sheets-title" className="sheets-section">
      <h1 id="sheets-title" tabIndex={-1}>
        {t('nav.enrollment')}
      </h1>
      <p className="muted">{t('sheets.intro')}</p>
      <ErrorMessage error={tenants.error} />
      {visible.length > 1 ? (
        <div className="toolbar">
          <TenantSelect
            id="sheets-tenant"
            label={t('sheets.tenant')}
            emptyLabel={t('sheets.chooseTenant')}
            value={tenant?.id ?? ''}
            tenants={visible}
            onChange={setTenantId}
          />
        </div>
      ) : null}
      {tenants.isSuccess && !visible.length ? <p className="muted">{t('sheets.noTenants')}</p> : null}
      {tenant ? (
        <>
          <CandidatePicker tenant={tenant} filter={filter} onFilter={setFilter} create={create} />
          <SheetList tenantId={tenant.id} mayAct={mayAct} />
        </>
      ) : visible.length > 1 ? (
        <p className="muted" data-testid="sheets-choose-tenant">
          {t('sheets.chooseTenantFirst')}
        </p>
      ) : null}
    </section>
  );
}
