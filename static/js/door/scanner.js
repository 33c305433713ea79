// The door scanner: camera or typed code in, a full-screen green/amber/red answer out.
// Online, the server decides. Offline (or when the server cannot be reached), the phone
// verifies the ticket's signature itself, decides from the roster and revocation list it
// keeps, and queues the scan; the queue uploads by itself when the network returns.

import { createDetector } from "./decoder.js";
import { signal, unlockSound } from "./feedback.js";
import { dropAll, openStore } from "./store.js";
import { importPublicKey, InvalidTicket, judgeOffline, looksLikeToken, verifyTicket } from "./tickets.js";

const config = JSON.parse(document.getElementById("door-config").textContent);
const csrf = document.querySelector('meta[name="csrf-token"]').content;
const $ = (id) => document.getElementById(id);

const DEBOUNCE_MS = 3000; // the same code again within this time is the same scan
const FRAME_MS = 120; // how often a camera frame is read
const RETRY_MS = 20000; // how often the queue and the roster are retried
const REQUEST_MS = 5000; // a scan waits this long for the server before deciding itself
const GREEN_SHOWN_MS = 4000;
const ICONS = { green: "✓", amber: "!", red: "✕" };

const ui = {
  checkpoint: $("door-checkpoint"),
  video: $("door-video"),
  hint: $("door-camera-hint"),
  cameraToggle: $("door-camera-toggle"),
  cameraState: $("door-camera-state"),
  torch: $("door-torch"),
  undo: $("door-undo"),
  manual: $("door-manual"),
  code: $("door-code"),
  offline: $("door-offline"),
  queue: $("door-queue"),
  queueCount: $("door-queue-count"),
  roster: $("door-roster"),
  announce: $("door-announce"),
  overlay: $("door-result"),
  next: $("door-result-next"),
};

const state = {
  store: null,
  key: null,
  roster: null, // Map code -> roster entry
  revocations: null,
  signedOut: false,
  last: null, // the last check-in made here, for undo
  stream: null,
  detector: null,
  scanning: false,
  recent: new Map(), // code -> when its answer went away (or it was scanned)
  shownCode: null, // the camera code whose answer is on screen
  busy: false,
  syncing: false,
  overlayColour: null,
  returnFocus: null,
  greenTimer: null,
};

const device = `${navigator.platform || "phone"} scanner`.slice(0, 80);
const clock = new Intl.DateTimeFormat(config.locale, {
  hour: "2-digit",
  minute: "2-digit",
  hourCycle: "h23",
  timeZone: config.timezone,
});

function format(template, values) {
  return template.replace(/%\((\w+)\)s/g, (_m, name) => values[name] ?? "");
}

function checkpointCode() {
  return ui.checkpoint.value;
}

// --- the banner -------------------------------------------------------------------------

async function showQueue() {
  const count = state.store ? await state.store.queueLength() : 0;
  ui.queueCount.textContent = String(count);
  ui.queue.hidden = count === 0;
  ui.offline.hidden = navigator.onLine;
  ui.queue.closest(".door-banner").dataset.state = navigator.onLine ? "online" : "offline";
  return count;
}

function showRoster() {
  if (state.signedOut) {
    ui.roster.textContent = config.text.signed_out;
  } else if (state.roster) {
    ui.roster.textContent = format(config.text.roster_updated, { count: state.roster.size });
  }
}

// --- talking to the server ------------------------------------------------------------------

async function send(url, body) {
  return fetch(url, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, Accept: "application/json" },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(REQUEST_MS),
  });
}

async function signOut() {
  state.signedOut = true;
  state.roster = null;
  state.key = null;
  state.revocations = null;
  if (state.store) await state.store.clear();
  showRoster();
}

async function fetchCached(url, name) {
  const etag = await state.store.get(`${name}:etag`);
  const response = await fetch(url, {
    credentials: "same-origin",
    headers: { Accept: "application/json", ...(etag ? { "If-None-Match": etag } : {}) },
    signal: AbortSignal.timeout(REQUEST_MS * 2),
  });
  if (response.status === 401 || response.status === 403) {
    await signOut();
    return null;
  }
  if (response.status === 304 || !response.ok) return null;
  const data = await response.json();
  await state.store.set(name, data);
  await state.store.set(`${name}:etag`, response.headers.get("ETag"));
  return data;
}

async function loadLocal() {
  const roster = await state.store.get("roster");
  const revocations = await state.store.get("revocations");
  if (roster) {
    state.roster = new Map(roster.items.map((entry) => [entry.code, entry]));
    state.key = await importPublicKey(roster.public_key).catch(() => null);
  }
  state.revocations = revocations || null;
  showRoster();
}

