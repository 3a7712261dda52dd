import { describe, expect, it } from 'vitest';
import { readMobileNumber } from '../../src/shared/phone.js';
import { checkMemberLines, parsePastedMembers } from '../../src/shared/tenant-admin/member-lines.js';

describe('the people of a break-up, as typed and pasted', () => {
  it('reads mobile numbers with the country code, + or 00, and refuses what cannot get an SMS', () => {
    expect(readMobileNumber('+47 912 34 567')).toEqual({ ok: true, e164: '+4791234567', countryCallingCode: '47' });
    expect(readMobileNumber('0049 151 23456789')).toMatchObject({ ok: true, e164: '+4915123456789' });
    expect(readMobileNumber('00 47 912 34 567')).toMatchObject({ ok: true, e164: '+4791234567' });
    expect(readMobileNumber('+49 (0)151 2345 6789')).toMatchObject({ ok: true, e164: '+4915123456789' });
    expect(readMobileNumber('+47 22 12 34 56')).toEqual({ ok: false, problem: 'not_mobile' });
    expect(readMobileNumber('12')).toEqual({ ok: false, problem: 'invalid_phone' });
    // A national number needs the tenant's country (not known here).
    expect(readMobileNumber('0151 23456789')).toEqual({ ok: false, problem: 'invalid_phone' });
  });

  it('turns spreadsheet rows into lines, whatever the column order, and skips a header', () => {
    const pasted = [
      'Name\tE-mail\tMobil',
      'Åse Ærøskøbing\tase@firma.test\t+47 912 34 567',
      'per@firma.test;Per Hansen',
      '"Łukasz Wąs", lukasz@firma.test, 0049 151 23456789',
    ].join('\n');
    expect(parsePastedMembers(pasted)).toEqual([
      { name: 'Åse Ærøskøbing', email: 'ase@firma.test', phone: '+47 912 34 567' },
      { name: 'Per Hansen', email: 'per@firma.test', phone: '' },
      { name: 'Łukasz Wąs', email: 'lukasz@firma.test', phone: '0049 151 23456789' },
    ]);
  });

  it('finds each line problem before the server is asked', () => {
    const checked = checkMemberLines(
      [
        { name: ' Per  Hansen ', email: ' PER@firma.test', phone: '+4791234567' },
        { name: 'Per again', email: 'per@firma.test' },
        { name: '', email: 'not-an-email' },
        { name: 'Shared', email: 'Accounts@firma.test', phone: '12' },
      ],
      'accounts@firma.test',
      undefined,
    );
    expect(checked[0]).toMatchObject({ name: 'Per Hansen', email: 'per@firma.test', phone: '+4791234567', phoneCallingCode: '47' });
    expect(checked.map((c) => c.problems.map((p) => p.code))).toEqual([
      ['duplicate_in_list'],
      ['duplicate_in_list'],
      ['name_required', 'invalid_email'],
      ['same_as_shared', 'invalid_phone'],
    ]);
  });

  it("reads a phone typed the national way in the tenant's country, and only there", () => {
    const lines = [
      { name: 'Greta', email: 'greta@firma.test', phone: '0151 2345 6789' },
      { name: 'Jonas', email: 'jonas@firma.test', phone: '+49 (0)151 9876 5432' },
      { name: 'Kari', email: 'kari@firma.test', phone: '412 34 567' },
    ];
    expect(checkMemberLines(lines, 'accounts@firma.test', 'DE').map((m) => [m.phone, m.problems.map((p) => p.code)])).toEqual([
      ['+4915123456789', []],
      ['+4915198765432', []],
      // A Norwegian mobile written without +47 is a German landline number in Germany.
      [null, ['not_mobile']],
    ]);
    expect(checkMemberLines(lines, 'accounts@firma.test', 'NO').map((m) => [m.phone, m.phoneCallingCode])).toEqual([
      [null, null],
      ['+4915198765432', '49'],
      ['+4741234567', '47'],
    ]);
  });
});
