// Reads from the chain's REST API (the gRPC gateway) and from signalingd.

export interface ChainInfo {
  chainId: string;
  chainName: string;
  rpc: string;
  rest: string;
  bech32Config: { bech32PrefixAccAddr: string };
  feeCurrencies: { coinMinimalDenom: string; gasPriceStep: { low: number; average: number; high: number } }[];
  [k: string]: unknown;
}

export interface Stream {
  id: string;
  broadcaster: string;
  title: string;
  description: string;
  img_link: string;
  start_time: string;
  end_time: string;
  created_at: string;
}

export interface Profile {
  address: string;
  name: string;
  surname: string;
  img_link: string;
  time_zone: string;
  created_at: string;
  subscriber_count: string;
  subscription_count: string;
  stream_count: string;
}

export interface Subscription {
  subscriber: string;
  broadcaster: string;
  since?: string;
  /** When a paid subscription ends; absent for a free one. */
  expires_at?: string;
  [k: string]: unknown;
}

/** What a broadcaster charges: price (ustream) per period; free when price is 0. */
export interface Terms {
  price: bigint;
  periodMs: number;
  free: boolean;
}

/** An account a broadcaster keeps out. */
export interface Block {
  broadcaster: string;
  account: string;
  reason?: string;
  since?: string;
}

export interface Page<T> {
  items: T[];
  nextKey: string | null;
  total?: number;
}

export type StatusFilter = "" | "STREAM_STATUS_UPCOMING" | "STREAM_STATUS_LIVE" | "STREAM_STATUS_ENDED";

import { QUERY_DEADLINE_MS } from "./deadline.ts";
import { QueryFailure } from "./errors.ts";
import { durationMs, limitsOf, type Limits, type ParamsJSON } from "./rules.ts";

let info: ChainInfo | undefined;

/** chainInfo is signalingd's /chain-info.json (Keplr's ChainInfo). */
export async function chainInfo(): Promise<ChainInfo> {
  if (info) return info;
  const r = await fetch("/chain-info.json");
  if (!r.ok) throw new Error(`chain-info: ${r.status} ${await r.text()}`);
  info = (await r.json()) as ChainInfo;
  return info;
}

async function rest<T>(path: string, params: Record<string, string | undefined> = {}): Promise<T | null> {
  const { rest } = await chainInfo();
  const u = new URL(rest.replace(/\/$/, "") + path);
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") u.searchParams.set(k, v);
  // A node that does not answer is an error the page shows, not a wait for ever.
  const r = await fetch(u, { signal: AbortSignal.timeout(QUERY_DEADLINE_MS) });
  if (r.status === 404) return null;
  const body = await r.json().catch(() => ({}));
  if (!r.ok) {
    // gRPC NotFound comes back as code 5 in the body.
    if ((body as { code?: number }).code === 5) return null;
    throw new QueryFailure(path, r.status, (body as { message?: string }).message ?? "");
  }
  return body as T;
}

const base = "/streamchain/streaming/v1";

export const PAGE_SIZE = 10;

function pageParams(key: string | null, limit = PAGE_SIZE): Record<string, string | undefined> {
  return { "pagination.key": key ?? undefined, "pagination.limit": String(limit) };
}

interface PaginationJSON { next_key: string | null; total?: string }

export async function streams(opts: { broadcaster?: string; status?: StatusFilter; key?: string | null; limit?: number }): Promise<Page<Stream>> {
  const r = await rest<{ streams: { stream: Stream; status: string }[]; pagination?: PaginationJSON }>(`${base}/streams`, {
    broadcaster: opts.broadcaster, status: opts.status, ...pageParams(opts.key ?? null, opts.limit),
  });
  return { items: (r?.streams ?? []).map((s) => s.stream), nextKey: r?.pagination?.next_key ?? null };
}

