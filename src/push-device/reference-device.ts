import {
  contextHash,
  enrollmentProofInput,
  exportPublicJwk,
  generateDeviceKey,
  jwkThumbprint,
  parseEnrollmentLink,
  responseSigningInput,
  signBytes,
  signDeviceRequest,
  type Decision,
  type DeviceKeyPair,
  type PushContext,
} from '../shared/push/protocol.js';

/**
 * A push device in Node: the same protocol as the authenticator PWA (src/pages/authenticator/), for
 * the tests, the benchmark, and integrators who want to script approvals (a kiosk, a load test).
 * Its key is extractable only so `save()` can write it to a file; the PWA's is not.
 */
export interface PendingRequest {
  id: string;
  nonce: string;
  context: PushContext;
  expiresAt: string;
}

export interface SavedDevice {
  serverUrl: string;
  deviceId: string;
  account: { tenant: string; email: string };
  privateJwk: JsonWebKey;
  publicJwk: JsonWebKey;
}

type JsonWebKey = Record<string, unknown>;

export class PushRequestError extends Error {
  constructor(
    readonly status: number,
    readonly body: { error?: string; message?: string; [key: string]: unknown },
  ) {
    super(`${status} ${body.error ?? ''}: ${body.message ?? ''}`);
  }
}

export class ReferencePushDevice {
  private constructor(
    readonly serverUrl: string,
    readonly deviceId: string,
    readonly account: { tenant: string; email: string },
    private readonly keys: DeviceKeyPair,
    private readonly clock: () => number,
  ) {}

  /** Completes an enrollment from its link (the QR code's text): a new key, proof of possession, a name. */
  static async enroll(
    link: string,
    options: { name: string; platform?: string; pushSubscription?: unknown; clock?: () => number },
  ): Promise<ReferencePushDevice> {
    const parsed = parseEnrollmentLink(link);
    if (!parsed) throw new Error(`Not an enrollment link: ${link}`);
    const clock = options.clock ?? Date.now;
    const keys = await generateDeviceKey(true);
    const publicKeyJwk = await exportPublicJwk(keys.publicKey);
    const iat = clock();
    const proof = await signBytes(
      keys.privateKey,
      enrollmentProofInput({ enrollmentId: parsed.enrollmentId, jkt: await jwkThumbprint(publicKeyJwk), iat }),
    );
    const answer = await call<{ deviceId: string; account: { tenant: string; email: string } }>(
      `${parsed.serverUrl}/v1/push/enrollments/${encodeURIComponent(parsed.enrollmentId)}/complete`,
      {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          secret: parsed.secret,
          publicKeyJwk,
          deviceName: options.name,
          platform: options.platform ?? 'node',
          ...(options.pushSubscription ? { pushSubscription: options.pushSubscription } : {}),
          iat,
          proof,
        }),
      },
    );
    return new ReferencePushDevice(parsed.serverUrl, answer.deviceId, answer.account, keys, clock);
  }

  /** A device saved with `save()`. */
  static async load(saved: SavedDevice, clock: () => number = Date.now): Promise<ReferencePushDevice> {
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    const privateKey = await crypto.subtle.importKey('jwk', saved.privateJwk, algorithm, true, ['sign']);
    const publicKey = await crypto.subtle.importKey('jwk', saved.publicJwk, algorithm, true, ['verify']);
    return new ReferencePushDevice(saved.serverUrl, saved.deviceId, saved.account, { privateKey, publicKey }, clock);
  }

  async save(): Promise<SavedDevice> {
    return {
      serverUrl: this.serverUrl,
      deviceId: this.deviceId,
      account: this.account,
      privateJwk: (await crypto.subtle.exportKey('jwk', this.keys.privateKey)) as JsonWebKey,
      publicJwk: (await crypto.subtle.exportKey('jwk', this.keys.publicKey)) as JsonWebKey,
    };
  }

  /** The headers of a signed request (exposed so tests can replay or tamper with one). */
  signRequest(method: string, path: string, body = ''): Promise<Record<string, string>> {
    return signDeviceRequest(this.deviceId, this.keys.privateKey, { method, path, body, time: this.clock() });
  }

  /** Sends a signed request; the answer's JSON, or a PushRequestError. */
  async request<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    const text = body === undefined ? '' : JSON.stringify(body);
    const headers = await this.signRequest(method, path, text);
    return call<T>(`${this.serverUrl}${path}`, {
      method,
      headers: text ? { ...headers, 'content-type': 'application/json' } : headers,
      body: text || undefined,
    });
  }

  async pending(): Promise<{ deviceState: string; items: PendingRequest[] }> {
    return this.request('GET', '/v1/push/pending');
  }

  /** The signed answer's body, without sending it (tests tamper with it). */
  async answer(request: Pick<PendingRequest, 'id' | 'nonce' | 'context'>, decision: Decision, code: string | null = null) {
    const hash = await contextHash(request.context);
    const signedAt = this.clock();
    const signature = await signBytes(
      this.keys.privateKey,
      responseSigningInput({
        challengeId: request.id,
        deviceId: this.deviceId,
        nonce: request.nonce,
        contextHash: hash,
        decision,
        code,
        signedAt,
      }),
    );
    return { decision, code, contextHash: hash, nonce: request.nonce, signedAt, signature };
  }

  /** Approves (with the code the person read off the sign-in screen), denies, or reports fraud. */
  async respond(
    request: Pick<PendingRequest, 'id' | 'nonce' | 'context'>,
    decision: Decision,
    code: string | null = null,
  ): Promise<{ outcome: string; deviceState: string }> {
    return this.request(
      'POST',
      `/v1/push/challenges/${encodeURIComponent(request.id)}/respond`,
      await this.answer(request, decision, code),
    );
  }

  /** Waits until a request is pending (polling, as a device without a push service does). */
  async waitForPending(options: { timeoutMs?: number; intervalMs?: number; kind?: PushContext['kind'] } = {}): Promise<PendingRequest> {
    const deadline = Date.now() + (options.timeoutMs ?? 10_000);
    for (;;) {
      const { items } = await this.pending();
      const found = items.find((item) => !options.kind || item.context.kind === options.kind);
      if (found) return found;
      if (Date.now() > deadline) throw new Error('No pending push request arrived in time.');
      await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 100));
    }
  }

  /** The first approval after enrollment, with the code shown where the enrollment started. */
  async activate(testCode: string): Promise<void> {
    const request = await this.waitForPending({ kind: 'device_test' });
    await this.respond(request, 'approve', testCode);
  }
}

async function call<T>(url: string, init: RequestInit): Promise<T> {
  const response = await fetch(url, init);
  const text = await response.text();
  const body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) throw new PushRequestError(response.status, body);
  return body as T;
}
