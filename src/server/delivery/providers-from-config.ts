import type { ServerConfig } from '../config.js';
import type { MessageProvider } from './message-provider.js';
import { OutboxFileProvider } from './providers/outbox-file.js';
import { SmsWebhookProvider } from './providers/sms-webhook.js';
import { SmtpEmailProvider } from './providers/smtp-email.js';
import { noPushWaker, type PushWaker } from './push-waker.js';
import { WebPushWaker } from './providers/web-push.js';

/** SMS_PROVIDER=outbox|webhook and EMAIL_PROVIDER=outbox|smtp, with their settings (README). */
export function providersFromConfig(config: ServerConfig): { sms: MessageProvider; email: MessageProvider } {
  const outbox = new OutboxFileProvider(config.outboxPath);
  const { delivery } = config;
  let sms: MessageProvider = outbox;
  if (delivery.smsProvider === 'webhook') {
    if (!delivery.smsWebhookUrl || !delivery.smsWebhookSecret)
      throw new Error('SMS_PROVIDER=webhook needs SMS_WEBHOOK_URL and SMS_WEBHOOK_SECRET');
    sms = new SmsWebhookProvider(delivery.smsWebhookUrl, delivery.smsWebhookSecret);
  } else if (delivery.smsProvider !== 'outbox') {
    throw new Error(`SMS_PROVIDER must be outbox or webhook, not "${delivery.smsProvider}"`);
  }
  let email: MessageProvider = outbox;
  if (delivery.emailProvider === 'smtp') {
    if (!delivery.smtpUrl) throw new Error('EMAIL_PROVIDER=smtp needs SMTP_URL');
    email = new SmtpEmailProvider(delivery.smtpUrl, delivery.mailFrom);
  } else if (delivery.emailProvider !== 'outbox') {
    throw new Error(`EMAIL_PROVIDER must be outbox or smtp, not "${delivery.emailProvider}"`);
  }
  return { sms, email };
}

/** PUSH_PROVIDER=none|webpush; webpush needs VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (`mfa-desk push vapid-keys`). */
export function pushWakerFromConfig(config: ServerConfig): PushWaker {
  const { delivery } = config;
  if (delivery.pushProvider === 'none') return noPushWaker;
  if (delivery.pushProvider !== 'webpush') throw new Error(`PUSH_PROVIDER must be none or webpush, not "${delivery.pushProvider}"`);
  if (!delivery.vapidPublicKey || !delivery.vapidPrivateKey) {
    throw new Error('PUSH_PROVIDER=webpush needs VAPID_PUBLIC_KEY and VAPID_PRIVATE_KEY (make a pair with: mfa-desk push vapid-keys)');
  }
  return new WebPushWaker(
    { publicKey: delivery.vapidPublicKey, privateKey: delivery.vapidPrivateKey, subject: delivery.vapidSubject },
    5_000,
    delivery.webPushAllowLocalEndpoints,
  );
}
