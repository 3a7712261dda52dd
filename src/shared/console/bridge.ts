import type { ConsoleBridge, ConsoleInput, ConsoleOutput } from '../console-api.js';
import type { BridgeResult, ConsoleChannel } from './channels.js';

/** Sends one operation over a transport (IPC invoke, or HTTP POST) and resolves with its envelope. */
export type BridgeTransport = (channel: ConsoleChannel, input: unknown) => Promise<unknown>;

/**
 * The bridge object, written out one method per operation, each bound to its own channel: whoever
 * holds it can reach exactly the declared operations, with no generic `invoke`. The preload builds it
 * over IPC, the renderer over the browser host's HTTP; `satisfies` keeps it equal to the contract.
 */
export function buildBridge(transport: BridgeTransport): ConsoleBridge {
  const send =
    <C extends ConsoleChannel>(channel: C) =>
    (input: ConsoleInput<C>) =>
      transport(channel, input ?? {}) as Promise<BridgeResult<ConsoleOutput<C>>>;
  return {
    session: {
      status: send('session:status'),
      connect: send('session:connect'),
      signIn: send('session:signIn'),
      signOut: send('session:signOut'),
    },
    users: {
      search: send('users:search'),
      get: send('users:get'),
      unlock: send('users:unlock'),
      sendPhoneResetLink: send('users:sendPhoneResetLink'),
      regenerateRecoveryCodes: send('users:regenerateRecoveryCodes'),
      resetAuthenticator: send('users:resetAuthenticator'),
      revokeDevices: send('users:revokeDevices'),
      endSessions: send('users:endSessions'),
      enrollPushDevice: send('users:enrollPushDevice'),
      revokePushDevice: send('users:revokePushDevice'),
      setSharedFlag: send('users:setSharedFlag'),
      resendInvitation: send('users:resendInvitation'),
    },
    sharedAccounts: { list: send('sharedAccounts:list') },
    breakups: { check: send('breakups:check'), run: send('breakups:run'), get: send('breakups:get'), finish: send('breakups:finish') },
    sheets: {
      candidates: send('sheets:candidates'),
      create: send('sheets:create'),
      list: send('sheets:list'),
      void: send('sheets:void'),
      renderPdf: send('sheets:renderPdf'),
    },
    tenants: { list: send('tenants:list') },
    operators: { list: send('operators:list') },
    lockouts: { list: send('lockouts:list') },
    alarms: { list: send('alarms:list') },
    pushAlerts: { list: send('pushAlerts:list') },
    audit: { list: send('audit:list') },
    links: { openExternal: send('links:openExternal') },
    preferences: { update: send('preferences:update') },
  } satisfies ConsoleBridge;
}
