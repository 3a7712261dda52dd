import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';

/**
 * Browser contexts for the hosted pages' e2e tests: a fresh one per page (its own cookies and
 * storage), all closed after each test, and every page recording what the pages' strict Content
 * Security Policy refused (an inline script or style would be), for `expect(...).toEqual([])`.
 */
export class PageContexts {
  private readonly open: BrowserContext[] = [];
  private readonly refused = new Map<Page, string[]>();

  async newPage(browser: Browser, options: BrowserContextOptions): Promise<Page> {
    const context = await browser.newContext(options);
    this.open.push(context);
    const page = await context.newPage();
    const refused: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/.test(message.text())) refused.push(message.text());
    });
    this.refused.set(page, refused);
    return page;
  }

  cspRefusals(page: Page): string[] {
    return this.refused.get(page) ?? [];
  }

  async closeAll(): Promise<void> {
    for (const context of this.open.splice(0)) await context.close();
  }
}
