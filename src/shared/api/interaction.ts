import { z } from 'zod';
import { loginAnswer, verifyRequest } from './end-user.js';
import { pageLanguages } from '../languages.js';

/**
 * The hosted sign-in pages' calls while the OpenID Provider waits for them (an "interaction": a
 * portal sent the browser to /oidc/auth, the provider sent it on to /interaction/{uid}). Every call
 * is bound to that browser by the provider's interaction cookie (HttpOnly, SameSite=Lax) and must
 * come from this server's own origin (CSRF). The rest of the sign-in (sending an SMS, push, the
 * /v1/enroll/* steps) uses the end-user API as it is, with the tokens these answers carry.
 */

export { pageLanguages, type PageLanguage } from '../languages.js';

export const interactionParams = z.object({ uid: z.string().regex(/^[A-Za-z0-9_-]{10,64}$/, 'an interaction id') });
export const interactionChallengeParams = interactionParams.extend({ id: z.string().min(1).max(64) });

/** A sensitive scope a portal may ask a fresh second factor for (acr_values=bank). */
export const stepUpAcr = 'bank';
/** The acr values the provider states: password only, a second factor (or a place the policy recognises), a fresh one for the bank module. */
export const acrValues = ['pwd', 'mfa', stepUpAcr] as const;
export type AcrValue = (typeof acrValues)[number];

export const interactionDetails = z.object({
  uid: z.string(),
  tenant: z.object({ slug: z.string(), name: z.string() }),
  client: z.object({ name: z.string() }),
  /** From the portal's ui_locales, when it named a language the pages speak. */
  language: z.enum(pageLanguages).nullable(),
  /** The portal's login_hint, or the email of whoever is signed in at the provider already. */
  loginHint: z.string().nullable(),
  /** 'bank': the portal asked for a fresh second factor (acr_values=bank); asked even on a remembered device. */
  stepUp: z.literal(stepUpAcr).nullable(),
  /** "Remember this device for N days" is offered when N > 0 (the tenant's policy). */
  rememberDeviceDays: z.number().int(),
});

export const interactionLoginRequest = z.strictObject({
  email: z.string().trim().min(1).max(254),
  password: z.string().min(1).max(1024),
});

/** The end-user login answer; the remembered-device cookie takes the place of `deviceToken`. */
export const interactionLoginAnswer = loginAnswer.and(z.object({ language: z.enum(pageLanguages).optional() }));

/** As POST /v1/auth/challenges/{id}/verify; a remembered device goes into an HttpOnly cookie, never into the page. */
export const interactionVerifyRequest = verifyRequest;
export const interactionVerifyAnswer = z.object({ sessionToken: z.string() });

export const interactionFinishRequest = z.strictObject({ sessionToken: z.string().min(16).max(256) });

const challengeShape = {
  challengeId: z.string(),
  methods: loginAnswer.options[1].shape.methods,
  preferred: loginAnswer.options[1].shape.preferred,
  phoneHint: z.string().nullable(),
  smsRemainingToday: z.number().int().nullable(),
  attemptsLeft: z.number().int(),
  expiresAt: z.string(),
};

export const interactionFinishAnswer = z.discriminatedUnion('status', [
  /** Back to the portal: the browser goes to `redirectTo`. */
  z.object({
    status: z.literal('done'),
    redirectTo: z.string(),
    /** The portal asked for what this account cannot give (a step-up without a second factor): it hears why. */
    refused: z.literal(true).optional(),
  }),
  /**
   * The portal asked for a fresh second factor and this sign-in had none (a remembered device, a
   * trusted IP, or an older one): answer this challenge at /interaction/{uid}/verify/{id}, then finish again.
   */
  z.object({ status: z.literal('step_up'), ...challengeShape }),
]);

export const interactionCancelAnswer = z.object({ redirectTo: z.string() });
