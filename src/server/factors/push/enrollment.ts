import { randomInt } from 'node:crypto';
import { isDisabled } from '../../flows/scheduled-disable.js';
import type { Kysely } from 'kysely';
import type { z } from 'zod';
import type { completeEnrollmentAnswer, completeEnrollmentRequest, pushEnrollmentAnswer } from '../../../shared/api/push.js';
import { enrollmentLink, enrollmentProofInput, jwkThumbprint, REQUEST_CLOCK_SKEW_MS, verifyBytes } from '../../../shared/push/protocol.js';
import { ApiError } from '../../api-error.js';
import { recordAudit } from '../../audit/audit-trail.js';
import { MINUTE, iso } from '../../clock.js';
import type { ServerContext } from '../../context.js';
import { constantTimeEqual, newId, newOpaqueToken, sha256Hex } from '../../crypto/tokens.js';
import type { RequestMeta } from '../../http/request-meta.js';
import { findPushDeviceByThumbprint, findPushEnrollment, insertPushDevice, useEnrollment } from '../../store/repositories/push-devices.js';
import type { Tenant } from '../../store/repositories/tenants.js';
import { findTenantById } from '../../store/repositories/tenants.js';
import { findUserById, type UserRow } from '../../store/repositories/users.js';
import type { Database } from '../../store/schema.js';
import { browserLabel } from '../../views/browser-label.js';
import { qrSvg } from '../../views/qr-svg.js';
import { openTestApproval } from './challenge.js';
import { isUniqueViolation } from '../../store/unique-violation.js';
import { announcePendingPush } from './push-events.js';

/** NIST SP 800-63B-4 3.1.3.1: an out-of-band secret lives at most 10 minutes. */
const ENROLLMENT_TTL = 10 * MINUTE;

export type PushEnrollmentAnswer = z.infer<typeof pushEnrollmentAnswer>;

/**
 * Starts a device enrollment for an enrolled user: a single-use secret (stored hashed) in a link's
 * fragment, its QR code, and the code the person types on the device for its first approval. The
 * caller has checked who may start it (a fresh second factor in the user's session, or support's
 * scope and role); `db` is the caller's transaction, so the audit event of support's action and the
 * enrollment commit together.
 */
export async function startPushEnrollment(
  ctx: ServerContext,
  db: Kysely<Database>,
  input: { user: UserRow; tenant: Tenant; startedBy: { type: 'user' | 'operator'; id: string }; ip: string },
): Promise<PushEnrollmentAnswer> {
  const { user, tenant } = input;
  if (!tenant.policy.allowedMethods.includes('push')) {
    throw new ApiError('method_not_available', `Push approval is not turned on for ${tenant.name}.`);
  }
  if (user.mfa_enrolled_at === null) {
    throw new ApiError(
      'enrollment_incomplete',
      'Set up the authenticator app or a phone first; a push device is added to an account that has one.',
    );
  }
  const now = ctx.clock.now();
  const id = newId();
  const secret = newOpaqueToken();
  const testCode = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const expiresAt = now + ENROLLMENT_TTL;
  await db
    .insertInto('push_enrollments')
    .values({
      id,
      user_id: user.id,
      tenant_id: tenant.id,
      secret_hash: sha256Hex(secret),
      test_code_enc: ctx.secrets.seal(testCode, `push-enrollment:${id}`),
      started_by_type: input.startedBy.type,
      started_by: input.startedBy.id,
      created_at: now,
      expires_at: expiresAt,
      used_at: null,
      device_id: null,
    })
    .execute();
  if (input.startedBy.type === 'user') {
    await recordAudit(db, now, {
      tenantId: tenant.id,
      userId: user.id,
      actorType: 'user',
      actorId: user.id,
      ip: input.ip,
      action: 'push.enrollment_started',
      details: { enrollmentId: id },
    });
  }
  const enrollmentUrl = enrollmentLink(ctx.publicUrl, id, secret);
  return { enrollmentId: id, enrollmentUrl, qrSvg: await qrSvg(enrollmentUrl), testCode, expiresAt: iso(expiresAt) };
}

