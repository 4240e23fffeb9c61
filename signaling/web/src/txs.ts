// The transaction functions of tx.ts, loaded on first use: CosmJS is most of
// the app's weight, and the schedule needs none of it.
import type * as Tx from "./tx.ts";

export type { ProfileFields, StreamFields } from "./tx.ts";

let mod: Promise<typeof Tx> | undefined;
const load = () => (mod ??= import("./tx.ts"));

export const editProfile = async (...a: Parameters<typeof Tx.editProfile>) => (await load()).editProfile(...a);
export const newStream = async (...a: Parameters<typeof Tx.newStream>) => (await load()).newStream(...a);
export const editStream = async (...a: Parameters<typeof Tx.editStream>) => (await load()).editStream(...a);
export const deleteStream = async (...a: Parameters<typeof Tx.deleteStream>) => (await load()).deleteStream(...a);
export const subscribe = async (...a: Parameters<typeof Tx.subscribe>) => (await load()).subscribe(...a);
export const unsubscribe = async (...a: Parameters<typeof Tx.unsubscribe>) => (await load()).unsubscribe(...a);
