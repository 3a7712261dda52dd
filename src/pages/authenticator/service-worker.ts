import { fill } from '../common/i18n.js';
import { texts } from './i18n.js';

/**
 * The authenticator's service worker: a Web Push message is only a wake-up (`{type:'pending',
 * challengeId, tenant}`; the request itself is fetched by the app, signed), shown as a
 * notification, and a click on it focuses the open app or opens it. The app registers this worker;
 * it caches nothing.
 *
 * The worker's types are declared here, narrowly: the DOM library this folder compiles with does
 * not have the service-worker scope, and the WebWorker library cannot be loaded beside it.
 */
interface ExtendableEventLike extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface PushEventLike extends ExtendableEventLike {
  readonly data: { json(): unknown; text(): string } | null;
}
interface NotificationEventLike extends ExtendableEventLike {
  readonly notification: Notification;
}
interface WindowClientLike {
  readonly url: string;
  focus(): Promise<WindowClientLike>;
  postMessage(message: unknown): void;
}
interface ServiceWorkerScopeLike {
  readonly registration: ServiceWorkerRegistration;
  readonly location: Location;
  readonly navigator: Navigator;
  readonly clients: {
    matchAll(options: { type: 'window'; includeUncontrolled: boolean }): Promise<readonly WindowClientLike[]>;
    openWindow(url: string): Promise<WindowClientLike | null>;
    claim(): Promise<void>;
  };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ExtendableEventLike) => void): void;
  addEventListener(type: 'push', listener: (event: PushEventLike) => void): void;
  addEventListener(type: 'notificationclick', listener: (event: NotificationEventLike) => void): void;
}

const worker = self as unknown as ServiceWorkerScopeLike;
const { t } = texts(worker.navigator);
/** The app's page: this worker's own folder (`/authenticator/`). */
const appUrl = new URL('./', worker.location.href).href;

interface WakeUp {
  type: 'pending';
  challengeId?: string;
  tenant?: string;
}

function readPayload(event: PushEventLike): WakeUp {
  try {
    const data = event.data?.json();
    if (data && typeof data === 'object') {
      const record = data as Record<string, unknown>;
      return {
        type: 'pending',
        challengeId: typeof record.challengeId === 'string' ? record.challengeId : undefined,
        tenant: typeof record.tenant === 'string' ? record.tenant : undefined,
      };
    }
  } catch {
    // Not JSON: still a wake-up.
  }
  return { type: 'pending' };
}

async function windows(): Promise<readonly WindowClientLike[]> {
  return worker.clients.matchAll({ type: 'window', includeUncontrolled: true });
}

worker.addEventListener('install', (event) => event.waitUntil(worker.skipWaiting()));
worker.addEventListener('activate', (event) => event.waitUntil(worker.clients.claim()));

worker.addEventListener('push', (event) => {
  const wake = readPayload(event);
  event.waitUntil(
    (async () => {
      // An open app fetches the request at once; the notification is shown either way (userVisibleOnly).
      for (const client of await windows()) client.postMessage({ type: 'pending', challengeId: wake.challengeId });
      await worker.registration.showNotification(t.notificationTitle, {
        body: fill(t.notificationBody, { tenant: wake.tenant ?? '' }),
        // One notification per request: a resend replaces it instead of stacking a second one.
        tag: wake.challengeId ? `push-${wake.challengeId}` : 'push',
        icon: new URL('icon.svg', appUrl).href,
        requireInteraction: true,
        data: { url: appUrl },
      });
    })(),
  );
});

worker.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(
    (async () => {
      const open = (await windows()).find((client) => client.url.startsWith(appUrl));
      if (open) {
        await open.focus();
        open.postMessage({ type: 'pending' });
        return;
      }
      await worker.clients.openWindow(appUrl);
    })(),
  );
});
