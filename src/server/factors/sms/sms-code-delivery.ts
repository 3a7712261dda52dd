import type { Kysely } from 'kysely';
import type { TenantPolicy } from '../../../shared/policy.js';
import { constantTimeEqual, newId } from '../../crypto/tokens.js';
import type { SecretBox } from '../../crypto/secret-box.js';
import { renderMessage, type TemplateName } from '../../delivery/message-templates.js';
import { MINUTE } from '../../clock.js';
import { queueMessage } from '../../store/repositories/messages.js';
import {
  consumeSmsCode,
  findOpenSmsCode,
  insertSmsCode,
  takeSmsCodeAttempt,
  type SmsCodeOwner,
} from '../../store/repositories/sms-codes.js';
import type { Database } from '../../store/schema.js';
import { newSmsCode, smsCodeMacInput } from './sms-codes.js';

export interface SmsCodeRequest {
  owner: SmsCodeOwner;
  phone: string;
  template: Extract<TemplateName, 'sms_login_code' | 'sms_setup_code'>;
  locale: string;
  tenantId: string;
  tenantName: string;
  policy: TenantPolicy;
}

/**
 * Makes a code, stores its MAC and queues the SMS, all in the caller's transaction (the one that
 * counted it). Returns the message id to dispatch after commit.
 */
export async function createSmsCode(
  db: Kysely<Database>,
  secrets: SecretBox,
  request: SmsCodeRequest,
  now: number,
): Promise<{ messageId: string; expiresAt: number }> {
  const code = newSmsCode();
  const id = newId();
  const expiresAt = now + request.policy.smsCodeTtlMinutes * MINUTE;
  await insertSmsCode(db, request.owner, { id, phone: request.phone, codeMac: secrets.mac(smsCodeMacInput(id, code)), expiresAt }, now);
  const { text } = renderMessage(request.template, request.locale, {
    tenant: request.tenantName,
    code,
    minutes: request.policy.smsCodeTtlMinutes,
  });
  const messageId = await queueMessage(
    db,
    {
      tenantId: request.tenantId,
      userId: request.owner.userId,
      channel: 'sms',
      recipient: request.phone,
      template: request.template,
      locale: request.locale,
      text,
    },
    now,
  );
  return { messageId, expiresAt };
}

export type SmsCodeCheck = { ok: true; phone: string } | { ok: false; reason: 'none_open' | 'wrong'; attemptsLeft: number };

/** Checks a code against the owner's newest open code: one try taken atomically, then a single-use consume. */
export async function checkSmsCode(
  db: Kysely<Database>,
  secrets: SecretBox,
  owner: SmsCodeOwner,
  code: string,
  maxAttempts: number,
  now: number,
): Promise<SmsCodeCheck> {
  const open = await findOpenSmsCode(db, owner, now);
  if (!open) return { ok: false, reason: 'none_open', attemptsLeft: 0 };
  const attemptsLeft = await takeSmsCodeAttempt(db, open.id, maxAttempts, now);
  if (attemptsLeft === null) return { ok: false, reason: 'none_open', attemptsLeft: 0 };
  if (!/^\d{6}$/.test(code.trim()) || !constantTimeEqual(secrets.mac(smsCodeMacInput(open.id, code)), open.code_mac)) {
    return { ok: false, reason: 'wrong', attemptsLeft };
  }
  return (await consumeSmsCode(db, open.id, now)) ? { ok: true, phone: open.phone } : { ok: false, reason: 'none_open', attemptsLeft: 0 };
}