async function refresh() {
  if (!navigator.onLine) return;
  try {
    await fetchCached(config.urls.roster, "roster");
    if (!state.signedOut) await fetchCached(config.urls.revocations, "revocations");
    if (!state.signedOut) await loadLocal();
  } catch {
    /* no network: keep what the phone has */
  }
}

function ungroup(items) {
  const tokens = items.filter((item) => item.token);
  const codes = items.filter((item) => !item.token);
  return { tokens, codes };
}

async function sync() {
  if (state.syncing || !navigator.onLine || !state.store || state.signedOut) return;
  state.syncing = true;
  try {
    const { tokens, codes } = ungroup(await state.store.queued());
    for (let at = 0; at < tokens.length; at += 500) {
      const scans = tokens.slice(at, at + 500).map(({ token, checkpoint, scan_id, scanned_at }) => ({
        token, checkpoint, scan_id, scanned_at, device, offline: true,
      }));
      const response = await send(config.urls.batch, { scans });
      if (response.status === 401) return await signOut();
      if (!response.ok) break;
      await state.store.dequeue(scans.map((scan) => scan.scan_id));
    }
    for (const item of codes) {
      const response = await send(config.urls.code, { ...item, device, offline: true });
      if (response.status === 401) return await signOut();
      if (!response.ok && response.status !== 400) break;
      await state.store.dequeue([item.scan_id]);
    }
  } catch {
    /* the network went away again: the next retry sends the rest */
  } finally {
    state.syncing = false;
    await showQueue();
  }
}

// --- deciding -------------------------------------------------------------------------------

function result(name) {
  if (name === "unknown_offline") {
    return { label: config.text.unknown_offline, advice: config.text.unknown_offline_advice, colour: "red" };
  }
  return config.results[name] || config.results.invalid;
}

async function decideOffline(input) {
  let claim;
  if (input.token) {
    if (!state.key) return { result: "unknown_offline" };
    try {
      claim = await verifyTicket(input.token, state.key, config.summit);
    } catch (error) {
      const reason = error instanceof InvalidTicket ? error.reason : "malformed";
      return { result: reason === "wrong_summit" ? "wrong_summit" : "invalid" };
    }
  } else {
    const entry = state.roster && state.roster.get(input.code);
    claim = { code: input.code, version: entry ? entry.version : -1 };
    if (!entry && !(state.revocations && (state.revocations.cancelled || []).includes(input.code))) {
      return { result: "unknown_offline" };
    }
  }
  const judged = judgeOffline(claim, state.roster, state.revocations);
  if (judged.result !== "checked_in") return { result: judged.result };
  const person = judged.entry;
  const first = await state.store.admitted(input.checkpoint, claim.code);
  if (first) {
    return { result: "already_checked_in", person, first: { at: first.at, by: first.by } };
  }
  await state.store.admit(input.checkpoint, claim.code, { at: input.scanned_at, by: null });
  return { result: "checked_in", person };
}

function fromServer(answer) {
  return {
    result: answer.result,
    label: answer.message,
    advice: answer.advice,
    colour: answer.colour,
    person: answer.registration,
    first: answer.first_check_in ? { at: answer.first_check_in.at, by: answer.first_check_in.by || "" } : null,
    notes: [
      answer.over_capacity ? config.text.over_capacity : "",
    ].filter(Boolean),
  };
}

async function scan(text) {
  const value = (text || "").trim();
  if (!value || state.signedOut) return;
  const input = {
    scan_id: crypto.randomUUID(),
    checkpoint: checkpointCode(),
    scanned_at: new Date().toISOString(),
  };
  if (looksLikeToken(value)) input.token = value.toUpperCase();
  else input.code = value.toUpperCase().replace(/[^A-Z0-9-]/g, "").slice(0, 32);
  if (navigator.onLine) {
    try {
      const url = input.token ? config.urls.scan : config.urls.code;
      const response = await send(url, { ...input, device });
      if (response.status === 401) {
        await signOut();
        return;
      }
      if (response.ok) {
        const answer = fromServer(await response.json());
        if (answer.result === "checked_in" && answer.person) {
          await state.store.admit(input.checkpoint, answer.person.code, { at: input.scanned_at, by: null });
          state.last = { scan_id: input.scan_id, code: answer.person.code, checkpoint: input.checkpoint, queued: false };
        }
        show(answer);
        return;
      }
      if (response.status < 500 && response.status !== 429) {
        const body = await response.json().catch(() => ({}));
        show({ result: "invalid", notes: [body.error ? body.error.message : ""] });
        return;
      }
    } catch {
      /* the server cannot be reached: decide here */
    }
  }
  const decided = await decideOffline(input);
  await state.store.enqueue({ ...input, offline: true });
  if (decided.result === "checked_in") {
    state.last = { scan_id: input.scan_id, code: decided.person.code, checkpoint: input.checkpoint, queued: true };
  }
  show({ ...decided, notes: [config.text.queued] });
  await showQueue();
}

