/**
 * The push-approval protocol, v1: what a device signs and how the server checks it. One module for
 * the server, the Node reference device (src/push-device/) and the authenticator PWA
 * (src/pages/authenticator/), so the three cannot disagree about a byte. WebCrypto only (Node 20 and every
 * browser have it as `globalThis.crypto`): keys are ECDSA P-256, signatures ES256 in raw r||s form
 * (64 bytes, what WebCrypto makes; Node's `crypto.verify` would need `dsaEncoding: 'ieee-p1363'`),
 * JSON is canonicalised by RFC 8785 (JCS) before it is hashed or signed.
 *
 * Why each part (research: ../shared/design/PUSH-RESEARCH.md):
 * - the code travels sign-in screen -> person -> device -> server (NIST SP 800-63B-4 3.1.3: a push
 *   that only asks "approve?" invites fatigue attacks); the device never receives it;
 * - the response signs the hash of the context the device showed, so a server-side swap of "who is
 *   signing in where" after the fact is detected;
 * - every device request is signed with a time and a nonce the server remembers for 5 minutes, which
 *   closes the replay window privacyIDEA's poll signature leaves open (privacyidea#2262).
 */

export const PROTOCOL_VERSION = 1;
export const ENROLL_PREFIX = 'mfadesk-enroll-v1';
export const RESPONSE_PREFIX = 'mfadesk-push-v1';
export const REQUEST_PREFIX = 'mfadesk-req-v1';
/** A device request's time may be this far from the server's. */
export const REQUEST_CLOCK_SKEW_MS = 60_000;
/** How long the server remembers a request nonce; twice the skew covers a request from either side. */
export const REQUEST_NONCE_TTL_MS = 5 * 60_000;

/** Headers of a signed device request. */
export const deviceHeaders = {
  device: 'x-mfadesk-device',
  time: 'x-mfadesk-time',
  nonce: 'x-mfadesk-nonce',
  signature: 'x-mfadesk-signature',
} as const;

export type Decision = 'approve' | 'deny' | 'fraud';

/** What the device shows the person before they answer: who is signing in, where, when. Never the code. */
export interface PushContext {
  tenant: string;
  /** What the sign-in is for: "sign-in", or a sensitive module ("bank"). */
  app: string;
  ip: string;
  /** An approximate place, when the server knows one; null otherwise (no geo database ships). */
  place: string | null;
  /** "Chrome on Linux": from the signing-in browser's User-Agent. */
  browser: string;
  /** ISO time the sign-in asked. */
  at: string;
  /** `device_test`: the first approval after enrollment, which activates the device. */
  kind: 'sign_in' | 'device_test';
}

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** WebCrypto's key type, named without the DOM library (the server compiles without it). */
export type DeviceKey = Parameters<typeof crypto.subtle.sign>[1];
export interface DeviceKeyPair {
  publicKey: DeviceKey;
  privateKey: DeviceKey;
}

const encoder = new TextEncoder();

