import { describe, expect, it } from 'vitest';
import { ConsoleError } from '../../src/main/services/console-error.js';
import { dispatch } from '../../src/main/services/dispatch.js';
import { consoleApi, consoleChannels, type ConsoleHandlers } from '../../src/shared/console-api.js';
import { buildBridge } from '../../src/shared/console/bridge.js';

function handlersWith(overrides: Partial<ConsoleHandlers>): ConsoleHandlers {
  const refuse = async () => {
    throw new Error('not in this test');
  };
  return Object.fromEntries(consoleChannels.map((channel) => [channel, overrides[channel] ?? refuse])) as unknown as ConsoleHandlers;
}

describe('dispatch: the check every bridge call passes, whichever transport', () => {
  it('refuses an unknown channel and invalid arguments before any handler runs', async () => {
    let ran = 0;
    const handlers = handlersWith({ 'users:get': async () => (ran++, Promise.reject(new Error('unreachable'))) });
    expect(await dispatch(handlers, 'shell:exec', {})).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await dispatch(handlers, 'users:get', { id: '' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await dispatch(handlers, 'users:get', { id: 'u1', extra: 'x' })).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(await dispatch(handlers, 'users:get', 'u1')).toMatchObject({ ok: false, error: { code: 'invalid_input' } });
    expect(ran).toBe(0);
  });

  it('strips anything the contract does not declare from answers (a token cannot ride along)', async () => {
    const state = {
      keychain: { available: true, reason: null },
      serverUrl: 'https://x.test',
      lastEmail: 'a@x.test',
      operator: null,
      remembered: false,
      notice: null,
      preferences: { locale: null },
    };
    const handlers = handlersWith({ 'session:status': async () => ({ ...state, refreshToken: 'secret' }) as typeof state });
    const answer = await dispatch(handlers, 'session:status', {});
    expect(answer).toEqual({ ok: true, value: state });
  });

  it('turns errors into envelopes: console errors keep their code, anything else becomes internal', async () => {
    const logged: string[] = [];
    const handlers = handlersWith({
      'lockouts:list': async () => {
        throw new ConsoleError('forbidden', 'nope', { status: 403 });
      },
      'audit:list': async () => {
        throw new Error('database password is hunter2');
      },
    });
    expect(await dispatch(handlers, 'lockouts:list', {})).toEqual({ ok: false, error: { code: 'forbidden', message: 'nope' } });
    const internal = await dispatch(handlers, 'audit:list', {}, (line) => logged.push(line));
    expect(internal).toEqual({ ok: false, error: { code: 'internal', message: 'Something went wrong inside the console.' } });
    expect(logged.join()).toContain('hunter2');
  });

  it('the bridge has exactly one method per declared channel, and each sends its own channel', async () => {
    const sent: string[] = [];
    const bridge = buildBridge(async (channel) => (sent.push(channel), { ok: true, value: null }));
    const methods = Object.entries(bridge).flatMap(([domain, verbs]) => Object.keys(verbs).map((verb) => `${domain}:${verb}`));
    expect(methods.sort()).toEqual([...consoleChannels].sort());
    expect(Object.keys(consoleApi).sort()).toEqual([...consoleChannels].sort());
    for (const [domain, verbs] of Object.entries(bridge)) {
      for (const [verb, method] of Object.entries(verbs as Record<string, (input: unknown) => Promise<unknown>>)) {
        await method({});
        expect(sent.at(-1)).toBe(`${domain}:${verb}`);
      }
    }
  });
});
