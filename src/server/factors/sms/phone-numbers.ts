import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import metadata from 'libphonenumber-js/metadata.max';
import { ApiError } from '../../api-error.js';
import { readMobileNumber } from '../../../shared/phone.js';

export interface PhoneNumber {
  /** +4791234567 */
  e164: string;
  /** "47" */
  countryCallingCode: string;
}

/**
 * Parses what a user typed into E.164. Only numbers that can receive SMS are accepted (mobile, or
 * the plans where mobile and fixed line can't be told apart, as in the US). `country`: the tenant's
 * (policy `country`), for numbers typed the national way.
 */
export function parseMobileNumber(input: string, country: string | undefined): PhoneNumber {
  const reading = readMobileNumber(input, country);
  if (reading.ok) return { e164: reading.e164, countryCallingCode: reading.countryCallingCode };
  throw new ApiError(
    'invalid_phone',
    reading.problem === 'not_mobile'
      ? 'That number cannot receive text messages. Give a mobile number.'
      : 'That is not a valid phone number. Give it with the country code, like +47 912 34 567.',
  );
}

/** The toll-fraud guard: SMS only to the calling codes the tenant allows. */
export function assertSmsCountryAllowed(phone: PhoneNumber, allowed: readonly string[]): void {
  if (!allowed.includes(phone.countryCallingCode)) {
    throw new ApiError(
      'sms_country_not_allowed',
      `Text messages to +${phone.countryCallingCode} numbers are not enabled for your organisation.`,
      { countryCallingCode: phone.countryCallingCode },
    );
  }
}

export function callingCodeOf(e164: string): string {
  return parsePhoneNumberFromString(e164)?.countryCallingCode ?? '';
}

/**
 * The calling code a stored (valid E.164) number starts with, for display only: calling codes are
 * prefix-free (ITU-T E.164), so it is the one of 1-3 digits that starts the number, which is what
 * libphonenumber's parse finds too, without validating the whole number (a search page masks 25
 * phones, and parsing each was 6.5% of the server's time in bench/admin-search). The toll-fraud guard
 * keeps callingCodeOf: a number that does not parse gets no code there.
 */
function callingCodeByPrefix(e164: string): string {
  if (!e164.startsWith('+')) return '';
  for (let length = 1; length <= 3; length++) {
    const code = e164.slice(1, 1 + length);
    if (callingCodes.has(code)) return code;
  }
  return '';
}

/** Every calling code, the non-geographic ones (+800, +882) too: the metadata parse itself reads. */
const callingCodes = new Set([...Object.keys(metadata.country_calling_codes), ...Object.keys(metadata.nonGeographic)]);

/** "+47 ••••• 567": enough for the user to recognise their phone, not enough to learn it. */
export function maskPhone(e164: string): string {
  const code = callingCodeByPrefix(e164);
  const rest = e164.slice(1 + code.length);
  return `+${code} ${'•'.repeat(Math.max(0, rest.length - 3))}${rest.slice(-3)}`;
}
