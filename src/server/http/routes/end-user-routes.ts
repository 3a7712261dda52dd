import { z } from 'zod';
import * as api from '../../../shared/api/end-user.js';
import { completeEnrollment, confirmTotpEnrollment, startTotpEnrollment } from '../../flows/enrollment.js';
import { verifyChallenge } from '../../flows/challenge-verification.js';
import { changePassword, checkScopeAccess, describeMe, forgetDevice, logout, regenerateRecoveryCodes, requestStepUp } from '../../flows/self-service.js';
import { confirmPhoneEnrollment, startPhoneEnrollment } from '../../flows/phone-enrollment.js';
import { confirmPhoneReset, describePhoneReset, sendPhoneResetCode } from '../../flows/phone-reset.js';
import { signIn } from '../../flows/sign-in.js';
import { sendChallengeSms } from '../../flows/sms-challenge.js';
import { defineRoute, type RouteSpec } from '../route-spec.js';

const noBody = z.strictObject({}).optional();
const scopeParams = z.object({ scope: z.enum(['bank']) });

/** The end-user API (design/API.md, "End users"). */
export const endUserRoutes: RouteSpec[] = [
  defineRoute({
    method: 'POST', url: '/v1/auth/login', tag: 'sign-in', auth: 'none',
    summary: 'Sign in with email and password; answers with a session, a second-factor challenge or an enrollment token. Wrong passwords are throttled (429 with Retry-After).',
    body: api.loginRequest, response: api.loginAnswer,
    errors: ['invalid_credentials', 'unknown_tenant', 'account_locked', 'too_many_attempts', 'invalid_json', 'payload_too_large'],
    handler: ({ ctx, body, meta }) => signIn(ctx, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/auth/challenges/:id/verify', tag: 'sign-in', auth: 'none',
    summary: 'Answer a challenge with an authenticator-app code or a recovery code; optionally remember this device.',
    params: api.challengeParams, body: api.verifyRequest, response: api.verifyAnswer,
    errors: ['invalid_code', 'challenge_expired', 'not_found', 'account_locked'],
    handler: ({ ctx, params, body, meta }) => verifyChallenge(ctx, params.id, body, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/auth/challenges/:id/sms', tag: 'sign-in', auth: 'none', status: 202,
    summary: 'Send (or resend) a sign-in code by SMS. Over the daily limit the account locks (423).',
    params: api.challengeParams, body: noBody, response: api.smsSentAnswer,
    errors: ['not_found', 'challenge_expired', 'account_locked', 'method_not_available', 'sms_country_not_allowed', 'sms_limit_reached'],
    handler: ({ ctx, params, meta }) => sendChallengeSms(ctx, params.id, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/auth/logout', tag: 'sign-in', auth: 'session',
    summary: 'End this session.', body: noBody, response: api.okAnswer, errors: ['unauthorized', 'invalid_token'],
    handler: async ({ ctx, auth, meta }) => (await logout(ctx, auth, meta), { ok: true as const }),
  }),
  defineRoute({
    method: 'POST', url: '/v1/enroll/totp', tag: 'enrollment', auth: 'enrollment_or_session',
    summary: 'Start authenticator-app enrollment: a new secret, its otpauth URI and a QR code (SVG).',
    body: noBody, response: api.totpEnrollAnswer, errors: ['unauthorized', 'invalid_token', 'already_enrolled'],
    handler: ({ ctx, auth, meta }) => startTotpEnrollment(ctx, auth, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/enroll/totp/confirm', tag: 'enrollment', auth: 'enrollment_or_session',
    summary: 'Confirm the app with a code; answers with the recovery codes, shown this once.',
    body: api.totpConfirmRequest, response: api.recoveryCodesAnswer, errors: ['unauthorized', 'invalid_token', 'invalid_code', 'conflict'],
    handler: ({ ctx, auth, body, meta }) => confirmTotpEnrollment(ctx, auth, body.code, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/enroll/phone', tag: 'enrollment', auth: 'enrollment_or_session', status: 202,
    summary: 'Send a code to the mobile number being set up (at most smsSetupDailyLimit a day).',
    body: api.phoneRequest, response: api.smsSentAnswer,
    errors: ['unauthorized', 'invalid_token', 'invalid_phone', 'sms_country_not_allowed', 'sms_limit_reached', 'phone_change_via_support', 'forbidden'],
    handler: ({ ctx, auth, body, meta }) => startPhoneEnrollment(ctx, auth, body.phone, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/enroll/phone/confirm', tag: 'enrollment', auth: 'enrollment_or_session',
    summary: 'Confirm the number with the SMS code; at first enrollment answers with the recovery codes, shown once.',
    body: api.smsCodeRequest, response: api.phoneConfirmAnswer, errors: ['unauthorized', 'invalid_token', 'invalid_code'],
    handler: ({ ctx, auth, body, meta }) => confirmPhoneEnrollment(ctx, auth, body.code, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/enroll/complete', tag: 'enrollment', auth: 'enrollment_or_session',
    summary: 'Finish enrollment once the user confirms the recovery codes are saved; answers with a session.',
    body: api.enrollCompleteRequest, response: api.enrollCompleteAnswer, errors: ['unauthorized', 'invalid_token', 'enrollment_incomplete'],
    handler: ({ ctx, auth, meta }) => completeEnrollment(ctx, auth, meta),
  }),
  defineRoute({
    method: 'GET', url: '/v1/me', tag: 'self-service', auth: 'session',
    summary: 'The signed-in user, factors, recovery codes left, remembered devices.', response: api.meAnswer, errors: ['unauthorized', 'invalid_token'],
    handler: ({ ctx, auth }) => describeMe(ctx, auth),
  }),
  defineRoute({
    method: 'POST', url: '/v1/me/recovery-codes', tag: 'self-service', auth: 'session',
    summary: 'New recovery codes (the old ones stop working). Needs a fresh second factor.',
    body: noBody, response: api.recoveryCodesAnswer, errors: ['unauthorized', 'invalid_token', 'step_up_required', 'enrollment_incomplete'],
    handler: ({ ctx, auth, meta }) => regenerateRecoveryCodes(ctx, auth, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/me/password', tag: 'self-service', auth: 'session',
    summary: 'Change the password. Needs a fresh second factor; ends other sessions and remembered devices.',
    body: api.passwordChangeRequest, response: api.okAnswer, errors: ['unauthorized', 'invalid_token', 'step_up_required', 'invalid_credentials', 'too_many_attempts'],
    handler: async ({ ctx, auth, body, meta }) => (await changePassword(ctx, auth, body, meta), { ok: true as const }),
  }),
  defineRoute({
    method: 'GET', url: '/v1/me/devices', tag: 'self-service', auth: 'session',
    summary: 'Remembered devices.', response: z.object({ devices: z.array(api.trustedDevice) }), errors: ['unauthorized', 'invalid_token'],
    handler: async ({ ctx, auth }) => ({ devices: (await describeMe(ctx, auth)).devices }),
  }),
  defineRoute({
    method: 'DELETE', url: '/v1/me/devices', tag: 'self-service', auth: 'session',
    summary: 'Forget every remembered device.', response: api.okAnswer, errors: ['unauthorized', 'invalid_token'],
    handler: async ({ ctx, auth, meta }) => (await forgetDevice(ctx, auth, undefined, meta), { ok: true as const }),
  }),
  defineRoute({
    method: 'DELETE', url: '/v1/me/devices/:id', tag: 'self-service', auth: 'session',
    summary: 'Forget one remembered device.', params: api.deviceParams, response: api.okAnswer, errors: ['unauthorized', 'invalid_token', 'not_found'],
    handler: async ({ ctx, auth, params, meta }) => (await forgetDevice(ctx, auth, params.id, meta), { ok: true as const }),
  }),
  defineRoute({
    method: 'POST', url: '/v1/me/step-up', tag: 'self-service', auth: 'session',
    summary: 'Ask for a stricter check for a sensitive scope (bank) or account changes; asked even on a remembered device.',
    body: api.stepUpRequest, response: api.stepUpAnswer, errors: ['unauthorized', 'invalid_token', 'forbidden'],
    handler: ({ ctx, auth, body, meta }) => requestStepUp(ctx, auth, body.scope, meta),
  }),
  defineRoute({
    method: 'GET', url: '/v1/me/scopes/:scope', tag: 'self-service', auth: 'session',
    summary: 'Whether this session may use a sensitive scope now; 403 step_up_required with a challenge if not.',
    params: scopeParams, response: api.scopeAccessAnswer, errors: ['unauthorized', 'invalid_token', 'step_up_required'],
    handler: ({ ctx, auth, params, meta }) => checkScopeAccess(ctx, auth, params.scope, meta),
  }),
  defineRoute({
    method: 'GET', url: '/v1/phone-reset/:token', tag: 'phone reset', auth: 'none',
    summary: 'What a support-sent reset link is for: whose account, the current number (masked), when it expires.',
    params: api.resetTokenParams, response: api.phoneResetInfo, errors: ['not_found', 'link_expired'],
    handler: ({ ctx, params }) => describePhoneReset(ctx, params.token),
  }),
  defineRoute({
    method: 'POST', url: '/v1/phone-reset/:token', tag: 'phone reset', auth: 'none', status: 202,
    summary: 'Send a code to the new number (the setup limit applies).',
    params: api.resetTokenParams, body: api.phoneRequest, response: api.smsSentAnswer,
    errors: ['not_found', 'link_expired', 'invalid_phone', 'sms_country_not_allowed', 'sms_limit_reached'],
    handler: ({ ctx, params, body, meta }) => sendPhoneResetCode(ctx, params.token, body.phone, meta),
  }),
  defineRoute({
    method: 'POST', url: '/v1/phone-reset/:token/confirm', tag: 'phone reset', auth: 'none',
    summary: 'Confirm the new number: the old one is gone, remembered devices and sessions end, the user is emailed.',
    params: api.resetTokenParams, body: api.smsCodeRequest, response: api.phoneResetDone, errors: ['not_found', 'link_expired', 'invalid_code'],
    handler: ({ ctx, params, body, meta }) => confirmPhoneReset(ctx, params.token, body.code, meta),
  }),
];
