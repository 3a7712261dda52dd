import { describe, expect, it } from 'vitest';
import { readPeople } from '../../src/renderer/screens/shared-accounts/people';
import { newRow } from '../../src/renderer/screens/shared-accounts/wizard-store';

/** The break-up wizard reads the people's phones as the server will: by the tenant's country. */
describe("the break-up wizard's phones", () => {
  const rows = [
    newRow({ name: 'Greta', email: 'greta@firma.test', phone: '0151 2345 6789' }),
    newRow({ name: 'Jonas', email: 'jonas@firma.test', phone: '0049 151 98765432' }),
  ];

  it("reads a national number in the tenant's country", () => {
    const reading = readPeople(rows, 'accounts@firma.test', 'de', 'DE', undefined, undefined);
    expect(reading.rows.map((r) => [r.phone, r.shown.phone])).toEqual([
      ['+4915123456789', undefined],
      ['+4915198765432', undefined],
    ]);
    expect(reading.problemCount).toBe(0);
  });

  it('says a national number cannot be read where the tenant has no country', () => {
    const reading = readPeople(rows, 'accounts@firma.test', 'de', undefined, undefined, undefined);
    expect(reading.rows.map((r) => [r.phone, r.shown.phone])).toEqual([
      [null, ['invalid_phone']],
      ['+4915198765432', undefined],
    ]);
  });
});
