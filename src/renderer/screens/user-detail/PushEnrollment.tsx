import { useState } from 'react';
import type { ConsoleOutput } from '../../../shared/console-api';
import { useNow } from '../../components/use-now';
import { useUser } from '../../hooks/use-admin-data';
import { useI18n } from '../../i18n/I18nProvider';
import { timeFormat } from '../../i18n/time-format';

export type PushEnrollmentAnswer = ConsoleOutput<'users:enrollPushDevice'>;

/**
 * The QR code as an image, never as markup in the page: an SVG in an <img> runs no script and loads
 * nothing (the CSP allows `img-src data:`), whatever the server's QR library put in it.
 */
export function svgDataUrl(svg: string): string {
  return `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
}

/**
 * A push-device enrollment support started: the QR code and the link for the person's phone, and the
 * test code they type on the device for its first approval (which activates it). Shown once: it lives
 * in this component's props, and closing the dialog drops it. While it is open, the user's page is
 * re-read every few seconds, so the operator sees the device appear and become active.
 */
export function PushEnrollment({
  answer,
  user,
  knownDeviceIds,
}: {
  answer: PushEnrollmentAnswer;
  user: { id: string; name: string };
  /** Devices the user had when the dialog opened: one not among them is this enrollment's. */
  knownDeviceIds: ReadonlySet<string>;
}) {
  const { t, locale } = useI18n();
  const time = timeFormat(locale);
  const now = useNow();
  const detail = useUser(user.id, 3000);
  const [copy, setCopy] = useState<'copied' | 'failed' | null>(null);
  const device = detail.data?.pushDevices?.find((d) => d.state !== 'revoked' && !knownDeviceIds.has(d.id));
  const expired = Date.parse(answer.expiresAt) <= now;
  const copyLink = async () => {
    try {
      await navigator.clipboard.writeText(answer.enrollmentUrl);
      setCopy('copied');
    } catch {
      setCopy('failed');
    }
  };
  let progress: string;
  if (device?.state === 'active') progress = t('action.pushEnroll.active', { device: device.name, name: user.name });
  else if (device) progress = t('action.pushEnroll.pending', { device: device.name });
  else if (expired) progress = t('action.pushEnroll.expired');
  else progress = t('action.pushEnroll.waiting');
  return (
    <div className="push-enrollment" data-testid="push-enrollment">
      <p>{t('action.pushEnroll.scan', { name: user.name })}</p>
      <div className="push-enrollment-body">
        <img
          className="qr"
          src={svgDataUrl(answer.qrSvg)}
          alt={t('action.pushEnroll.qrAlt', { name: user.name })}
          width={200}
          height={200}
          data-testid="push-qr"
        />
        <div>
          <p className="push-code-label" id="push-test-code-label">
            {t('action.pushEnroll.testCode')}
          </p>
          <p className="push-code" aria-labelledby="push-test-code-label" data-testid="push-test-code">
            {answer.testCode}
          </p>
          <p className="muted">{t('action.pushEnroll.testCodeHint')}</p>
        </div>
      </div>
      <div className="field">
        <label htmlFor="push-enrollment-link">{t('action.pushEnroll.link')}</label>
        <input id="push-enrollment-link" readOnly value={answer.enrollmentUrl} data-testid="push-link" onFocus={(e) => e.target.select()} />
      </div>
      <div className="actions">
        <button type="button" onClick={() => void copyLink()}>
          {t('action.pushEnroll.copyLink')}
        </button>
      </div>
      {copy ? (
        <p role="status" className="muted">
          {t(copy === 'copied' ? 'action.recovery.copied' : 'action.pushEnroll.copyFailed')}
        </p>
      ) : null}
      <p className="muted">
        {expired
          ? t('action.pushEnroll.expiredAt', { when: time.clock(answer.expiresAt, now) })
          : t('action.pushEnroll.until', {
              when: time.clock(answer.expiresAt, now),
              left: time.duration(Date.parse(answer.expiresAt) - now),
            })}
      </p>
      <p
        className={device?.state === 'active' ? 'message message-info' : 'message message-warning'}
        role="status"
        data-testid="push-enrollment-progress"
        data-state={device?.state ?? (expired ? 'expired' : 'waiting')}
      >
        {progress}
      </p>
      <p className="muted">{t('action.pushEnroll.forget')}</p>
    </div>
  );
}
