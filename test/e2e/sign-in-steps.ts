import type { Page } from 'playwright-core';

/** The operator's steps on the screens, shared by the Chromium and the Electron tests. */
export async function connectTo(page: Page, serverUrl: string): Promise<void> {
  await page.getByLabel('Server address').fill(serverUrl);
  await page.getByLabel('Server address').press('Enter');
}

export async function signIn(page: Page, operator: { email: string; password: string }, code: string): Promise<void> {
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
  await page.getByLabel('Email').fill(operator.email);
  await page.getByLabel('Password').fill(operator.password);
  await page.getByLabel('Authenticator code').fill(code);
  // Keyboard-first: Enter submits the form.
  await page.getByLabel('Authenticator code').press('Enter');
}

export function signedInOperator(page: Page) {
  return page.getByTestId('signed-in-operator');
}
