// Signed tickets, read and verified on the phone: the same format as the server's
// summit/registration/tickets.py. A token is "SM1" + unpadded base32 of
//   1 | len(slug) | slug | len(code) | code | version (2 bytes, big-endian) | Ed25519 signature (64)

const PREFIX = "SM1";
const ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const SIGNATURE_BYTES = 64;

export class InvalidTicket extends Error {
  constructor(reason) {
    super(reason);
    this.reason = reason; // malformed, bad_signature, wrong_summit
  }
}

export function looksLikeToken(text) {
  return (text || "").trim().toUpperCase().startsWith(PREFIX);
}

function base32(text) {
  const out = [];
  let bits = 0;
  let value = 0;
  for (const ch of text) {
    const index = ALPHABET.indexOf(ch);
    if (index < 0) throw new InvalidTicket("malformed");
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push((value >> bits) & 0xff);
    }
  }
  return new Uint8Array(out);
}

const ascii = new TextDecoder("ascii", { fatal: true });

export function parseTicket(token) {
  const text = (token || "").trim().toUpperCase();
  if (!text.startsWith(PREFIX) || text.length > 400) throw new InvalidTicket("malformed");
  const raw = base32(text.slice(PREFIX.length));
  if (raw.length < 6 + SIGNATURE_BYTES || raw[0] !== 1) throw new InvalidTicket("malformed");
  const signed = raw.slice(0, raw.length - SIGNATURE_BYTES);
  const signature = raw.slice(raw.length - SIGNATURE_BYTES);
  const slugLength = signed[1];
  const codeAt = 2 + slugLength;
  const codeLength = signed[codeAt];
  const versionAt = codeAt + 1 + codeLength;
  if (codeLength === undefined || versionAt + 2 !== signed.length) {
    throw new InvalidTicket("malformed");
  }
  let summit;
  let code;
  try {
    summit = ascii.decode(signed.slice(2, codeAt));
    code = ascii.decode(signed.slice(codeAt + 1, versionAt));
  } catch {
    throw new InvalidTicket("malformed");
  }
  if (!summit || !code) throw new InvalidTicket("malformed");
  const version = (signed[versionAt] << 8) | signed[versionAt + 1];
  return { summit, code, version, signed, signature };
}

export function importPublicKey(base64) {
  const raw = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
  return crypto.subtle.importKey("raw", raw, { name: "Ed25519" }, false, ["verify"]);
}

// The claim of a genuine ticket of this summit, or throw InvalidTicket.
export async function verifyTicket(token, key, summit) {
  const claim = parseTicket(token);
  if (claim.summit !== summit) throw new InvalidTicket("wrong_summit");
  const ok = await crypto.subtle.verify({ name: "Ed25519" }, key, claim.signature, claim.signed);
  if (!ok) throw new InvalidTicket("bad_signature");
  return { summit: claim.summit, code: claim.code, version: claim.version };
}

// What the door says with no network, from the roster and revocations on the phone.
// Returns { result, entry } where result is a ScanResult value or "unknown_offline".
export function judgeOffline(claim, roster, revocations) {
  const code = claim.code;
  const revoked = revocations || {};
  if ((revoked.cancelled || []).includes(code)) return { result: "cancelled", entry: null };
  const current = (revoked.current_versions || {})[code];
  if (current !== undefined && current !== claim.version) {
    return { result: "revoked", entry: null };
  }
  if ((revoked.not_confirmed || []).includes(code)) {
    return { result: "not_confirmed", entry: null };
  }
  const entry = roster ? roster.get(code) : undefined;
  if (!entry) return { result: "unknown_offline", entry: null };
  if (entry.version !== claim.version) return { result: "revoked", entry: null };
  return { result: "checked_in", entry };
}
