import { isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A mobile number as a person typed it, read the one way the server, the console and the pages
 * read it: E.164 out, or why not. Only numbers that can receive SMS pass (mobile, or the plans where
 * mobile and fixed line cannot be told apart, as in the US). Pure: the server turns the refusal into
 * its ApiError, the console into a sentence beside the field.
 */
export type MobileNumberReading =
  { ok: true; e164: string; countryCallingCode: string } | { ok: false; problem: 'invalid_phone' | 'not_mobile' };

/**
 * `country` is the tenant's (policy `country`, ISO 3166-1 alpha-2): a national number ("0151 2345
 * 6789" in DE, "412 34 567" in NO) is read as one of that country. Without it (or with one
 * libphonenumber does not know) only international numbers are read.
 */
export function readMobileNumber(input: string, country?: string): MobileNumberReading {
  const typed = input
    .trim()
    // "0049 151 ...", "00 47 ...": 00 is the international prefix in most of the world (ITU-T E.164
    // Annex, and every country of the seeds' markets), whatever the tenant's country.
    .replace(/^00\s*(?=[1-9])/, '+')
    // "+49 (0)151 ...": the trunk prefix some write in brackets after the country code is not dialled
    // from abroad. libphonenumber drops it where the country has a trunk 0 (DE, GB), not everywhere
    // (NO has none): drop it here.
    .replace(/^(\+\d{1,3})\s*\(\s*0\s*\)\s*/, '$1 ');
  const defaultCountry = country && isSupportedCountry(country) ? country : undefined;
  const parsed = parsePhoneNumberFromString(typed, defaultCountry ? { defaultCountry } : {});
  if (!parsed || !parsed.isValid()) return { ok: false, problem: 'invalid_phone' };
  const type = parsed.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return { ok: false, problem: 'not_mobile' };
  return { ok: true, e164: parsed.number, countryCallingCode: parsed.countryCallingCode };
}