// --- the answer -----------------------------------------------------------------------------

function firstText(first) {
  const at = first.at ? clock.format(new Date(first.at)) : "";
  const by = first.by === null ? config.text.this_device : first.by || config.text.someone;
  const checkpoint = config.checkpoints[checkpointCode()] || "";
  return format(config.text.first_check_in, { time: at, checkpoint, name: by });
}

function show(answer) {
  const base = result(answer.result);
  const colour = answer.colour || base.colour;
  const label = answer.label || base.label;
  const advice = answer.advice || base.advice;
  const person = answer.person;
  const flags = person ? (person.flags || []).map((flag) => config.flags[flag] || flag) : [];
  const type = person ? config.ticket_types[person.ticket_type] || person.ticket_type : "";
  const first = answer.first ? firstText(answer.first) : "";
  const notes = (answer.notes || []).filter(Boolean).join(" ");

  ui.overlay.dataset.colour = colour;
  ui.overlay.dataset.result = answer.result;
  $("door-result-icon").textContent = ICONS[colour] || ICONS.red;
  $("door-result-title").textContent = label;
  $("door-result-name").textContent = person ? person.name : "";
  $("door-result-type").textContent = type;
  const list = $("door-result-flags");
  list.replaceChildren(...flags.map((text) => Object.assign(document.createElement("li"), { textContent: text })));
  $("door-result-first").textContent = first;
  $("door-result-advice").textContent = advice;
  $("door-result-note").textContent = notes;

  if (ui.overlay.hidden) state.returnFocus = document.activeElement;
  ui.overlay.hidden = false;
  state.overlayColour = colour;
  document.body.classList.add("door-result-open");
  ui.next.focus();
  ui.announce.textContent = "";
  const spoken = [label, person ? person.name : "", type, flags.join(", "), first, advice, notes];
  setTimeout(() => {
    ui.announce.textContent = spoken.filter(Boolean).join(". ");
  }, 50);
  ui.undo.disabled = !state.last;
  signal(colour);
  clearTimeout(state.greenTimer);
  if (colour === "green") state.greenTimer = setTimeout(hide, GREEN_SHOWN_MS);
}

function hide() {
  clearTimeout(state.greenTimer);
  if (ui.overlay.hidden) return;
  ui.overlay.hidden = true;
  state.overlayColour = null;
  document.body.classList.remove("door-result-open");
  if (state.shownCode) state.recent.set(state.shownCode, performance.now());
  state.shownCode = null;
  const back = state.returnFocus && document.contains(state.returnFocus) ? state.returnFocus : ui.code;
  back.focus();
}

ui.next.addEventListener("click", hide);
ui.overlay.addEventListener("keydown", (event) => {
  if (event.key === "Escape") {
    event.preventDefault();
    hide();
  } else if (event.key === "Tab") {
    event.preventDefault(); // one control in the dialog: keep focus on it
    ui.next.focus();
  }
});

// --- camera -------------------------------------------------------------------------------------

function cameraMessage(text) {
  ui.cameraState.textContent = text;
  ui.hint.textContent = text;
}

async function startCamera() {
  unlockSound();
  try {
    state.detector = state.detector || (await createDetector(config.urls.wasm)).detector;
    state.stream = await navigator.mediaDevices.getUserMedia({
      video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 }, height: { ideal: 720 } },
      audio: false,
    });
  } catch {
    cameraMessage(config.text.camera_failed);
    return;
  }
  ui.video.srcObject = state.stream;
  await ui.video.play().catch(() => undefined);
  const [track] = state.stream.getVideoTracks();
  const capabilities = track && track.getCapabilities ? track.getCapabilities() : {};
  ui.torch.hidden = !capabilities.torch;
  ui.cameraToggle.textContent = ui.cameraToggle.dataset.stop;
  ui.hint.hidden = true;
  ui.cameraState.textContent = config.text.camera_on;
  state.scanning = true;
  readFrames();
}

function stopCamera() {
  state.scanning = false;
  if (state.stream) for (const track of state.stream.getTracks()) track.stop();
  state.stream = null;
  ui.video.srcObject = null;
  ui.torch.hidden = true;
  ui.torch.setAttribute("aria-pressed", "false");
  ui.cameraToggle.textContent = ui.cameraToggle.dataset.start;
  ui.hint.hidden = false;
  cameraMessage(config.text.camera_off);
}

