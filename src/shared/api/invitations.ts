import { z } from 'zod';
import { firstFactorMethods } from '../methods.js';

/**
 * The invitation a personal account starts with (a tenant admin's break-up of a shared account):
 * the emailed link `<server>/invitation/#t=<token>` opens the hosted page, which shows whose account
 * it is, lets the person choose a password, and leads into enrollment with the enrollment token the
 * acceptance answers (the /v1/enroll/* calls of design/API.md). The token rides in the fragment, so
 * it never reaches a log; it is single use and stored hashed.
 */

const invitationToken = z.string().regex(/^[A-Za-z0-9_-]{32,128}$/, 'the token from the invitation link');

export const invitationInspectRequest = z.strictObject({ token: invitationToken });

export const invitationView = z.object({
  /**
   * `open`: choose a password. `accepted`: the password was chosen but the second factor is not set
   * up yet (the page was closed, the enrollment token ran out): sign in with the email and that
   * password (POST /v1/auth/login with `tenantSlug`) to go on with enrollment. Once enrollment is
   * complete, the link answers 410 link_expired.
   */
  state: z.enum(['open', 'accepted']),
  /** The tenant as POST /v1/auth/login and /sign-in?tenant= name it. */
  tenantSlug: z.string(),
  tenantName: z.string(),
  email: z.string(),
  name: z.string(),
  locale: z.enum(['en', 'nb', 'de']),
  expiresAt: z.string(),
  /** The number the tenant admin gave, in E.164, for the person to confirm by SMS (null: none given). */
  proposedPhone: z.string().nullable(),
  /** What the person will set up after the password, in the tenant's order. */
  methods: z.array(z.enum(firstFactorMethods)),
  /** The least a password must have. */
  passwordMinLength: z.number().int(),
});
export type InvitationView = z.infer<typeof invitationView>;

export const invitationAcceptRequest = z.strictObject({
  token: invitationToken,
  password: z.string().min(12, 'at least 12 characters').max(1024),
});

export const invitationAcceptAnswer = z.object({
  status: z.literal('enrollment_required'),
  /** Bearer token for /v1/enroll/* (30 minutes). */
  enrollmentToken: z.string(),
  methods: z.array(z.enum(firstFactorMethods)),
  proposedPhone: z.string().nullable(),
});
export type InvitationAcceptAnswer = z.infer<typeof invitationAcceptAnswer>;
