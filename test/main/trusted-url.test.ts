import { describe, expect, it } from 'vitest';
import { isAllowedExternalUrl, isAppDownload, isAppUrl, navigationDecision } from '../../src/main/trusted-url.js';
import { normalizeServerUrl } from '../../src/shared/console/server-url.js';

const app = { origins: ['app://console'] };
const rules = { serverUrl: 'https://mfa.example.com', allowedHosts: ['help.mfa-desk.example'] };

describe('external links (the allow-list)', () => {
  it.each([
    ['https://mfa.example.com/docs', true],
    ['https://mfa.example.com:443/openapi.json', true],
    ['https://help.mfa-desk.example/guide#totp', true],
    ['http://help.mfa-desk.example/guide', false],
    ['https://mfa.example.com.evil.test/docs', false],
    ['https://evil.test/?to=https://mfa.example.com', false],
    ['https://user:pw@mfa.example.com/docs', false],
    ['http://mfa.example.com/docs', false],
    ['javascript:alert(1)', false],
    ['file:///etc/passwd', false],
    ['smb://mfa.example.com/share', false],
    ['mfa-desk://anything', false],
    ['not a url', false],
    ['', false],
  ])('%s -> %s', (url, allowed) => {
    expect(isAllowedExternalUrl(url, rules)).toBe(allowed);
  });

  it('allows the connected loopback server over http (npm start), nothing else over http', () => {
    const local = { serverUrl: 'http://127.0.0.1:8080' };
    expect(isAllowedExternalUrl('http://127.0.0.1:8080/docs', local)).toBe(true);
    expect(isAllowedExternalUrl('http://127.0.0.1:8081/docs', local)).toBe(false);
    expect(isAllowedExternalUrl('https://anything.example/', { serverUrl: null })).toBe(false);
  });
});

describe('the app origin and navigation', () => {
  it('knows its own frames', () => {
    expect(isAppUrl('app://console/index.html', app)).toBe(true);
    expect(isAppUrl('app://console.evil/index.html', app)).toBe(false);
    expect(isAppUrl('app://other/index.html', app)).toBe(false);
    expect(isAppUrl('https://console/index.html', app)).toBe(false);
    expect(isAppUrl('about:blank', app)).toBe(false);
    expect(isAppUrl(null, app)).toBe(false);
  });

  it('never navigates away: allow-listed links open outside, everything else is denied', () => {
    expect(navigationDecision('app://console/index.html', app, rules)).toBe('allow');
    expect(navigationDecision('https://mfa.example.com/docs', app, rules)).toBe('open_external');
    expect(navigationDecision('https://evil.test/', app, rules)).toBe('deny');
    expect(navigationDecision('file:///etc/passwd', app, rules)).toBe('deny');
  });
});

describe('downloads', () => {
  it('saves only files the console made itself (blob: URLs of its own origin)', () => {
    const app = { origins: ['app://console'] };
    expect(isAppDownload('blob:app://console/6f1c2b9e-0000-4000-8000-000000000000', app)).toBe(true);
    expect(isAppDownload('blob:https://evil.example/6f1c2b9e', app)).toBe(false);
    expect(isAppDownload('https://evil.example/file.csv', app)).toBe(false);
    expect(isAppDownload('app://console/index.html', app)).toBe(false);
    expect(isAppDownload('blob:', app)).toBe(false);
  });
});

describe('server URLs', () => {
  it.each([
    ['https://mfa.example.com/', 'https://mfa.example.com'],
    ['mfa.example.com', 'https://mfa.example.com'],
    ['HTTPS://MFA.Example.com:8443/desk/', 'https://mfa.example.com:8443/desk'],
    ['127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['http://[::1]:8080', 'http://[::1]:8080'],
  ])('%s -> %s', (raw, url) => {
    expect(normalizeServerUrl(raw)).toEqual({ ok: true, url });
  });

  it.each([
    ['http://mfa.example.com', 'https_required'],
    ['ftp://mfa.example.com', 'unsupported_scheme'],
    ['https://user:pw@mfa.example.com', 'has_credentials'],
    ['https://', 'malformed'],
  ])('%s is refused (%s)', (raw, problem) => {
    expect(normalizeServerUrl(raw)).toEqual({ ok: false, problem });
  });
});
