import type { PushDeviceState } from '../../shared/api/push.js';

/**
 * The app's accounts, in IndexedDB. The private key is stored as the CryptoKey object itself:
 * IndexedDB keeps a non-extractable key by structured clone, so the page can sign with it after a
 * restart while no script, this one included, can ever read its bytes out (WebCrypto, "CryptoKey
 * serialization"; the key was generated with extractable: false).
 */
export interface StoredAccount {
  deviceId: string;
  /** The server's base URL, from the enrollment link (the app calls it, never another). */
  serverUrl: string;
  account: { tenant: string; email: string };
  deviceName: string;
  privateKey: CryptoKey;
  /** The state the server last reported. */
  state: PushDeviceState;
  enrolledAt: string;
}

const DB_NAME = 'mfa-desk-authenticator';
const STORE = 'accounts';

let opened: Promise<IDBDatabase> | undefined;

function open(): Promise<IDBDatabase> {
  opened ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, 1);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(STORE)) request.result.createObjectStore(STORE, { keyPath: 'deviceId' });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this app'));
  }).catch((error: unknown) => {
    opened = undefined;
    throw error;
  });
  return opened;
}

function run<T>(mode: IDBTransactionMode, work: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return open().then(
    (db) =>
      new Promise<T>((resolve, reject) => {
        const transaction = db.transaction(STORE, mode);
        const request = work(transaction.objectStore(STORE));
        transaction.oncomplete = () => resolve(request.result);
        transaction.onerror = () => reject(transaction.error ?? request.error ?? new Error('IndexedDB transaction failed'));
        transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction aborted'));
      }),
  );
}

export async function listAccounts(): Promise<StoredAccount[]> {
  const all = await run<StoredAccount[]>('readonly', (store) => store.getAll() as IDBRequest<StoredAccount[]>);
  return all.sort((a, b) => a.enrolledAt.localeCompare(b.enrolledAt));
}

export async function saveAccount(account: StoredAccount): Promise<void> {
  await run('readwrite', (store) => store.put(account));
}

export async function removeAccount(deviceId: string): Promise<void> {
  await run('readwrite', (store) => store.delete(deviceId));
}