async function readFrames() {
  while (state.scanning) {
    const blocked = state.overlayColour && state.overlayColour !== "green";
    if (!blocked && !state.busy && ui.video.readyState >= 2) {
      try {
        const codes = await state.detector.detect(ui.video);
        const now = performance.now();
        for (const { rawValue } of codes) {
          // The same code counts again only 3 s after its answer went away.
          if (rawValue === state.shownCode && !ui.overlay.hidden) continue;
          const seen = state.recent.get(rawValue);
          if (seen !== undefined && now - seen < DEBOUNCE_MS) continue;
          state.busy = true;
          try {
            await scan(rawValue);
          } finally {
            state.busy = false;
          }
          state.shownCode = rawValue;
          state.recent.set(rawValue, performance.now());
          break;
        }
      } catch {
        /* a frame that cannot be read is skipped */
      }
    }
    await new Promise((resolve) => setTimeout(resolve, FRAME_MS));
  }
}

ui.cameraToggle.dataset.start = ui.cameraToggle.textContent;
ui.cameraToggle.dataset.stop = ui.cameraToggle.dataset.stopLabel || ui.cameraToggle.textContent;
ui.cameraToggle.addEventListener("click", () => (state.stream ? stopCamera() : startCamera()));

ui.torch.addEventListener("click", async () => {
  const [track] = state.stream ? state.stream.getVideoTracks() : [];
  if (!track) return;
  const on = ui.torch.getAttribute("aria-pressed") !== "true";
  try {
    await track.applyConstraints({ advanced: [{ torch: on }] });
    ui.torch.setAttribute("aria-pressed", String(on));
  } catch {
    ui.torch.hidden = true;
  }
});

// --- typed code and undo ---------------------------------------------------------------------------

ui.manual.addEventListener("submit", async (event) => {
  event.preventDefault();
  unlockSound();
  const value = ui.code.value;
  if (!value.trim() || state.busy) return;
  state.busy = true;
  try {
    await scan(value);
    ui.code.value = "";
  } finally {
    state.busy = false;
  }
});

ui.undo.addEventListener("click", async () => {
  const last = state.last;
  if (!last) {
    show({ result: "annulled", colour: "amber", label: config.text.nothing_to_undo, advice: " " });
    return;
  }
  const queued = (await state.store.queued()).some((item) => item.scan_id === last.scan_id);
  if (queued) {
    await state.store.dequeue([last.scan_id]);
    await state.store.forget(last.checkpoint, last.code);
    state.last = null;
    await showQueue();
    show({ result: "annulled", label: config.text.undone });
    return;
  }
  try {
    const response = await send(config.urls.undo, { scan_id: last.scan_id });
    if (response.ok) {
      await state.store.forget(last.checkpoint, last.code);
      state.last = null;
      show({ result: "annulled", label: config.text.undone });
    } else {
      const body = await response.json().catch(() => ({}));
      show({ result: "invalid", label: config.text.undo_failed, advice: body.error ? body.error.message : "" });
    }
  } catch {
    show({ result: "invalid", label: config.text.undo_failed, advice: config.text.undo_offline });
  }
  ui.undo.disabled = !state.last;
});

// --- logout: nothing of the roster stays on the phone ------------------------------------------------

for (const form of document.querySelectorAll('form[action$="/account/logout"]')) {
  form.addEventListener("submit", async (event) => {
    if (form.dataset.cleared) return;
    event.preventDefault();
    await sync();
    const left = state.store ? await state.store.queueLength() : 0;
    if (left > 0 && !window.confirm(config.text.unsent_at_logout)) return;
    if (state.store) {
      await state.store.clear();
      state.store.close();
      state.store = null;
    }
    await dropAll(config.summit);
    if (navigator.serviceWorker && navigator.serviceWorker.controller) {
      navigator.serviceWorker.controller.postMessage("logout");
    }
    form.dataset.cleared = "1";
    form.submit();
  });
}

// --- start ---------------------------------------------------------------------------------------------

async function start() {
  state.store = await openStore(config.summit);
  await loadLocal();
  await showQueue();
  if ("serviceWorker" in navigator) {
    // Ready for offline once the worker (which caches the page first) controls it.
    const ready = () => {
      if (navigator.serviceWorker.controller) document.documentElement.dataset.doorOffline = "ready";
    };
    navigator.serviceWorker.addEventListener("controllerchange", ready);
    ready();
    navigator.serviceWorker.register(config.urls.worker, { scope: config.urls.scope }).catch(() => undefined);
  }
  await refresh();
  await sync();
  window.addEventListener("online", async () => {
    await showQueue();
    await sync();
    await refresh();
  });
  window.addEventListener("offline", showQueue);
  setInterval(async () => {
    await sync();
    await refresh();
  }, RETRY_MS);
  document.documentElement.dataset.doorReady = "1";
}

start();