export async function stream(id: string): Promise<Stream | null> {
  const r = await rest<{ stream: Stream }>(`${base}/streams/${encodeURIComponent(id)}`);
  return r?.stream ?? null;
}

export async function profile(address: string): Promise<Profile | null> {
  const r = await rest<{ profile: Profile }>(`${base}/profiles/${encodeURIComponent(address)}`);
  return r?.profile ?? null;
}

export async function subscribers(broadcaster: string, key: string | null, limit = PAGE_SIZE): Promise<Page<Subscription>> {
  const r = await rest<{ subscriptions: Subscription[]; pagination?: PaginationJSON }>(`${base}/subscribers/${broadcaster}`, pageParams(key, limit));
  return { items: r?.subscriptions ?? [], nextKey: r?.pagination?.next_key ?? null, total: r?.pagination?.total ? Number(r.pagination.total) : undefined };
}

export async function subscriptions(subscriber: string, key: string | null, limit = PAGE_SIZE): Promise<Page<Subscription>> {
  const r = await rest<{ subscriptions: Subscription[]; pagination?: PaginationJSON }>(`${base}/subscriptions/${subscriber}`, pageParams(key, limit));
  return { items: r?.subscriptions ?? [], nextKey: r?.pagination?.next_key ?? null, total: r?.pagination?.total ? Number(r.pagination.total) : undefined };
}

export async function isSubscribed(subscriber: string, broadcaster: string): Promise<boolean> {
  const r = await rest<{ subscribed: boolean }>(`${base}/subscriptions/${subscriber}/${broadcaster}`);
  return r?.subscribed ?? false;
}

/** terms: the broadcaster's subscription terms (the chain's terms query). */
export async function terms(broadcaster: string): Promise<Terms> {
  const r = await rest<{ terms?: { price?: { amount?: string }; period?: string }; free?: boolean }>(`${base}/subscription_terms/${encodeURIComponent(broadcaster)}`);
  const price = BigInt(r?.terms?.price?.amount || "0");
  return { price, periodMs: durationMs(r?.terms?.period) || 0, free: r?.free ?? price === 0n };
}

export async function blocks(broadcaster: string, key: string | null, limit = PAGE_SIZE): Promise<Page<Block>> {
  const r = await rest<{ blocks: Block[]; pagination?: PaginationJSON }>(`${base}/blocks/${encodeURIComponent(broadcaster)}`, pageParams(key, limit));
  return { items: r?.blocks ?? [], nextKey: r?.pagination?.next_key ?? null, total: r?.pagination?.total ? Number(r.pagination.total) : undefined };
}

export async function balance(address: string): Promise<string> {
  const r = await rest<{ balance: { amount: string } }>(`/cosmos/bank/v1beta1/balances/${address}/by_denom`, { denom: "ustream" });
  return r?.balance?.amount ?? "0";
}

let limits: Promise<Limits> | undefined;
/** params: the module's limits from the chain's params query (read once per page load; a failure is retried next time). */
export function params(): Promise<Limits> {
  limits ??= rest<{ params: ParamsJSON }>(`${base}/params`).then((r) => {
    if (!r) throw new QueryFailure(`${base}/params`, 404, "no params");
    return limitsOf(r.params);
  });
  limits.catch(() => { limits = undefined; });
  return limits;
}

/** Names for display: "Alice Smith", else the short address. */
const names = new Map<string, Promise<Profile | null>>();
export function profileCached(address: string): Promise<Profile | null> {
  let p = names.get(address);
  if (!p) {
    p = profile(address).catch(() => null);
    names.set(address, p);
  }
  return p;
}
export function forgetProfile(address: string): void {
  names.delete(address);
}

/** txCodespace is the codespace of a tx's result ("" when unknown). */
export async function txCodespace(hash: string): Promise<string> {
  const r = await rest<{ tx_response: { codespace: string } }>(`/cosmos/tx/v1beta1/txs/${hash}`).catch(() => null);
  return r?.tx_response?.codespace ?? "";
}
