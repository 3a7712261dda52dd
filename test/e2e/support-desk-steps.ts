import { mkdirSync } from 'node:fs';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { lastSmsCode, type TestServer } from '../support/test-server.js';

/** What the end user does, over the real end-user API: the console's actions are checked through it. */
export async function smsSignIn(
  server: TestServer,
  tenant: string,
  user: { email: string; password: string; phone: string },
  options: { rememberDevice?: boolean; deviceToken?: string } = {},
) {
  const login = await server.call('POST', '/v1/auth/login', {
    body: { tenant, email: user.email, password: user.password, ...(options.deviceToken ? { deviceToken: options.deviceToken } : {}) },
  });
  if (login.body.status === 'authenticated')
    return { signedInWithoutCode: true as const, sessionToken: String(login.body.sessionToken), deviceToken: options.deviceToken };
  if (login.body.status !== 'mfa_required') throw new Error(`expected mfa_required, got ${login.status} ${JSON.stringify(login.body)}`);
  const challengeId = String(login.body.challengeId);
  const sent = await server.call('POST', `/v1/auth/challenges/${challengeId}/sms`);
  if (sent.status !== 202) throw new Error(`SMS not sent: ${sent.status} ${JSON.stringify(sent.body)}`);
  const verified = await server.call('POST', `/v1/auth/challenges/${challengeId}/verify`, {
    body: { method: 'sms', code: lastSmsCode(server, user.phone), rememberDevice: options.rememberDevice ?? false },
  });
  if (verified.status !== 200) throw new Error(`SMS code refused: ${verified.status} ${JSON.stringify(verified.body)}`);
  return {
    signedInWithoutCode: false as const,
    sessionToken: String(verified.body.sessionToken),
    deviceToken: verified.body.deviceToken ? String(verified.body.deviceToken) : undefined,
  };
}

/** A Norwegian mobile number ending in `ending`, unique enough for one test run. */
export function phoneEndingIn(ending: string): string {
  const middle = String(Math.floor(Math.random() * 10 ** (7 - ending.length))).padStart(7 - ending.length, '0');
  return `+479${middle}${ending}`;
}

/**
 * An axe scan in the light and the dark scheme: no serious or critical finding in either. Returns to
 * the light scheme afterwards.
 */
export async function expectAccessible(page: Page, include?: string): Promise<string[]> {
  const findings: string[] = [];
  for (const colorScheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme });
    const builder = new AxeBuilder({ page });
    if (include) builder.include(include);
    const scan = await builder.analyze();
    for (const v of scan.violations)
      if (v.impact === 'serious' || v.impact === 'critical')
        findings.push(`${colorScheme} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return findings;
}

/** A screenshot for docs/screenshots/ when the run is asked for them (MFA_DESK_SCREENSHOTS=1). */
export async function screenshot(page: Page, name: string, colorScheme: 'light' | 'dark' = 'light'): Promise<void> {
  if (!process.env.MFA_DESK_SCREENSHOTS) return;
  mkdirSync('docs/screenshots', { recursive: true });
  await page.emulateMedia({ colorScheme });
  await page.screenshot({ path: `docs/screenshots/${name}.png` });
  await page.emulateMedia({ colorScheme: 'light' });
}