export function toBase64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function fromBase64Url(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) throw new Error('not base64url');
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (text.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export async function sha256Base64Url(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : data;
  return toBase64Url(new Uint8Array(await crypto.subtle.digest('SHA-256', bytes)));
}

/**
 * RFC 8785 (JCS) for the values this protocol signs (strings, finite numbers, booleans, null, arrays,
 * plain objects): members sorted by UTF-16 code units, no whitespace, and strings and numbers as
 * ECMAScript's JSON.stringify writes them, which is what RFC 8785 section 3.2.2 prescribes. (The
 * `canonicalize` package is these lines; its CommonJS default export does not type under NodeNext.)
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new Error('JCS has no infinite or NaN numbers');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const members = Object.entries(value as Record<string, unknown>)
      .filter(([, member]) => member !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${members.map(([key, member]) => `${JSON.stringify(key)}:${canonicalJson(member)}`).join(',')}}`;
  }
  throw new Error(`JCS cannot encode a ${typeof value}`);
}

/** RFC 7638 thumbprint of a P-256 public key: the key's stable name. */
export function jwkThumbprint(jwk: PublicJwk): Promise<string> {
  return sha256Base64Url(canonicalJson({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y }));
}

export function contextHash(context: PushContext): Promise<string> {
  return sha256Base64Url(canonicalJson(context));
}

/** Proof of possession at enrollment: the new key signs the enrollment it completes. */
export function enrollmentProofInput(input: { enrollmentId: string; jkt: string; iat: number }): Uint8Array<ArrayBuffer> {
  return encoder.encode(`${ENROLL_PREFIX}${canonicalJson({ eid: input.enrollmentId, jkt: input.jkt, iat: input.iat })}`);
}

export interface SignedResponse {
  challengeId: string;
  deviceId: string;
  nonce: string;
  contextHash: string;
  decision: Decision;
  /** The code the person typed; null for deny and fraud. */
  code: string | null;
  /** Epoch milliseconds. */
  signedAt: number;
}

export function responseSigningInput(r: SignedResponse): Uint8Array<ArrayBuffer> {
  return encoder.encode(
    `${RESPONSE_PREFIX}${canonicalJson({
      cid: r.challengeId,
      did: r.deviceId,
      nonce: r.nonce,
      ctx: r.contextHash,
      decision: r.decision,
      code: r.code,
      iat: r.signedAt,
    })}`,
  );
}

export interface SignedRequest {
  method: string;
  /** The path with its query string, as sent. */
  path: string;
  /** sha256 (base64url) of the body bytes; of the empty string without a body. */
  bodyHash: string;
  time: number;
  nonce: string;
}

export function requestSigningInput(r: SignedRequest): Uint8Array<ArrayBuffer> {
  return encoder.encode([REQUEST_PREFIX, r.method.toUpperCase(), r.path, r.bodyHash, String(r.time), r.nonce].join('\n'));
}

const ecdsa = { name: 'ECDSA', hash: 'SHA-256' } as const;

export async function signBytes(privateKey: DeviceKey, data: Uint8Array<ArrayBuffer>): Promise<string> {
  return toBase64Url(new Uint8Array(await crypto.subtle.sign(ecdsa, privateKey, data)));
}

/** False for a wrong signature, a malformed one, or a key that is not a P-256 public key. */
export async function verifyBytes(jwk: PublicJwk, data: Uint8Array<ArrayBuffer>, signature: string): Promise<boolean> {
  try {
    const sig = fromBase64Url(signature);
    if (sig.length !== 64) return false;
    const key = await importPublicKey(jwk);
    return await crypto.subtle.verify(ecdsa, key, sig, data);
  } catch {
    return false;
  }
}

export function importPublicKey(jwk: PublicJwk): Promise<DeviceKey> {
  return crypto.subtle.importKey('jwk', { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y }, { name: 'ECDSA', namedCurve: 'P-256' }, true, [
    'verify',
  ]);
}

/** A new device key; `extractable: false` for the PWA (the private key can never be read out). */
export async function generateDeviceKey(extractable: boolean): Promise<DeviceKeyPair> {
  return (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, extractable, ['sign', 'verify'])) as DeviceKeyPair;
}

export async function exportPublicJwk(key: DeviceKey): Promise<PublicJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', key);
  return { kty: 'EC', crv: 'P-256', x: jwk.x!, y: jwk.y! };
}

/** The link an enrollment QR code carries: the secret rides in the fragment, which never reaches a server log. */
export function enrollmentLink(publicUrl: string, enrollmentId: string, secret: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/authenticator/#e=${enrollmentId}.${secret}`;
}

/** The server's base URL, the enrollment id and its secret, from an enrollment link; null when it is not one. */
export function parseEnrollmentLink(link: string): { serverUrl: string; enrollmentId: string; secret: string } | null {
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return null;
  }
  const match = /^#e=([A-Za-z0-9-]{8,64})\.([A-Za-z0-9_-]{16,128})$/.exec(url.hash);
  if (!match || !url.pathname.endsWith('/authenticator/')) return null;
  const serverUrl = `${url.origin}${url.pathname.slice(0, -'/authenticator/'.length)}`;
  return { serverUrl, enrollmentId: match[1]!, secret: match[2]! };
}

/** A random nonce for a request: 128 bits, base64url. */
export function newNonce(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(16)));
}

/** The headers of a signed device request. */
export async function signDeviceRequest(
  deviceId: string,
  privateKey: DeviceKey,
  request: { method: string; path: string; body: string; time: number },
): Promise<Record<string, string>> {
  const nonce = newNonce();
  const bodyHash = await sha256Base64Url(request.body);
  const signature = await signBytes(privateKey, requestSigningInput({ ...request, bodyHash, nonce }));
  return {
    [deviceHeaders.device]: deviceId,
    [deviceHeaders.time]: String(request.time),
    [deviceHeaders.nonce]: nonce,
    [deviceHeaders.signature]: signature,
  };
}
