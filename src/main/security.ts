import { app, session, shell, type WebContents } from 'electron';
import { isAppDownload, navigationDecision, type AppOrigins, type ExternalLinkRules } from './trusted-url.js';

/**
 * Electron's security checklist, applied to every web contents the app ever creates: navigation and
 * new windows denied (allow-listed links go to the system browser), permission requests and checks
 * denied, no webviews, no downloads but the files the page itself made (the audit CSV). The decisions themselves are the pure functions in trusted-url.ts.
 */
export function applySecurityPolicy(appOrigins: AppOrigins, linkRules: () => ExternalLinkRules): void {
  const openOutside = (url: string) => {
    if (navigationDecision(url, appOrigins, linkRules()) === 'open_external') void shell.openExternal(url);
  };

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-navigate', (event, url) => {
      if (navigationDecision(url, appOrigins, linkRules()) === 'allow') return;
      event.preventDefault();
      openOutside(url);
    });
    // Redirects and frame navigations too: the app never leaves its own origin.
    contents.on('will-redirect', (event, url) => {
      if (navigationDecision(url, appOrigins, linkRules()) !== 'allow') event.preventDefault();
    });
    contents.on('will-frame-navigate', (event) => {
      if (navigationDecision(event.url, appOrigins, linkRules()) !== 'allow') event.preventDefault();
    });
    contents.setWindowOpenHandler(({ url }) => {
      openOutside(url);
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => event.preventDefault());
  });

  for (const target of [session.defaultSession]) {
    target.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
    target.setPermissionCheckHandler(() => false);
    target.setDevicePermissionHandler(() => false);
    // Electron asks where to save (its default dialog); only files the console made may be saved.
    target.on('will-download', (event, item) => {
      if (!isAppDownload(item.getURL(), appOrigins)) event.preventDefault();
    });
  }
}
