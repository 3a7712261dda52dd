import type { NextSignInView } from '../../shared/api/admin';
import type { SignInMethod } from '../../shared/methods';
import type { Translate } from './I18nProvider';
import type { TimeFormat } from './time-format';

function methodList(methods: readonly SignInMethod[], t: Translate): string {
  return methods.map((m) => t(`method.${m}`)).join(t('method.or'));
}

/** The digits a masked phone shows at its end ("+47 •••••860" -> "860"): what a caller can confirm. */
export function phoneEnding(hint: string | null): string {
  return /(\d+)\s*$/.exec(hint ?? '')?.[1] ?? '';
}

/**
 * The server's account of the user's next sign-in (it applies the sign-in rules; see
 * src/server/admin/next-sign-in.ts), as sentences in the operator's language and time zone.
 */
export function describeNextSignIn(next: NextSignInView, t: Translate, time: TimeFormat, now: number): string[] {
  const lines: string[] = [];
  const refused = next.refused;
  if (refused?.reason === 'disabled') return [t('next.disabled')];
  if (refused?.reason === 'locked') {
    lines.push(
      refused.until
        ? `${t('next.locked', { until: time.clock(refused.until, now), left: time.duration(Date.parse(refused.until) - now) })} ${t(`next.after.${refused.afterwards}`)}`
        : `${t('next.lockedForever')} ${t(`next.after.${refused.afterwards}`)}`,
    );
  }
  if (refused?.reason === 'password_attempts') lines.push(t('next.passwordAttempts', { count: refused.failedPasswords }));
  if (next.passwordWaitUntil) lines.push(t('next.passwordWait', { when: time.clock(next.passwordWaitUntil, now) }));
  if (next.passwordOnly) return [...lines, t('next.passwordOnly')];
  if (next.enroll)
    lines.push(
      next.enroll.length
        ? t('next.enroll', { methods: next.enroll.map((m) => t(`method.${m}`)).join(t('method.or')) })
        : t('next.enrollNone'),
    );
  const place = next.newPlace;
  // Exhausted wrong passwords shut new places: only the recognised ones (below) still get in.
  if (place && refused?.reason !== 'password_attempts') {
    if (place.method === 'sms' && place.sms)
      lines.push(t('next.newPlace.sms', { hint: phoneEnding(place.phoneHint), left: place.sms.left, limit: place.sms.limit }));
    else if (place.method) lines.push(t(`next.newPlace.${place.method}`));
    else lines.push(t('next.newPlace.none'));
    if (place.sms && place.sms.left <= 0)
      lines.push(t('next.smsExhausted', { limit: place.sms.limit, when: time.clock(place.sms.resetsAt, now) }));
    if (place.alternatives.length) lines.push(t('next.alternatives', { methods: methodList(place.alternatives, t) }));
  }
  // A lockout or a disabled account holds everywhere; wrong passwords shut only new places.
  if (!next.enroll && (!refused || refused.reason === 'password_attempts')) {
    lines.push(next.trustedIps === null ? t('next.alwaysAsk') : t('next.trustedIps', { count: next.trustedIps }));
    if (next.rememberedDevices > 0) lines.push(t('next.devices', { count: next.rememberedDevices }));
  }
  return lines.filter(Boolean);
}
