import { z } from 'zod';
import { firstFactorMethods, signInMethods, type SignInMethod } from '../methods.js';
import { sensitiveScopes } from '../policy.js';
import { readChallengeCode, withoutSeparators } from '../typed-code.js';
import { factorView, trustedDeviceView } from './views.js';

/**
 * Request and answer shapes of the end-user API (design/API.md, "End users"). The server validates
 * requests with these schemas and builds /openapi.json from them; tests and clients import them too.
 */

const email = z.string().trim().toLowerCase().pipe(z.email().max(254));
const password = z.string().min(1).max(1024);
/**
 * Six digits from an authenticator app or SMS, as typed ("123 456", "123-456": the separators are
 * dropped), or a recovery code (letters, digits, dashes), which its factor reads.
 */
const code = z
  .string()
  .max(64)
  .describe('six digits (spaces and dashes between them are ignored: "123 456"), or a recovery code')
  .transform(readChallengeCode)
  .pipe(z.string().min(6).max(64));
/** Six digits from an authenticator app or an SMS, as typed: spaces and dashes between them are dropped. */
export const sixDigitCode = z
  .string()
  .max(64)
  .describe('six digits; spaces and dashes between them are ignored ("123 456", "123-456")')
  .transform(withoutSeparators)
  .pipe(z.string().regex(/^\d{6}$/, 'six digits'));
const opaqueToken = z.string().min(16).max(256);

export const methodSchema = z.enum(signInMethods);
export type ChallengeMethod = SignInMethod;

export const loginRequest = z.strictObject({
  tenant: z.string().trim().min(1).max(64),
  email,
  password,
  deviceToken: opaqueToken.optional(),
});

export const publicUser = z.object({
  id: z.string(),
  tenantId: z.string(),
  email: z.string(),
  name: z.string(),
  locale: z.string(),
  mfaEnrolled: z.boolean(),
});
export type PublicUser = z.infer<typeof publicUser>;

export const loginAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('authenticated'), sessionToken: z.string(), user: publicUser }),
  z.object({
    status: z.literal('mfa_required'),
    challengeId: z.string(),
    methods: z.array(methodSchema),
    preferred: methodSchema,
    phoneHint: z.string().nullable(),
    /** SMS sign-in codes left today, when SMS is one of the methods. */
    smsRemainingToday: z.number().int().nullable(),
    attemptsLeft: z.number().int(),
    expiresAt: z.string(),
  }),
  z.object({
    status: z.literal('enrollment_required'),
    enrollmentToken: z.string(),
    methods: z.array(z.enum(firstFactorMethods)),
    /**
     * An administrator printed an enrollment sheet for this user: a code from the app set up from it,
     * sent to POST /v1/enroll/totp/confirm, confirms it (no QR code needed). Added with the sheets.
     */
    enrollmentSheet: z.object({ expiresAt: z.string() }).optional(),
    /**
     * An app was confirmed (from a QR code or a sheet) but its recovery codes were never acknowledged
     * (the page was closed): a code from it at POST /v1/enroll/totp/confirm shows new ones. Added with the sheets.
     */
    appAwaitingCodes: z.literal(true).optional(),
  }),
]);

export const challengeParams = z.object({ id: z.string().min(1).max(64) });

export const verifyRequest = z
  .strictObject({
    method: methodSchema,
    /** Every method but push: the code. A push is answered on the device; its approval is the proof. */
    code: code.optional(),
    rememberDevice: z.boolean().optional(),
  })
  .refine((request) => request.method === 'push' || request.code !== undefined, { message: 'a code is required', path: ['code'] });

export const verifyAnswer = z.object({
  status: z.literal('authenticated'),
  sessionToken: z.string(),
  deviceToken: z.string().optional(),
  scope: z.string().optional(),
});

export const smsSentAnswer = z.object({ sentTo: z.string(), remainingToday: z.number().int(), expiresAt: z.string() });

const phoneInput = z.string().trim().min(3).max(32);
export const phoneRequest = z.strictObject({ phone: phoneInput });
export const smsCodeRequest = z.strictObject({ code: sixDigitCode });
export const phoneConfirmAnswer = z.object({ phoneHint: z.string(), recoveryCodes: z.array(z.string()) });

export const resetTokenParams = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{20,128}$/, 'a reset link token') });
export const phoneResetInfo = z.object({
  tenant: z.string(),
  email: z.string(),
  currentPhone: z.string().nullable(),
  expiresAt: z.string(),
});
export const phoneResetDone = z.object({ ok: z.literal(true), phoneHint: z.string() });

export const totpEnrollAnswer = z.object({ secret: z.string(), otpauthUri: z.string(), qrSvg: z.string() });
export const totpConfirmRequest = z.strictObject({ code: sixDigitCode });
export const recoveryCodesAnswer = z.object({ recoveryCodes: z.array(z.string()) });
export const enrollCompleteRequest = z.strictObject({ recoveryCodesSaved: z.literal(true) });
export const enrollCompleteAnswer = z.object({ sessionToken: z.string() });

export const stepUpRequest = z.strictObject({ scope: z.enum([...sensitiveScopes, 'account']) });
export const stepUpAnswer = z.discriminatedUnion('status', [
  z.object({ status: z.literal('granted'), scope: z.string(), until: z.string() }),
  z.object({ status: z.literal('challenge'), challengeId: z.string(), methods: z.array(methodSchema) }),
]);

export const passwordChangeRequest = z.strictObject({
  currentPassword: password,
  newPassword: z.string().min(12, 'at least 12 characters').max(1024),
});

export const deviceParams = z.object({ id: z.string().min(1).max(64) });

export const meAnswer = z.object({
  user: publicUser,
  tenant: z.object({ id: z.string(), slug: z.string(), name: z.string() }),
  factors: z.array(factorView),
  recoveryCodesLeft: z.number().int(),
  devices: z.array(trustedDeviceView),
  session: z.object({ expiresAt: z.string(), secondFactorAt: z.string().nullable() }),
});

export const okAnswer = z.object({ ok: z.literal(true) });
export const scopeAccessAnswer = z.object({ scope: z.string(), granted: z.literal(true), until: z.string() });
