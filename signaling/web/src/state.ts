// The signed-in user: wallet, profile and subscriptions, shared by the pages.
import * as api from "./api.ts";
import { forgetTokens } from "./resume.ts";
import type { Wallet } from "./wallet.ts";

export const state = {
  wallet: undefined as Wallet | undefined,
  profile: null as api.Profile | null,
  /** Broadcasters the user subscribes to (first 100; for notices and filters). */
  subs: new Set<string>(),
  /** When each of those subscriptions ends, by broadcaster (paid ones only). */
  expiry: new Map<string, string>(),
};

const listeners = new Set<() => void>();

export function onState(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit() {
  for (const fn of listeners) fn();
}

/**
 * The sign-in that outlives the page: which wallet and account the user
 * connected ({"kind":"keplr"} or {"kind":"devnet","name":"bob"}), in
 * localStorage so a reload and a second tab reconnect. Never a key: Keplr
 * keeps its own session (its enable() answers without a prompt once the
 * site is approved) and a devnet account is looked up by name again. The
 * signaling sign-in has its own token beside it (resume.ts).
 */
export const REMEMBERED = "streamchain.wallet";
export type Remembered = { kind: "keplr" } | { kind: "devnet"; name: string };

export function remembered(): Remembered | undefined {
  try {
    const v = JSON.parse(localStorage.getItem(REMEMBERED) ?? "null") as Remembered | null;
    if (v?.kind === "keplr" || (v?.kind === "devnet" && typeof v.name === "string")) return v;
  } catch {
    // unreadable: forget it
  }
  return undefined;
}

function remember(w: Wallet | undefined) {
  try {
    if (w) {
      localStorage.setItem(REMEMBERED, JSON.stringify(w.kind === "keplr" ? { kind: "keplr" } : { kind: "devnet", name: w.label }));
    } else {
      localStorage.removeItem(REMEMBERED);
      // Signing out ends the signaling sign-in too (resume.ts).
      forgetTokens(localStorage);
    }
  } catch {
    // storage refused (private mode): the sign-in lasts as long as the page
  }
}

export async function setWallet(w: Wallet | undefined, opts: { remember?: boolean } = {}) {
  if (opts.remember !== false) remember(w);
  state.wallet = w;
  state.profile = null;
  state.subs = new Set();
  state.expiry = new Map();
  if (w) await refreshMe();
  else emit();
}

/** refreshMe re-reads the user's profile and subscriptions after a tx. */
export async function refreshMe() {
  const w = state.wallet;
  if (!w) return;
  api.forgetProfile(w.address);
  const [p, subs] = await Promise.all([api.profile(w.address), api.subscriptions(w.address, null, 100)]);
  if (state.wallet !== w) return;
  state.profile = p;
  state.subs = new Set(subs.items.map((s) => s.broadcaster));
  state.expiry = new Map(subs.items.filter((s) => s.expires_at).map((s) => [s.broadcaster, s.expires_at!]));
  emit();
}

/** The time zone to show times in: the profile's, else the browser's. */
export function timeZone(): string | undefined {
  return state.profile?.time_zone || undefined;
}

export async function displayName(address: string): Promise<string> {
  const p = await api.profileCached(address);
  const n = [p?.name, p?.surname].filter(Boolean).join(" ");
  return n || address.slice(0, 11) + "…" + address.slice(-4);
}
