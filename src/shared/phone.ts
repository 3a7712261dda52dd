import { parsePhoneNumberFromString } from 'libphonenumber-js/max';

/**
 * A mobile number as a person typed it, read the one way the server, the console and the pages
 * read it: E.164 out, or why not. Only numbers that can receive SMS pass (mobile, or the plans where
 * mobile and fixed line cannot be told apart, as in the US). Pure: the server turns the refusal into
 * its ApiError, the console into a sentence beside the field.
 */
export type MobileNumberReading =
  { ok: true; e164: string; countryCallingCode: string } | { ok: false; problem: 'invalid_phone' | 'not_mobile' };

export function readMobileNumber(input: string): MobileNumberReading {
  // "0049 151 ...", "00 47 ...": 00 is the international prefix in most of the world (ITU-T E.164
  // Annex, and every country of the seeds' markets); a national number ("0151 ...") needs the
  // tenant's country and is not read here.
  const typed = input.trim().replace(/^00\s*(?=[1-9])/, '+');
  const parsed = parsePhoneNumberFromString(typed);
  if (!parsed || !parsed.isValid()) return { ok: false, problem: 'invalid_phone' };
  const type = parsed.getType();
  if (type !== undefined && type !== 'MOBILE' && type !== 'FIXED_LINE_OR_MOBILE') return { ok: false, problem: 'not_mobile' };
  return { ok: true, e164: parsed.number, countryCallingCode: parsed.countryCallingCode };
}
