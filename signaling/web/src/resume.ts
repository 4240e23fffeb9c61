// The signaling sign-in that outlives the page: signalingd's resume token
// (signaling/PROTOCOL.md §3.4), kept where a reload and every tab of this
// origin find it, so that none of them asks the wallet to sign again.
//
// Why storing it is acceptable: the token is not a key and signs nothing. It
// lets its holder sign in to signalingd as this address, once (single use),
// until resume_expires_at (10 min by default, and never later than 12 h after
// the wallet signature that began the chain of resumes): to watch streams the
// account subscribes to, or to broadcast its own. It moves no funds and
// sends no transaction, and the server keeps only its hash. A script able
// to read this origin's storage could as well drive the wallet the page is
// connected to. Signing out (Disconnect) deletes it.
//
// No DOM here: the page gives it localStorage, the unit tests a Map.

/** The part of the Web Storage API the store uses. */
export interface TokenStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What a signaling link asks of the store (reconnect.ts). */
export interface ResumeTokens {
  /**
   * take returns the newest token for the address and forgets it: a token
   * is spent by being sent, whatever the answer. Undefined when there is
   * none, it is another account's, or it expires within MARGIN_MS.
   */
  take(): string | undefined;
  /** save keeps the token the server just issued (and its expiry, RFC 3339). */
  save(token: string, expiresAt: string): void;
}

export const RESUME_KEY = "streamchain.resume";

/** A token this close to its expiry is not sent: it could expire on the way. */
export const MARGIN_MS = 5000;

interface Stored {
  address: string;
  token: string;
  expires_at: string;
}

/** storedTokens keeps the address's resume token in `storage` (localStorage in the page). */
export function storedTokens(storage: TokenStorage | undefined, address: string, now: () => number = Date.now): ResumeTokens {
  return {
    take() {
      if (!storage) return undefined;
      let s: Partial<Stored> | null = null;
      try {
        s = JSON.parse(storage.getItem(RESUME_KEY) ?? "null") as Partial<Stored> | null;
        // Taken by this tab: another tab that resumes now signs with its wallet
        // instead of sending a token the server would refuse.
        storage.removeItem(RESUME_KEY);
      } catch {
        return undefined; // unreadable, or storage refused (private mode)
      }
      if (!s || s.address !== address || typeof s.token !== "string" || !s.token) return undefined;
      const until = Date.parse(String(s.expires_at));
      if (!(until - MARGIN_MS > now())) return undefined;
      return s.token;
    },
    save(token, expiresAt) {
      if (!storage) return;
      try {
        storage.setItem(RESUME_KEY, JSON.stringify({ address, token, expires_at: expiresAt } satisfies Stored));
      } catch {
        // storage refused: the next sign-in asks the wallet
      }
    },
  };
}

/** forgetTokens deletes the stored token (signing out). */
export function forgetTokens(storage: TokenStorage | undefined): void {
  try {
    storage?.removeItem(RESUME_KEY);
  } catch {
    // nothing stored
  }
}

/** memoryTokens keeps the token for one link only (no storage). */
export function memoryTokens(): ResumeTokens {
  let held = "";
  return {
    take() {
      const t = held;
      held = "";
      return t || undefined;
    },
    save(token) {
      held = token;
    },
  };
}
