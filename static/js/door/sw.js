// The door scanner's service worker: keeps the page, its scripts and styles and the
// QR decoder on the phone so the scanner opens with no network. API calls are not
// cached here (the page keeps the roster in IndexedDB and queues its scans).
// Served at /<summit>/door/sw.js; its scope is the scanner page, /<summit>/door.

const VERSION = "door-v1";
const CACHE = `summit-${VERSION}`;
const ASSETS = [
  "/static/vendor/bootstrap/bootstrap.min.css",
  "/static/vendor/bootstrap/bootstrap.bundle.min.js",
  "/static/css/summit.css",
  "/static/favicon.svg",
  "/static/js/door/scanner.js",
  "/static/js/door/store.js",
  "/static/js/door/tickets.js",
  "/static/js/door/decoder.js",
  "/static/js/door/feedback.js",
  "/static/vendor/barcode-detector/ponyfill.js",
  "/static/vendor/barcode-detector/zxing-exported.js",
  "/static/vendor/barcode-detector/zxing_reader.wasm",
];

const scope = new URL(self.registration.scope);
const pagePath = scope.pathname.replace(/\/$/, "");
const summit = pagePath.split("/")[1];

function isPage(url) {
  return url.origin === scope.origin && url.pathname === pagePath;
}

// The only redirect of the scanner page is to the login page.
function signedOut(response) {
  if (response.type === "opaqueredirect") return true;
  return response.redirected && new URL(response.url).pathname.includes("/account/login");
}

async function cachePage() {
  const response = await fetch(pagePath, { credentials: "same-origin" });
  if (response.ok && !signedOut(response)) {
    const cache = await caches.open(CACHE);
    await cache.put(pagePath, response);
  }
}

async function forgetEverything() {
  await caches.delete(CACHE);
  await new Promise((resolve) => {
    const deleting = indexedDB.deleteDatabase(`summit-door-${summit}`);
    deleting.onsuccess = deleting.onerror = deleting.onblocked = () => resolve();
  });
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(ASSETS);
      await cachePage().catch(() => undefined);
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith("summit-door-") && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// The page: from the network when there is one (fresh CSRF token and checkpoints),
// the cached copy when offline. Signed out: forget the cached page and the roster.
async function page(request) {
  try {
    const response = await fetch(request);
    if (signedOut(response)) {
      await forgetEverything();
    } else if (response.ok) {
      const cache = await caches.open(CACHE);
      await cache.put(pagePath, response.clone());
    }
    return response;
  } catch (error) {
    const cached = await caches.match(pagePath);
    if (cached) return cached;
    throw error;
  }
}

// Scripts, styles and the decoder: the cached copy at once, refreshed in the background.
async function asset(request) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(request, { ignoreSearch: true });
  const refresh = fetch(request)
    .then((response) => {
      if (response.ok) cache.put(request, response.clone());
      return response;
    })
    .catch(() => undefined);
  if (cached) return cached;
  const fresh = await refresh;
  return fresh || Response.error();
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== scope.origin) return;
  if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(page(request));
  } else if (ASSETS.includes(url.pathname)) {
    event.respondWith(asset(request));
  }
});

self.addEventListener("message", (event) => {
  if (event.data === "logout") event.waitUntil(forgetEverything());
});
