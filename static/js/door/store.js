// What the scanner keeps on the phone, in IndexedDB: the roster, the public key and
// the revocation list (with their ETags), scans waiting to be sent, and the codes
// admitted at each checkpoint (to answer "already checked in" with no network).

const STORES = ["kv", "queue", "admitted"];

function request(req) {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

export function databaseName(summit) {
  return `summit-door-${summit}`;
}

export async function openStore(summit) {
  const opening = indexedDB.open(databaseName(summit), 1);
  opening.onupgradeneeded = () => {
    const db = opening.result;
    db.createObjectStore("kv");
    db.createObjectStore("queue", { keyPath: "scan_id" });
    db.createObjectStore("admitted", { keyPath: "key" });
  };
  const db = await request(opening);
  db.onversionchange = () => db.close(); // someone is deleting it (logged out)
  return new Store(db);
}

class Store {
  constructor(db) {
    this.db = db;
  }

  async run(name, mode, work) {
    const tx = this.db.transaction(name, mode);
    const result = await work(tx.objectStore(name));
    await new Promise((resolve, reject) => {
      tx.oncomplete = resolve;
      tx.onerror = () => reject(tx.error);
      tx.onabort = () => reject(tx.error);
    });
    return result;
  }

  get(key) {
    return this.run("kv", "readonly", (s) => request(s.get(key)));
  }

  set(key, value) {
    return this.run("kv", "readwrite", (s) => request(s.put(value, key)));
  }

  enqueue(scan) {
    return this.run("queue", "readwrite", (s) => request(s.put(scan)));
  }

  queued() {
    return this.run("queue", "readonly", (s) => request(s.getAll()));
  }

  queueLength() {
    return this.run("queue", "readonly", (s) => request(s.count()));
  }

  dequeue(scanIds) {
    return this.run("queue", "readwrite", (s) => {
      for (const id of scanIds) s.delete(id);
    });
  }

  admit(checkpoint, code, entry) {
    const key = `${checkpoint}|${code}`;
    return this.run("admitted", "readwrite", (s) => request(s.put({ key, ...entry })));
  }

  admitted(checkpoint, code) {
    return this.run("admitted", "readonly", (s) => request(s.get(`${checkpoint}|${code}`)));
  }

  forget(checkpoint, code) {
    return this.run("admitted", "readwrite", (s) => request(s.delete(`${checkpoint}|${code}`)));
  }

  async clear() {
    for (const name of STORES) {
      await this.run(name, "readwrite", (s) => request(s.clear()));
    }
  }

  close() {
    this.db.close();
  }
}

// Drop everything this phone holds for a summit (at logout, or when signed out).
export async function dropAll(summit) {
  await request(indexedDB.deleteDatabase(databaseName(summit))).catch(() => undefined);
}
