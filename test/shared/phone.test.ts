import { describe, expect, it } from 'vitest';
import { readMobileNumber, type MobileNumberReading } from '../../src/shared/phone.js';

const mobile = (e164: string, countryCallingCode: string): MobileNumberReading => ({ ok: true, e164, countryCallingCode });
const refused = (problem: 'invalid_phone' | 'not_mobile'): MobileNumberReading => ({ ok: false, problem });

/** Mobile numbers as people type them, read with and without the tenant's country. */
describe('readMobileNumber', () => {
  const table: Array<[input: string, country: string | undefined, reading: MobileNumberReading]> = [
    // International, as written, whatever the tenant's country.
    ['+4915198765432', undefined, mobile('+4915198765432', '49')],
    ['+49 151 98765432', 'NO', mobile('+4915198765432', '49')],
    ['0049 151 98765432', undefined, mobile('+4915198765432', '49')],
    ['0049 151 98765432', 'DE', mobile('+4915198765432', '49')],
    ['0049 151 98765432', 'NO', mobile('+4915198765432', '49')],
    ['00 47 412 34 567', undefined, mobile('+4741234567', '47')],
    ['00 47 412 34 567', 'DE', mobile('+4741234567', '47')],
    ['  +47 412 34 567  ', undefined, mobile('+4741234567', '47')],
    ['+47-412-34-567', undefined, mobile('+4741234567', '47')],
    // The trunk 0 in brackets after the country code is not dialled from abroad.
    ['+49 (0)151 2345 6789', undefined, mobile('+4915123456789', '49')],
    ['+49(0)15123456789', 'DE', mobile('+4915123456789', '49')],
    ['+49 ( 0 ) 151 2345 6789', 'NO', mobile('+4915123456789', '49')],
    ['0049 (0)151 2345 6789', undefined, mobile('+4915123456789', '49')],
    // Norway has no trunk prefix: libphonenumber alone would keep the 0 and refuse the number.
    ['+47 (0)412 34 567', undefined, mobile('+4741234567', '47')],
    ['+44 (0)7911 123456', undefined, mobile('+447911123456', '44')],
    // National numbers, in the tenant's country.
    ['0151 2345 6789', 'DE', mobile('+4915123456789', '49')],
    ['(0151) 2345-6789', 'DE', mobile('+4915123456789', '49')],
    ['0151/23456789', 'DE', mobile('+4915123456789', '49')],
    ['412 34 567', 'NO', mobile('+4741234567', '47')],
    ['070-123 45 67', 'SE', mobile('+46701234567', '46')],
    // ... and not without one, nor in another country.
    ['0151 2345 6789', undefined, refused('invalid_phone')],
    ['0151 2345 6789', 'NO', refused('invalid_phone')],
    // An unknown country is no country.
    ['0151 2345 6789', 'XX', refused('invalid_phone')],
    // What cannot receive an SMS, read in any of these ways.
    ['+47 22 12 34 56', undefined, refused('not_mobile')],
    ['22 12 34 56', 'NO', refused('not_mobile')],
    ['030 1234567', 'DE', refused('not_mobile')],
    ['0049 30 1234567', 'NO', refused('not_mobile')],
    ['+49 (0)30 1234567', undefined, refused('not_mobile')],
    // Not a number.
    ['12', 'DE', refused('invalid_phone')],
    ['', 'DE', refused('invalid_phone')],
    ['call me', 'NO', refused('invalid_phone')],
    ['+999 1234567', undefined, refused('invalid_phone')],
    ['0151 2345', 'DE', refused('invalid_phone')],
    ['00', 'DE', refused('invalid_phone')],
  ];
  it.each(table)('reads %j (country %s)', (input, country, reading) => {
    expect(readMobileNumber(input, country)).toEqual(reading);
  });
});
