// The transaction functions of tx.ts, loaded on first use: CosmJS is most of
// the app's weight, and the schedule needs none of it.
import type * as Tx from "./tx.ts";
import { TX_DEADLINE_MS, withDeadline } from "./deadline.ts";
import { refreshMe } from "./state.ts";

export type { ProfileFields, StreamFields } from "./tx.ts";

let mod: Promise<typeof Tx> | undefined;
const load = () => (mod ??= import("./tx.ts"));

/**
 * Every tx: the wait has a deadline and a cancel (signal), and the user's
 * own data (profile, counts, subscriptions: state.ts) is read again once
 * the tx is in a block, which every page listening to state follows.
 */
function tx<A extends unknown[], R>(f: (m: typeof Tx) => (...a: A) => Promise<R>) {
  return async (signal: AbortSignal | undefined, ...a: A): Promise<R> => {
    const r = await withDeadline(load().then((m) => f(m)(...a)), TX_DEADLINE_MS, signal);
    await refreshMe().catch(() => undefined);
    return r;
  };
}

export const editProfile = tx((m) => m.editProfile);
export const newStream = tx((m) => m.newStream);
export const editStream = tx((m) => m.editStream);
export const deleteStream = tx((m) => m.deleteStream);
export const subscribe = tx((m) => m.subscribe);
export const unsubscribe = tx((m) => m.unsubscribe);
export const setTerms = tx((m) => m.setTerms);
export const tip = tx((m) => m.tip);
export const block = tx((m) => m.block);
export const unblock = tx((m) => m.unblock);
