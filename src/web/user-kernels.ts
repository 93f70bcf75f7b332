import type { KernelEntry } from './protocol.js';

/**
 * The kernels a user added (dropped files), kept in this browser's IndexedDB so they are there on
 * the next visit: the file's bytes and what was read of it. Nothing leaves the browser. Used by the
 * page (add, list, remove) and by the workers (the bytes of a kernel to check).
 */
export interface StoredKernel {
  readonly entry: KernelEntry;
  readonly name: string;
  readonly bytes: Uint8Array;
}

const DB = 'corecheck';
const STORE = 'user-kernels';

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function inStore<T>(mode: IDBTransactionMode, fn: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const req = fn(db.transaction(STORE, mode).objectStore(STORE));
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  } finally {
    db.close();
  }
}

export const putUserKernel = (k: StoredKernel): Promise<IDBValidKey> => inStore('readwrite', (s) => s.put(k, userKey(k.entry)));
export const deleteUserKernel = (key: string): Promise<undefined> => inStore('readwrite', (s) => s.delete(key));
export const getUserKernel = (key: string): Promise<StoredKernel | undefined> => inStore('readonly', (s) => s.get(key) as IDBRequest<StoredKernel | undefined>);
export const listUserKernels = async (): Promise<KernelEntry[]> =>
  ((await inStore('readonly', (s) => s.getAll() as IDBRequest<StoredKernel[]>)) ?? []).map((k) => k.entry);

function userKey(entry: KernelEntry): string {
  if (entry.ref.kind !== 'user') throw new Error('not a user kernel');
  return entry.ref.key;
}
