import { ipcMain, type IpcMainInvokeEvent } from 'electron';
import { consoleChannels, type BridgeResult, type ConsoleHandlers } from '../shared/console-api.js';
import { dispatch } from './services/dispatch.js';
import { isAppUrl, type AppOrigins } from './trusted-url.js';

/**
 * The ConsoleApi on Electron IPC: one `ipcMain.handle` per channel (no generic channel). Each call
 * must come from the console's own top-level frame (a frame that navigated elsewhere, or an iframe,
 * is refused) and its argument is zod-validated by dispatch() before a handler runs.
 */
export function registerIpcHandlers(handlers: ConsoleHandlers, appOrigins: AppOrigins): void {
  for (const channel of consoleChannels) {
    ipcMain.handle(channel, async (event: IpcMainInvokeEvent, input: unknown): Promise<BridgeResult<unknown>> => {
      if (!isTrustedSender(event, appOrigins))
        return { ok: false, error: { code: 'forbidden', message: 'this call did not come from the console window' } };
      return dispatch(handlers, channel, input);
    });
  }
}

function isTrustedSender(event: IpcMainInvokeEvent, appOrigins: AppOrigins): boolean {
  const frame = event.senderFrame;
  return frame !== null && frame.parent === null && isAppUrl(frame.url, appOrigins);
}
