import { useId } from 'react';
import { useI18n } from '../../i18n/I18nProvider';
import { localDay, startOfLocalDay } from './people';
import type { BreakupDraft } from './wizard-store';

/** Whether the chosen day works: a real date, from tomorrow on. */
export function dayProblem(draft: Pick<BreakupDraft, 'when' | 'date'>): 'breakup.when.dateRequired' | 'breakup.when.dateTooEarly' | null {
  if (draft.when === 'now') return null;
  if (!startOfLocalDay(draft.date)) return 'breakup.when.dateRequired';
  return draft.date < localDay(1) ? 'breakup.when.dateTooEarly' : null;
}

/**
 * Step 2: when the shared account stops working: at once (as soon as every personal account exists),
 * or from the start of a day the operator picks, in their own time zone, so the team can move over
 * first. Its sessions and remembered devices end then.
 */
export function WhenStep({
  draft,
  update,
  onBack,
  onNext,
}: {
  draft: BreakupDraft;
  update(change: Partial<BreakupDraft>): void;
  onBack(): void;
  onNext(): void;
}) {
  const { t, locale } = useI18n();
  const ids = { date: useId(), hint: useId(), problem: useId() };
  const problem = dayProblem(draft);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const midnight = new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(new Date(2026, 0, 1));
  return (
    <div className="wizard-step" data-testid="breakup-when">
      <h2 id="wizard-step-title" tabIndex={-1}>
        {t('breakup.when.title')}
      </h2>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (!problem) onNext();
        }}
        noValidate
      >
        <fieldset className="when-choice">
          <legend>{t('breakup.when.legend', { email: draft.account.email })}</legend>
          <label className="radio">
            <input type="radio" name="when" value="date" checked={draft.when === 'date'} onChange={() => update({ when: 'date' })} />
            <span>{t('breakup.when.onDate')}</span>
          </label>
          <div className="field when-date">
            <label htmlFor={ids.date}>{t('breakup.when.date')}</label>
            <input
              id={ids.date}
              type="date"
              value={draft.date}
              min={localDay(1)}
              disabled={draft.when !== 'date'}
              aria-invalid={problem !== null}
              aria-describedby={[ids.hint, problem ? ids.problem : null].filter(Boolean).join(' ')}
              onChange={(event) => update({ date: event.target.value })}
              data-testid="disable-date"
            />
            <small id={ids.hint} className="hint">
              {t('breakup.when.dateHint', { time: midnight, zone })}
            </small>
            {problem ? (
              <small id={ids.problem} className="field-problem">
                {t(problem)}
              </small>
            ) : null}
          </div>
          <label className="radio">
            <input type="radio" name="when" value="now" checked={draft.when === 'now'} onChange={() => update({ when: 'now' })} />
            <span>{t('breakup.when.now')}</span>
          </label>
        </fieldset>
        <p className="muted">{t('breakup.when.explain')}</p>
        <div className="actions wizard-nav">
          <button type="submit" className="primary" disabled={problem !== null} data-testid="wizard-next">
            {t('breakup.next.preview')}
          </button>
          <button type="button" onClick={onBack}>
            {t('breakup.back')}
          </button>
        </div>
      </form>
    </div>
  );
}
