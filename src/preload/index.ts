import { contextBridge, ipcRenderer } from 'electron';
import type { ConsoleBridge } from '../shared/console-api.js';
import { buildBridge } from '../shared/console/bridge.js';

/**
 * The whole surface the page gets: `window.mfaDesk`, one method per ConsoleApi operation, each
 * invoking its own channel. No ipcRenderer, no generic send/invoke, no Node.
 */
const mfaDesk = buildBridge((channel, input) => ipcRenderer.invoke(channel, input)) satisfies ConsoleBridge;
contextBridge.exposeInMainWorld('mfaDesk', mfaDesk);
