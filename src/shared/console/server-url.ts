/**
 * The server URL an operator typed, in the one form the console stores and uses as part of the
 * keychain account name: scheme, host and port, plus a path prefix when the server sits behind one.
 */
export type ServerUrlResult =
  { ok: true; url: string } | { ok: false; problem: 'malformed' | 'unsupported_scheme' | 'https_required' | 'has_credentials' };

/** Loopback names: plain http is acceptable only when the traffic never leaves the machine. */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

export function normalizeServerUrl(raw: string): ServerUrlResult {
  const text = raw.trim();
  // "desk.example.com" or "127.0.0.1:8080" without a scheme: https for real hosts, http for loopback.
  const withScheme = /^[a-z][a-z\d+.-]*:\/\//i.test(text)
    ? text
    : `${isLoopbackHost(text.split(/[:/]/)[0] ?? '') ? 'http' : 'https'}://${text}`;
  let url: URL;
  try {
    url = new URL(withScheme);
  } catch {
    return { ok: false, problem: 'malformed' };
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return { ok: false, problem: 'unsupported_scheme' };
  if (url.username || url.password) return { ok: false, problem: 'has_credentials' };
  if (!url.hostname) return { ok: false, problem: 'malformed' };
  // Operator credentials cross this connection: plain http only to this machine itself.
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) return { ok: false, problem: 'https_required' };
  const path = url.pathname.replace(/\/+$/, '');
  return { ok: true, url: `${url.protocol}//${url.host}${path}` };
}
