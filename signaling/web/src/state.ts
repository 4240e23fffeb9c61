// The signed-in user: wallet, profile and subscriptions, shared by the pages.
import * as api from "./api.ts";
import type { Wallet } from "./wallet.ts";

export const state = {
  wallet: undefined as Wallet | undefined,
  profile: null as api.Profile | null,
  /** Broadcasters the user subscribes to (first 100; for notices and filters). */
  subs: new Set<string>(),
};

const listeners = new Set<() => void>();

export function onState(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

function emit() {
  for (const fn of listeners) fn();
}

export async function setWallet(w: Wallet | undefined) {
  state.wallet = w;
  state.profile = null;
  state.subs = new Set();
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
