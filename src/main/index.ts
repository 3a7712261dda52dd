import { homedir } from 'node:os';
import { join } from 'node:path';
import { app, BrowserWindow, dialog, shell } from 'electron';
import { registerIpcHandlers } from './ipc.js';
import { applySecurityPolicy } from './security.js';
import { createConsoleServices, type ConsoleServices } from './services/console-services.js';
import { consoleDataDir } from './services/data-dir.js';
import { originOf } from './trusted-url.js';
import { appOrigin, createMainWindow, printHtmlToPdf, registerAppScheme, serveRenderer } from './window.js';

/**
 * The Electron shell: wires the plain-Node services (services/) to a window. Everything with logic
 * in it lives elsewhere and is tested in Node; this file only decides the order things start in.
 */

// Settings and Chromium's own profile go to one folder, the one tests search for stray tokens.
const dataDir = consoleDataDir(process.env, process.platform, homedir());
app.setName('MFA Desk');
app.setPath('userData', dataDir);
app.enableSandbox();
registerAppScheme();

// During `electron-vite dev` the renderer comes from Vite's dev server; packaged, from app://console.
const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appOrigins = { origins: [appOrigin, ...(devServerUrl ? [originOf(devServerUrl) ?? appOrigin] : [])] };

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    const [window] = BrowserWindow.getAllWindows();
    if (window) {
      if (window.isMinimized()) window.restore();
      window.focus();
    }
  });
  app.on('window-all-closed', () => app.quit());
  void app.whenReady().then(() => {
    let services: ConsoleServices;
    try {
      services = createConsoleServices({
        dataDir,
        serverUrl: process.env.MFA_DESK_SERVER_URL,
        openExternal: (url) => shell.openExternal(url),
        renderPdf: printHtmlToPdf,
      });
    } catch (error) {
      // Another console (the browser host) holds this data directory: say so and leave.
      dialog.showErrorBox('MFA Desk', error instanceof Error ? error.message : String(error));
      app.quit();
      return;
    }
    app.on('will-quit', () => services.close());
    applySecurityPolicy(appOrigins, () => ({ serverUrl: services.session.connectedServerUrl() }));
    serveRenderer(join(import.meta.dirname, '../renderer'));
    registerIpcHandlers(services.handlers, appOrigins);
    createMainWindow({ preload: join(import.meta.dirname, '../preload/index.cjs'), startUrl: devServerUrl ?? `${appOrigin}/index.html` });
  });
}
