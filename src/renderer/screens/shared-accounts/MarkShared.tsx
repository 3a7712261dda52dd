import { useId, useState } from 'react';
import type { UserSummary } from '../../../shared/api/admin';
import { ErrorMessage } from '../../components/ErrorMessage';
import { useDebounced } from '../../components/use-debounced';
import { useUserLookup } from '../../hooks/use-shared-accounts';
import { useI18n } from '../../i18n/I18nProvider';

const SHOWN = 5;

/**
 * The operator knows an account is shared that the signs did not catch: find it by email or name
 * and mark it shared (it then joins the list, with the operator's ticket and reason as the evidence).
 */
export function MarkShared({
  tenantId,
  listedIds,
  onFlag,
}: {
  tenantId: string;
  listedIds: ReadonlySet<string>;
  onFlag(user: UserSummary): void;
}) {
  const { t } = useI18n();
  const [q, setQ] = useState('');
  const query = useDebounced(q.trim(), 250);
  const ids = { input: useId(), hint: useId(), results: useId() };
  const search = useUserLookup(query, tenantId, SHOWN);
  const items = query ? (search.data?.items ?? []).slice(0, SHOWN) : [];
  const settled = query !== '' && search.isSuccess && !search.isPlaceholderData;
  return (
    <section className="mark-shared" aria-labelledby="mark-shared-title">
      <h2 id="mark-shared-title">{t('shared.mark.title')}</h2>
      <p className="muted">{t('shared.mark.intro')}</p>
      <div className="field mark-shared-field">
        <label htmlFor={ids.input}>{t('shared.mark.search')}</label>
        <input
          id={ids.input}
          type="search"
          value={q}
          autoComplete="off"
          spellCheck={false}
          aria-describedby={ids.hint}
          aria-controls={ids.results}
          onChange={(event) => setQ(event.target.value)}
          data-testid="mark-shared-search"
        />
        <small id={ids.hint} className="hint">
          {t('shared.mark.searchHint')}
        </small>
      </div>
      <ErrorMessage error={query ? search.error : null} />
      <div id={ids.results} aria-live="polite">
        {settled && !items.length ? <p className="muted">{t('shared.mark.none')}</p> : null}
        {items.length ? (
          <ul className="mark-shared-results">
            {items.map((user) => (
              <li key={user.id} data-testid="mark-shared-result">
                <span>
                  <strong>{user.name}</strong> <span>{user.email}</span> <span className="muted">{user.tenantName}</span>
                </span>
                {listedIds.has(user.id) ? (
                  <span className="muted">{t('shared.mark.listed')}</span>
                ) : (
                  <button
                    type="button"
                    onClick={() => onFlag(user)}
                    aria-label={t('shared.mark.flagNamed', { name: user.name, email: user.email })}
                    data-testid="mark-shared-button"
                  >
                    {t('shared.flag')}
                  </button>
                )}
              </li>
            ))}
          </ul>
        ) : null}
      </div>
    </section>
  );
}
