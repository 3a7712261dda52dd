import { describe, expect, it } from 'vitest';
import type { NextSignInView } from '../../src/shared/api/admin';
import { catalogs, format, type MessageKey } from '../../src/renderer/i18n/catalogs';
import { describeEvent, knownActions, ticketOf } from '../../src/renderer/i18n/event-words';
import { describeNextSignIn, phoneEnding } from '../../src/renderer/i18n/next-sign-in-words';
import { timeFormat } from '../../src/renderer/i18n/time-format';
import { csvField, csvLine } from '../../src/renderer/screens/audit/audit-csv';

const t = (key: MessageKey, values?: Record<string, string | number>) => format(catalogs.en[key], values, 'en');

describe('plurals, times and sentences in the operator’s language', () => {
  it('picks the plural form the language uses, with the number written its way', () => {
    expect(t('detail.recoveryLeft', { count: 1 })).toBe('1 recovery code left');
    expect(t('detail.recoveryLeft', { count: 3 })).toBe('3 recovery codes left');
    expect(t('detail.recoveryLeft', { count: 0 })).toBe('No recovery codes left');
    expect(format(catalogs.nb['detail.recoveryLeft'], { count: 1 }, 'nb')).toBe('1 gjenopprettingskode igjen');
    expect(format(catalogs.de['audit.exported'], { count: 1200 }, 'de')).toBe('1.200 Ereignisse exportiert.');
    expect(format(catalogs.de['audit.exported'], { count: 1 }, 'de')).toBe('1 Ereignis exportiert.');
  });

  it('every plural sentence in every language resolves for 0, 1, 2 and 5 (no syntax left over)', () => {
    for (const [locale, catalog] of Object.entries(catalogs)) {
      for (const [key, text] of Object.entries(catalog)) {
        if (!text.includes(', plural,')) continue;
        const name = /\{(\w+), plural,/.exec(text)![1]!;
        for (const n of [0, 1, 2, 5]) {
          const out = format(text, { [name]: n, hint: '60', left: 1, limit: 20, label: 'x' }, locale);
          expect(out, `${locale} ${key} ${n}`).not.toMatch(/plural|[{}]/);
        }
      }
    }
  });

  it('durations take at most two units, and round to what matters', () => {
    const time = timeFormat('en');
    expect(time.duration((3 * 3600 + 12 * 60 + 5) * 1000)).toBe('3 hr 12 min');
    expect(time.duration(45_000)).toBe('45 sec');
    expect(time.duration(26 * 3600 * 1000)).toBe('1 day 2 hr');
    expect(timeFormat('de').duration(2 * 3600 * 1000)).toBe('2 Std.');
  });

  it('says what happens at the next sign-in: locked by the SMS limit, then the SMS code and its count', () => {
    const now = Date.parse('2026-12-01T11:20:00Z');
    const locked: NextSignInView = {
      refused: { reason: 'locked', lockoutReason: 'sms_daily_limit', until: '2026-12-01T14:32:00Z', afterwards: 'request_new_code' },
      passwordWaitUntil: null,
      enroll: null,
      newPlace: {
        method: 'sms',
        alternatives: ['recovery_code'],
        phoneHint: '+47 •••••560',
        sms: { left: 17, limit: 20, resetsAt: '2026-12-01T23:00:00Z' },
      },
      trustedIps: 1,
      rememberedDevices: 0,
    };
    const lines = describeNextSignIn(locked, t, timeFormat('en'), now);
    expect(lines[0]).toMatch(/^Locked until .+ \(in 3 hr 12 min\)\. After that, a new code can be requested\.$/);
    expect(lines[1]).toBe('From a new IP address they will be asked for an SMS code to a phone ending in 560; 17 of 20 SMS left today.');
    expect(lines[2]).toBe('They can also use a recovery code.');
    // Locked: the trusted IPs and devices do not help, so they are not promised.
    expect(lines.join(' ')).not.toContain('password is enough');

    const calm = describeNextSignIn(
      {
        ...locked,
        refused: null,
        newPlace: {
          ...locked.newPlace!,
          sms: { left: 0, limit: 20, resetsAt: '2026-12-01T23:00:00Z' },
          method: 'recovery_code',
          alternatives: [],
        },
        rememberedDevices: 2,
      },
      t,
      timeFormat('en'),
      now,
    );
    expect(calm).toEqual([
      'From a new IP address they will have to enter a recovery code.',
      expect.stringMatching(/^No SMS left today \(20 sent\); the count starts again at /),
      'From the 1 IP address where they signed in with a code before, the password is enough.',
      'On their 2 remembered devices no code is asked.',
    ]);
    expect(describeNextSignIn({ ...locked, refused: { reason: 'disabled' } }, t, timeFormat('en'), now)).toEqual([
      'The account is disabled: every sign-in is refused.',
    ]);
    expect(phoneEnding('+47 •••••560')).toBe('560');

    // Not enrolled where MFA is optional: the password alone, everywhere; nothing about codes.
    expect(
      describeNextSignIn({ ...locked, refused: null, newPlace: null, trustedIps: 0, passwordOnly: true }, t, timeFormat('en'), now),
    ).toEqual(['They have no second factor, and their tenant does not require one: the password alone signs them in, from anywhere.']);
    // Wrong passwords shut new places only: no new-place steps, and the recognised places that still work.
    const guessed = describeNextSignIn(
      { ...locked, refused: { reason: 'password_attempts', failedPasswords: 100 }, rememberedDevices: 1 },
      t,
      timeFormat('en'),
      now,
    );
    expect(guessed[0]).toMatch(/^After 100 wrong passwords, sign-in from new places is refused/);
    expect(guessed.join(' ')).not.toContain('From a new IP address');
    expect(guessed).toEqual(
      expect.arrayContaining([
        'On their remembered device no code is asked.',
        'From the 1 IP address where they signed in with a code before, the password is enough.',
      ]),
    );
  });

  it('words every audit action the server writes, and keeps an unknown one visible', () => {
    expect(describeEvent({ action: 'login.succeeded', details: { secondFactor: 'sms' } }, t)).toBe('Signed in with an SMS code');
    expect(describeEvent({ action: 'admin.unlock', details: {} }, t)).toBe('Unlocked by support');
    expect(describeEvent({ action: 'future.thing', details: {} }, t)).toBe('Event “future.thing”');
    expect(knownActions).toEqual(expect.arrayContaining(['admin.unlock', 'sms.sent', 'code.accepted']));
    expect(ticketOf({ details: { ticket: 'INC-1', reason: 'why' } })).toEqual({ ticket: 'INC-1', reason: 'why' });
    expect(ticketOf({ details: {} })).toBeNull();
  });

  it('words the OpenID sign-in and the portals registered, naming the portal when the event does', () => {
    expect(describeEvent({ action: 'oidc.signed_in', details: { client: 'Intranet', acr: 'mfa' } }, t)).toBe(
      'Signed in to Intranet (OpenID Connect)',
    );
    expect(describeEvent({ action: 'oidc.signed_in', details: {} }, t)).toBe('Signed in to a portal (OpenID Connect)');
    for (const action of ['oidc_client.registered', 'oidc_client.removed'])
      expect(describeEvent({ action, details: {} }, t), action).not.toMatch(/^Event “|[{}]/);
    expect(knownActions).toEqual(expect.arrayContaining(['oidc.signed_in', 'oidc_client.registered', 'oidc_client.removed']));
  });

  it('words the push-approval events, the fraud report with its device and place, and push at the next sign-in', () => {
    const pushActions = [
      'push.enrollment_started',
      'admin.push_enrollment_started',
      'push.device_enrolled',
      'push.device_activated',
      'push.approved',
      'push.denied',
      'push.fraud_reported',
      'push.wrong_code',
      'push.locked',
      'admin.push_device_revoked',
      'push.device_revoked',
      'push.sent',
      'push.resent',
    ];
    for (const action of pushActions) expect(describeEvent({ action, details: {} }, t), action).not.toMatch(/^Event “|[{}]/);
    expect(knownActions).toEqual(expect.arrayContaining(pushActions));
    // The detailed sentence is no action of its own in the audit filter.
    expect(knownActions.some((a) => a.startsWith('eventDetail') || a.includes('fraud_reported.'))).toBe(false);
    expect(
      describeEvent(
        {
          action: 'push.fraud_reported',
          details: { deviceId: 'pdv_1', deviceName: 'Pixel 8', ip: '203.0.113.9', browser: 'Firefox on Windows' },
        },
        t,
      ),
    ).toBe('“Pixel 8” reported a sign-in from 203.0.113.9 (Firefox on Windows) as not theirs (the device is suspended)');
    expect(describeEvent({ action: 'login.succeeded', details: { secondFactor: 'push' } }, t)).toBe('Signed in with a push approval');
    expect(
      describeEvent({ action: 'admin.push_device_revoked', details: { deviceId: 'pdv_1', deviceName: 'Pixel 8', ticket: 'T' } }, t),
    ).toBe('Push device “Pixel 8” revoked by support');
    // Without every value the longer sentence needs, the short one: never a placeholder left showing.
    expect(describeEvent({ action: 'push.approved', details: { deviceName: 'Pixel 8' } }, t)).toBe(
      'A sign-in was approved on a push device',
    );
    const next = describeNextSignIn(
      {
        refused: null,
        passwordWaitUntil: null,
        enroll: null,
        newPlace: {
          method: 'push',
          alternatives: ['sms', 'totp'],
          phoneHint: '+47 •••••560',
          sms: { left: 20, limit: 20, resetsAt: '2026-12-01T23:00:00Z' },
        },
        trustedIps: null,
        rememberedDevices: 0,
      },
      t,
      timeFormat('en'),
      Date.parse('2026-12-01T11:20:00Z'),
    );
    expect(next.slice(0, 2)).toEqual([
      'From a new IP address they will be asked to approve the sign-in on their push device, with the code the sign-in page shows.',
      'They can also use an SMS code or an authenticator app code.',
    ]);
  });

  it('writes CSV a spreadsheet reads as data: quotes doubled, formulas defused', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('=1+1')).toBe("'=1+1");
    expect(csvField('-2')).toBe("'-2");
    expect(csvField(null)).toBe('');
    const line = csvLine(
      {
        id: '1',
        at: '2026-12-01T10:00:00.000Z',
        tenantId: 't',
        userId: 'u',
        actorType: 'operator',
        actorId: 'o',
        action: 'admin.unlock',
        ip: '127.0.0.1',
        details: { ticket: 'INC-1', reason: 'line\nbreak', operator: 'sam@desk.test' },
      },
      'Unlocked by support',
      'Sam',
    );
    expect(line).toBe(
      '2026-12-01T10:00:00.000Z,admin.unlock,Unlocked by support,operator,Sam,t,u,127.0.0.1,INC-1,"line\nbreak","{""operator"":""sam@desk.test""}"\r\n',
    );
  });
});
