import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { pushChallengeParams } from '../../shared/api/push.js';
import { ApiError } from '../api-error.js';
import type { ServerContext } from '../context.js';
import { describeChallenge } from '../factors/push/challenge.js';
import { authenticateDevice } from '../factors/push/device-requests.js';
import { pendingForDevice } from '../factors/push/devices.js';
import { onChallengePush, onPendingPush } from '../factors/push/push-events.js';
import { findPushDevice } from '../store/repositories/push-devices.js';
import { describeZodError } from './error-handler.js';

/** How often a stream re-reads the database: answers recorded by another instance arrive within this. */
const RECHECK_MS = 1_000;
/** A comment line now and then keeps proxies and the socket's idle timeout from closing a quiet stream. */
const HEARTBEAT_MS = 15_000;
/** A device's stream ends after this; the app opens a new one with a fresh signature. */
const DEVICE_STREAM_MS = 5 * 60_000;

/**
 * The two Server-Sent Events streams of push approval (WHATWG HTML, "Server-sent events"):
 * - `GET /v1/auth/challenges/:id/events`: the waiting sign-in hears `approved` (then it verifies
 *   with `{method: "push"}`), `denied`, `fraud`, `expired` or `cancelled`, each with `{state}`, and
 *   the stream ends; the challenge id is the capability, as for its other routes;
 * - `GET /v1/push/events` (a signed device request): `pending` with `{id}` whenever a request for the
 *   device arrives, so an open authenticator shows it at once.
 * Each listens to this instance's news (push-events.ts) and re-reads the database every second.
 */
export function registerPushEventStreams(app: FastifyInstance, ctx: ServerContext): void {
  // Hijacked streams are not Fastify's to end: without this, close() waits until each stream's push
  // expires (a device's stream, 5 minutes). Clients reconnect to another instance.
  const open = new Set<EventStream>();
  app.addHook('preClose', async () => {
    for (const stream of [...open]) stream.close();
  });
  const openTracked = (request: FastifyRequest, reply: FastifyReply) => {
    const stream = openStream(request, reply);
    open.add(stream);
    stream.onClose(() => open.delete(stream));
    return stream;
  };
  app.get('/v1/auth/challenges/:id/events', async (request, reply) => {
    const parsed = pushChallengeParams.safeParse(request.params);
    if (!parsed.success) {
      const { message, issues } = describeZodError(parsed.error);
      throw new ApiError('invalid_request', message, { issues });
    }
    const challengeId = parsed.data.id;
    let last = await describeChallenge(ctx, challengeId); // 404 before the stream opens
    const stream = openTracked(request, reply);
    const finish = (event: string, state: string) => {
      stream.send(event, { state });
      stream.close();
    };
    const check = async () => {
      last = await describeChallenge(ctx, challengeId);
      const state = last.push?.state;
      if (state === 'approved') return finish('approved', state);
      if (state === 'denied' || state === 'fraud' || state === 'expired' || state === 'cancelled') return finish(state, state);
      if (state === 'consumed' || last.status === 'done') return finish('cancelled', 'consumed');
      if (last.status === 'expired') return finish('expired', 'expired');
    };
    stream.onClose(onChallengePush(challengeId, () => void check().catch(stream.fail)));
    stream.every(RECHECK_MS, check);
    await check().catch(stream.fail);
  });

  app.get('/v1/push/events', async (request, reply) => {
    const device = await authenticateDevice(ctx, { method: request.method, url: request.url, headers: request.headers, rawBody: '' });
    const stream = openTracked(request, reply);
    const seen = new Set<string>();
    const check = async () => {
      const current = await findPushDevice(ctx.store.db, device.id);
      if (!current || current.state === 'revoked' || current.state === 'suspended') {
        stream.send('device', { state: current?.state ?? 'revoked' });
        return stream.close();
      }
      for (const item of (await pendingForDevice(ctx, current)).items) {
        if (seen.has(item.id)) continue;
        seen.add(item.id);
        stream.send('pending', { id: item.id });
      }
    };
    stream.onClose(onPendingPush(device.user_id, () => void check().catch(stream.fail)));
    stream.every(RECHECK_MS * 2, check);
    const end = setTimeout(() => stream.close(), DEVICE_STREAM_MS);
    stream.onClose(() => clearTimeout(end));
    await check().catch(stream.fail);
  });
}

interface EventStream {
  send(event: string, data: unknown): void;
  close(): void;
  fail(error: unknown): void;
  onClose(cleanup: () => void): void;
  every(ms: number, task: () => Promise<void>): void;
}

function openStream(request: FastifyRequest, reply: FastifyReply): EventStream {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    // nginx buffers responses unless told not to; an event held in a buffer is an approval not heard.
    'x-accel-buffering': 'no',
  });
  // The browser's EventSource reconnects after this many milliseconds when the stream drops.
  res.write('retry: 2000\n\n');
  const cleanups: (() => void)[] = [];
  let closed = false;
  const close = () => {
    if (closed) return;
    closed = true;
    for (const cleanup of cleanups.splice(0)) cleanup();
    res.end();
  };
  request.raw.on('close', close);
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS);
  cleanups.push(() => clearInterval(heartbeat));
  return {
    send(event, data) {
      if (!closed) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
    },
    close,
    fail(error) {
      request.log.error({ err: error }, 'push event stream failed');
      close();
    },
    onClose(cleanup) {
      if (closed) cleanup();
      else cleanups.push(cleanup);
    },
    every(ms, task) {
      let running = false;
      const timer = setInterval(() => {
        if (running || closed) return;
        running = true;
        task()
          .catch((error) => this.fail(error))
          .finally(() => (running = false));
      }, ms);
      cleanups.push(() => clearInterval(timer));
    },
  };
}