/**
 * The device's half: its public key, its name, and proof that it holds the private key (a signature
 * over the enrollment id, the key's thumbprint and the time). The secret is spent by one conditional
 * update, so it enrolls one device however often it is sent; the device starts `pending` with a test
 * approval waiting, and the code shown where enrollment began activates it.
 */
export async function completePushEnrollment(
  ctx: ServerContext,
  enrollmentId: string,
  input: z.infer<typeof completeEnrollmentRequest>,
  meta: RequestMeta,
): Promise<z.infer<typeof completeEnrollmentAnswer>> {
  const { db } = ctx.store;
  const now = ctx.clock.now();
  const enrollment = await findPushEnrollment(db, enrollmentId);
  // One answer for an unknown id and a wrong secret: the id alone must not tell whether it exists.
  if (!enrollment || !constantTimeEqual(sha256Hex(input.secret), enrollment.secret_hash)) {
    throw new ApiError('not_found', 'This enrollment link is not valid. Start again where you added the device.');
  }
  if (enrollment.used_at !== null) throw new ApiError('link_expired', 'This enrollment link was already used. Start again.');
  if (enrollment.expires_at <= now) throw new ApiError('link_expired', 'This enrollment link has expired (10 minutes). Start again.');
  if (Math.abs(input.iat - now) > REQUEST_CLOCK_SKEW_MS) {
    throw new ApiError('invalid_signature', "The device's clock is off by more than a minute. Set it to the right time and try again.", {
      reason: 'clock_skew',
    });
  }
  const jkt = await jwkThumbprint(input.publicKeyJwk);
  if (!(await verifyBytes(input.publicKeyJwk, enrollmentProofInput({ enrollmentId, jkt, iat: input.iat }), input.proof))) {
    throw new ApiError('invalid_signature', 'The proof does not match the key.', { reason: 'bad_signature' });
  }
  if (await findPushDeviceByThumbprint(db, jkt)) throw new ApiError('conflict', 'This key is already enrolled.');
  const [user, tenant] = await Promise.all([findUserById(db, enrollment.user_id), findTenantById(db, enrollment.tenant_id)]);
  if (!user || !tenant || isDisabled(user, ctx.clock.now())) throw new ApiError('not_found', 'This enrollment link is not valid.');

  const deviceId = newId();
  const testCode = ctx.secrets.open(enrollment.test_code_enc, `push-enrollment:${enrollment.id}`);
  const pushId = await db
    .transaction()
    .execute(async (trx) => {
      if (!(await useEnrollment(trx, enrollment.id, deviceId, now))) {
        throw new ApiError('link_expired', 'This enrollment link was already used. Start again.');
      }
      await insertPushDevice(trx, {
        id: deviceId,
        user_id: user.id,
        tenant_id: tenant.id,
        name: input.deviceName,
        platform: input.platform,
        public_jwk: JSON.stringify(input.publicKeyJwk),
        jkt,
        state: 'pending',
        created_at: now,
        activated_at: null,
        last_used_at: null,
        suspended_at: null,
        revoked_at: null,
        subscription: input.pushSubscription ? JSON.stringify(input.pushSubscription) : null,
        subscription_stale_at: null,
      });
      const id = await openTestApproval(ctx, trx, {
        user,
        tenant,
        deviceId,
        code: testCode,
        ip: meta.ip,
        browser: browserLabel(meta.userAgent),
        now,
      });
      await recordAudit(trx, now, {
        tenantId: tenant.id,
        userId: user.id,
        actorType: 'user',
        actorId: user.id,
        ip: meta.ip,
        action: 'push.device_enrolled',
        details: { deviceId, deviceName: input.deviceName, platform: input.platform, enrollmentId: enrollment.id },
      });
      return id;
    })
    .catch((error: unknown) => {
      // The same key enrolled at the same moment by another link: the unique thumbprint decides.
      if (isUniqueViolation(error)) throw new ApiError('conflict', 'This key is already enrolled.');
      throw error;
    });
  announcePendingPush(user.id, pushId);
  return { deviceId, state: 'pending', account: { tenant: tenant.name, email: user.email } };
}
