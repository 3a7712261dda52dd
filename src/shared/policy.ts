import { isSupportedCountry } from 'libphonenumber-js/max';
import { z } from 'zod';
import { enrolledMethods, firstFactorMethods } from './methods.js';

/** An ISO 3166-1 alpha-2 code ("NO", "DE") of a country whose phone numbers libphonenumber knows. */
export const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'an ISO 3166-1 alpha-2 country code such as NO or DE')
  .refine(isSupportedCountry, 'a country whose phone numbers are known, such as NO or DE');

/**
 * A tenant's MFA policy. Every number the product promises is a field here, so a tenant admin can
 * change it; the defaults cite where they come from.
 *   seed 000 = ../shared/seeds/000 (24SevenOffice 2FA guide), seed 003 = ../shared/seeds/003 (Tungsten MFA).
 */
export const tenantPolicySchema = z.object({
  /** Every user must enrol a second factor before the first session is issued. @default true (seed 003: "verpflichtend") */
  mfaRequired: z.boolean(),
  /** Factors users may enrol and answer challenges with. */
  allowedMethods: z
    .array(z.enum(enrolledMethods))
    .min(1)
    .refine((methods) => methods.some((m) => (firstFactorMethods as readonly string[]).includes(m)), {
      message: 'at least one of totp and sms: a push device is added to an account that has one of them',
    }),
  /** "Remember this device" lifetime in days; 0 turns the option off. @default 30 (seed 000) */
  rememberDeviceDays: z.number().int().min(0).max(365),
  /** Ask again only when the IP changes or the password changes (sms preset). @default false / true (seed 003) */
  askOnlyOnNewIpOrPasswordChange: z.boolean(),
  /** Setup SMS verifications per user and day. @default 15 (seed 003) */
  smsSetupDailyLimit: z.number().int().min(1).max(1000),
  /** Sign-in SMS codes per user and day; the next request locks the account. @default 20 (seed 003) */
  smsLoginDailyLimit: z.number().int().min(1).max(1000),
  /** How long a lockout lasts. @default 24 (seed 003: "für 24 Stunden gesperrt") */
  lockoutHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  /** Wrong codes in a row (over all challenges) before the account locks. @default 10 (NIST SP 800-63B 5.2.2 allows at most 100; we are stricter) */
  maxFailedCodes: z.number().int().min(3).max(100_000),
  /** Wrong codes a single challenge accepts before it is spent. @default 5 (OWASP MFA cheat sheet: limit attempts per challenge) */
  challengeAttempts: z.number().int().min(1).max(20),
  /** Minutes a sign-in challenge stays open. @default 10 */
  challengeTtlMinutes: z.number().int().min(1).max(60),
  /** Recovery codes issued at once. @default 10 (better-auth two-factor default; seed 000 speaks of "a" code, more gives headroom) */
  recoveryCodeCount: z.number().int().min(1).max(20),
  /** Minutes a second factor counts as fresh for password change / recovery-code regeneration. @default 10 (OWASP ASVS 5.0 7.5.3: re-authenticate before sensitive changes) */
  stepUpFreshMinutes: z.number().int().min(1).max(120),
  /** Minutes a step-up for a sensitive scope (the bank module of seed 000) lasts. @default 15 */
  sensitiveScopeMinutes: z.number().int().min(1).max(240),
  /** Session lifetime in hours. @default 12 */
  sessionHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  /** IANA time zone whose calendar day the daily SMS limits count. @default "UTC" */
  timeZone: z.string().min(1).max(64).refine(isTimeZone, 'an IANA time zone such as Europe/Oslo'),
  /** Minutes an SMS code stays valid. @default 10 (NIST SP 800-63B 5.1.3.2 allows at most 10) */
  smsCodeTtlMinutes: z.number().int().min(1).max(10),
  /** Wrong tries one SMS code accepts. @default 5 (OWASP MFA cheat sheet) */
  smsCodeAttempts: z.number().int().min(1).max(10),
  /**
   * Country calling codes SMS may be sent to (toll-fraud guard: SMS pumping to premium ranges is the
   * costliest SMS abuse, OWASP "SMS pumping"). @default the Nordic, DACH, UK/IE and Benelux codes of the seeds' markets
   */
  smsAllowedCountryCodes: z.array(z.string().regex(/^\d{1,3}$/)).max(250),
  /**
   * The tenant's country (ISO 3166-1 alpha-2, "NO", "DE"): a phone number typed the national way
   * ("0151 2345 6789", "412 34 567") is read as a number of this country; one with +, 00 or another
   * country code is read as written. Absent (tenants made before it existed): only international
   * numbers are read, as before; no country is guessed, since a guess can make one country's
   * national number another's valid mobile. @default from the preset: NO (seed 000), DE (seed 003)
   */
  country: countryCode.optional(),
  /**
   * Wrong passwords in a row one account may make before each further try has to wait. The count is
   * kept per place: unrecognised places share one, while each trusted IP and each remembered device of
   * the user has its own, so an attacker elsewhere cannot lock the real user out of those.
   * @default 5 (OWASP Authentication Cheat Sheet, "Login throttling": a few attempts, then delays)
   */
  passwordFreeFailures: z.number().int().min(1).max(100),
  /**
   * The longest wait between tries once the delays (1 s, 2 s, 4 s, ... after the free failures) have grown.
   * @default 15 (NIST SP 800-63B-4 3.2.2: waits that grow as the account nears its limit)
   */
  passwordMaxDelayMinutes: z
    .number()
    .int()
    .min(1)
    .max(24 * 60),
  /**
   * Wrong passwords in a row after which that place (unrecognised places, one trusted IP, one device)
   * may not try again until the user signs in from a recognised one or support unlocks the account.
   * @default 100 (NIST SP 800-63B-4 3.2.2: no more than 100 consecutive failed attempts)
   */
  passwordMaxFailures: z.number().int().min(1).max(100),
  /**
   * Wrong passwords one IP address (IPv6: one /64) may make against this tenant's accounts in 15
   * minutes, trusted IPs included (only a remembered device is exempt). @default 100 (OWASP Credential Stuffing Prevention Cheat Sheet: limit per IP as one layer)
   */
  passwordFailuresPerIp: z.number().int().min(1).max(100_000),
  /**
   * After this many wrong passwords in a row, a right one asks for the second factor even on a
   * remembered device or a trusted IP: the password may have been guessed by someone there (a shared
   * office NAT). @default 3
   */
  secondFactorAfterPasswordFailures: z.number().int().min(1).max(100),
  /**
   * Accounts whose sign-in started failing within one 15-minute window at which support is alerted to
   * likely credential stuffing (many accounts, few tries each). @default 50 (OWASP Credential Stuffing
   * Prevention Cheat Sheet: alert on failed logins spread across many accounts)
   */
  credentialStuffingAlarmAccounts: z.number().int().min(2).max(1_000_000),
  /**
   * Seconds a push approval waits for the device's answer. @default 120 (privacyIDEA's push token
   * answer window; NIST SP 800-63B-4 3.1.3.1 allows an out-of-band secret at most 10 minutes)
   */
  pushApprovalSeconds: z.number().int().min(30).max(600),
  /** Seconds before a push may be sent again for the same sign-in. @default 30 (Duo and Okta Verify resend after about 30 s) */
  pushResendCooldownSeconds: z.number().int().min(5).max(300),
  /** Times one push challenge may be resent (woken again, same code). @default 3 */
  pushMaxResends: z.number().int().min(0).max(10),
  /**
   * Push challenges one user may be sent in 15 minutes. @default 5 (push bombing: NIST SP 800-63B-4
   * 3.1.3.1 asks verifiers to limit pushes sent; the Keycloak push-mfa extension allows one pending at a time)
   */
  pushPer15Minutes: z.number().int().min(1).max(100),
  /** Push challenges one user may be sent in a day since their last successful sign-in. @default 20 (as the SMS sign-in limit of seed 003) */
  pushPerDaySinceSuccess: z.number().int().min(1).max(1000),
  /**
   * Wrong codes typed on a device, in a row, before push is locked for the user (SMS and the app stay
   * available). @default 5 (OWASP MFA cheat sheet; NIST SP 800-63B-4 3.2.2: a new secret does not reset the count)
   */
  pushMaxWrongCodes: z.number().int().min(1).max(100),
  /** How long a push lock lasts. @default 24 (as the account lockout of seed 003) */
  pushLockHours: z
    .number()
    .int()
    .min(1)
    .max(24 * 30),
  /**
   * Days a printed enrollment sheet works before its key is refused. @default 14 (long enough for
   * internal mail and a holiday; a sheet is paper that can be lost, so it must not live for ever)
   */
  enrollmentSheetDays: z.number().int().min(1).max(90),
  /** Days the invitation link of a new personal account works. @default 7 (Okta's activation emails default to 7 days) */
  invitationDays: z.number().int().min(1).max(30),
  /**
   * Distinct IP addresses of successful sign-ins in a week from which an account looks shared.
   * @default 5 (a person's week: home, office, phone, a trip; a team's mailbox goes past that)
   */
  sharedAccountIpsPerWeek: z.number().int().min(2).max(1000),
  /** Distinct browsers (by user agent) of successful sign-ins in a week from which an account looks shared. @default 4 */
  sharedAccountBrowsersPerWeek: z.number().int().min(2).max(1000),
  /** Issuer shown in authenticator apps. @default the tenant name */
  totpIssuer: z.string().min(1).max(64).optional(),
});

