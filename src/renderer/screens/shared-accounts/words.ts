import type { BreakupView, SharedReason } from '../../../shared/api/tenant-admin';
import type { MemberProblemCode } from '../../../shared/tenant-admin/member-lines';
import type { ConsoleLocale } from '../../../shared/console-api';
import type { MessageKey } from '../../i18n/catalogs';
import type { Translate } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';

/** A few of the values, then "…" when there are more than the sample shows. */
function sample(values: readonly string[], total: number): string {
  return values.join(', ') + (total > values.length ? ', …' : '');
}

/** Why an account looks shared, as one sentence with its evidence. */
export function reasonSentence(reason: SharedReason, t: Translate, locale: ConsoleLocale): string {
  switch (reason.kind) {
    case 'mailbox_name':
      return t('shared.reason.mailbox', { word: reason.word });
    case 'many_ips':
      return reason.sample.length
        ? t('shared.reason.ips', {
            count: reason.distinct,
            period: t('shared.period', { days: reason.days }),
            sample: sample(reason.sample, reason.distinct),
          })
        : t('shared.reason.ipsNoSample', { count: reason.distinct, period: t('shared.period', { days: reason.days }) });
    case 'many_devices':
      return reason.sample.length
        ? t('shared.reason.devices', {
            count: reason.distinct,
            period: t('shared.period', { days: reason.days }),
            sample: sample(reason.sample, reason.distinct),
          })
        : t('shared.reason.devicesNoSample', { count: reason.distinct, period: t('shared.period', { days: reason.days }) });
    case 'flagged': {
      const when = timeFormat(locale).dateTime(reason.at);
      return reason.note.trim()
        ? t('shared.reason.flagged', { by: reason.by, when, note: reason.note.trim() })
        : t('shared.reason.flaggedNoNote', { by: reason.by, when });
    }
  }
}

/** A day the way a person says it: "Thursday 3 December 2026". */
export function longDay(iso: string, locale: ConsoleLocale): string {
  return new Intl.DateTimeFormat(locale, { dateStyle: 'full' }).format(new Date(iso));
}

/** "Thursday 3 December 2026 at 00:00 (Europe/Oslo)": a moment the operator chose, in their zone. */
export function moment(iso: string, t: Translate, locale: ConsoleLocale): string {
  const date = new Date(iso);
  const time = new Intl.DateTimeFormat(locale, { timeStyle: 'short' }).format(date);
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  return t('breakup.moment', { day: longDay(iso, locale), time, zone });
}

export function counts(breakup: BreakupView) {
  const created = breakup.members.filter((m) => m.state === 'created').length;
  const failed = breakup.members.filter((m) => m.state === 'failed').length;
  return { created, failed, pending: breakup.members.length - created - failed, total: breakup.members.length };
}

/** Where a break-up stands, in one or two sentences (the list and the wizard's last step say the same). */
export function breakupSentences(breakup: BreakupView, t: Translate, locale: ConsoleLocale, now: number): string[] {
  const { created, failed, total } = counts(breakup);
  const lines: string[] = [];
  if (breakup.state === 'in_progress') {
    lines.push(t('breakup.state.inProgress', { created, total }));
    if (failed) lines.push(t('breakup.state.failedSome', { count: failed }));
  } else
    lines.push(
      t('breakup.state.completed', {
        when: timeFormat(locale).dateTime(breakup.createdAt),
        accounts: t('breakup.accounts', { count: total }),
      }),
    );
  lines.push(sharedAccountSentence(breakup, t, locale, now));
  return lines;
}

/** What happens (or happened) to the shared account itself. */
export function sharedAccountSentence(breakup: BreakupView, t: Translate, locale: ConsoleLocale, now: number): string {
  const email = breakup.sharedEmail;
  const future = breakup.disableAt !== null && Date.parse(breakup.disableAt) > now;
  if (breakup.sharedDisabledAt) return t('breakup.shared.disabled', { email, when: moment(breakup.sharedDisabledAt, t, locale) });
  if (breakup.state === 'completed') {
    // The server ends the account when it is next used after the date: until then the date is what counts.
    if (!breakup.disableAt) return t('breakup.shared.disabledNow', { email });
    return future
      ? t('breakup.shared.disabledOn', { email, when: moment(breakup.disableAt, t, locale) })
      : t('breakup.shared.disabled', { email, when: moment(breakup.disableAt, t, locale) });
  }
  return future && breakup.disableAt
    ? t('breakup.shared.disabledOnOnceDone', { email, when: moment(breakup.disableAt, t, locale) })
    : t('breakup.shared.disabledOnceDone', { email });
}

export const problemKey: Record<MemberProblemCode, MessageKey> = {
  name_required: 'breakup.problem.name_required',
  email_required: 'breakup.problem.email_required',
  invalid_email: 'breakup.problem.invalid_email',
  duplicate_in_list: 'breakup.problem.duplicate_in_list',
  same_as_shared: 'breakup.problem.same_as_shared',
  email_in_tenant: 'breakup.problem.email_in_tenant',
  email_in_other_tenant: 'breakup.problem.email_in_other_tenant',
  invalid_phone: 'breakup.problem.invalid_phone',
  not_mobile: 'breakup.problem.not_mobile',
  sms_country_not_allowed: 'breakup.problem.sms_country_not_allowed',
};

export const languageKey = { en: 'breakup.inLanguage.en', nb: 'breakup.inLanguage.nb', de: 'breakup.inLanguage.de' } as const;
