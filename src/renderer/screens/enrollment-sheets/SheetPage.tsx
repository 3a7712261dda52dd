import { useMemo } from 'react';
import type { EnrollmentSheet } from '../../../shared/api/tenant-admin';
import { qrImageUrl, type Paper } from './sheet-layout';
import { sheetExpiry, sheetWords } from './sheet-words';

/**
 * One printed page for one user, in their language: who it is for, the QR code (drawn here), the
 * key to type by hand, four steps, and until when it works. Nothing else from the server is on it:
 * no ids, no operator, no ticket.
 */
export function SheetPage({ sheet, paper }: { sheet: EnrollmentSheet; paper: Paper }) {
  const w = sheetWords(sheet.locale);
  const qr = useMemo(() => qrImageUrl(sheet.otpauthUri), [sheet.otpauthUri]);
  return (
    <article className="sheet-page" data-paper={paper} lang={sheet.locale} data-testid="sheet-page" data-user-id={sheet.userId}>
      <header className="sheet-header">
        <span className="sheet-tenant">{sheet.tenantName}</span>
        <span className="sheet-kind">{w('confidential')}</span>
      </header>
      <h2 className="sheet-title">{w('heading')}</h2>
      <div>
        <p className="sheet-person">
          <strong>{w('for', { name: sheet.name })}</strong>
        </p>
        <p className="sheet-person">{w('account', { email: sheet.email })}</p>
      </div>
      <p>{w('intro', { tenant: sheet.tenantName })}</p>
      <div className="sheet-body">
        <img className="sheet-qr" src={qr} alt={w('qrAlt')} width={220} height={220} data-testid="sheet-qr" />
        <ol className="sheet-steps">
          <li>{w('step1')}</li>
          <li>{w('step2')}</li>
          <li>{w('step3')}</li>
          <li>{w('step4')}</li>
        </ol>
      </div>
      <section className="sheet-key" aria-label={w('keyLabel')}>
        <p className="sheet-key-label">{w('keyLabel')}</p>
        <p className="sheet-key-value" data-testid="sheet-key">
          {sheet.manualKey}
        </p>
        <p className="sheet-small">{w('keyHint')}</p>
        <p className="sheet-small">{w('appShows', { issuer: sheet.issuer, account: sheet.accountLabel })}</p>
      </section>
      <footer className="sheet-footer">
        <p className="sheet-valid">
          <strong>{w('validUntil', { date: sheetExpiry(sheet.locale, sheet.expiresAt) })}</strong> {w('afterExpiry')}
        </p>
        <p>{w('private')}</p>
      </footer>
    </article>
  );
}
