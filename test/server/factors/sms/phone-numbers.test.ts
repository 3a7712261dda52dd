import { getCountries, getExampleNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import { describe, expect, it } from 'vitest';
import { callingCodeOf, maskPhone } from '../../../../src/server/factors/sms/phone-numbers.js';

describe('phone numbers', () => {
  it('masks behind the calling code libphonenumber finds, for every plan, the non-geographic ones too', () => {
    // The example mobile number of every country, non-geographic ones, and a spread of random valid ones.
    const numbers = [
      ...getCountries().flatMap((country) => getExampleNumber(country, examples)?.number ?? []),
      '+80012345678',
      '+881612345678',
    ];
    let seed = 11;
    while (numbers.length < 3000) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const digits = String(seed)
        .padEnd(12, String(seed % 10))
        .slice(0, 8 + (seed % 5));
      const parsed = parsePhoneNumberFromString(`+${digits}`);
      if (parsed?.isValid()) numbers.push(parsed.number);
    }
    for (const number of numbers) {
      const parsed = parsePhoneNumberFromString(number);
      expect(parsed?.isValid(), number).toBe(true);
      const code = parsed!.countryCallingCode;
      expect(maskPhone(number), number).toBe(`+${code} ${'•'.repeat(number.length - 1 - code.length - 3)}${number.slice(-3)}`);
    }
  });

  it('masks all but the calling code and the last three digits', () => {
    expect(maskPhone('+4791234567')).toBe('+47 •••••567');
    expect(maskPhone('+12025550123')).toBe('+1 •••••••123');
    expect(maskPhone('+80012345678')).toBe('+800 •••••678');
  });

  it('gives no calling code for what does not parse, so the toll-fraud guard refuses it', () => {
    expect(callingCodeOf('4791234567')).toBe('');
    expect(callingCodeOf('+')).toBe('');
    expect(callingCodeOf('+0123')).toBe('');
  });
});