export type TenantPolicy = z.infer<typeof tenantPolicySchema>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}
export type PolicyPreset = 'app' | 'sms';

const common = {
  mfaRequired: true,
  smsSetupDailyLimit: 15,
  smsLoginDailyLimit: 20,
  lockoutHours: 24,
  maxFailedCodes: 10,
  challengeAttempts: 5,
  challengeTtlMinutes: 10,
  recoveryCodeCount: 10,
  stepUpFreshMinutes: 10,
  sensitiveScopeMinutes: 15,
  sessionHours: 12,
  timeZone: 'UTC',
  smsCodeTtlMinutes: 10,
  smsCodeAttempts: 5,
  passwordFreeFailures: 5,
  passwordMaxDelayMinutes: 15,
  passwordMaxFailures: 100,
  passwordFailuresPerIp: 100,
  secondFactorAfterPasswordFailures: 3,
  credentialStuffingAlarmAccounts: 50,
  pushApprovalSeconds: 120,
  pushResendCooldownSeconds: 30,
  pushMaxResends: 3,
  pushPer15Minutes: 5,
  pushPerDaySinceSuccess: 20,
  pushMaxWrongCodes: 5,
  pushLockHours: 24,
  enrollmentSheetDays: 14,
  invitationDays: 7,
  sharedAccountIpsPerWeek: 5,
  sharedAccountBrowsersPerWeek: 4,
  smsAllowedCountryCodes: ['47', '46', '45', '358', '354', '49', '43', '41', '44', '353', '31', '32', '352'],
} satisfies Partial<TenantPolicy>;

/**
 * `app` = seed 000 (authenticator app + recovery code, remember 30 days; a Norwegian vendor, so
 * country NO); `sms` = seed 003 (SMS or push approval, and the app; German, so DE): push first, since a user who added a push device chose it, and it
 * costs no SMS; a user without one is offered SMS first.
 */
export const policyPresets: Record<PolicyPreset, TenantPolicy> = {
  app: { ...common, allowedMethods: ['totp'], rememberDeviceDays: 30, askOnlyOnNewIpOrPasswordChange: false, country: 'NO' },
  sms: { ...common, allowedMethods: ['push', 'sms', 'totp'], rememberDeviceDays: 0, askOnlyOnNewIpOrPasswordChange: true, country: 'DE' },
};

/** Scopes guarded by a stricter second-factor check, asked even on a remembered device (seed 000's bank module). */
export const sensitiveScopes = ['bank'] as const;
export type SensitiveScope = (typeof sensitiveScopes)[number];
