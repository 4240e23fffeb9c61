// Transactions: the ten x/streaming user Msgs, signed by the connected wallet
// and sent with CosmJS's "auto" fee (simulated gas × 1.4 at the node's
// minimum gas price).
import { AminoTypes, GasPrice, SigningStargateClient, createDefaultAminoConverters, defaultRegistryTypes } from "@cosmjs/stargate";
import { Registry } from "@cosmjs/proto-signing";
import type { EncodeObject } from "@cosmjs/proto-signing";
// The one source of truth for the x/streaming codecs, shared with testutil/cosmjs.
import { createStreamingAminoConverters, streamingTypes, toTimestamp, typeUrls } from "../../../testutil/cosmjs/codec.mjs";
import { chainInfo, txCodespace } from "./api.ts";
import { ChainRefusal, fromSimulation } from "./errors.ts";
import type { Wallet } from "./wallet.ts";

let client: { wallet: Wallet; client: Promise<SigningStargateClient> } | undefined;

async function signingClient(w: Wallet): Promise<SigningStargateClient> {
  if (client?.wallet !== w) {
    const info = await chainInfo();
    const fee = info.feeCurrencies[0];
    client = {
      wallet: w,
      client: SigningStargateClient.connectWithSigner(info.rpc, w.signer, {
        registry: new Registry([...defaultRegistryTypes, ...(streamingTypes as [string, never][])]),
        aminoTypes: new AminoTypes({ ...createDefaultAminoConverters(), ...createStreamingAminoConverters() }),
        gasPrice: GasPrice.fromString(`${fee.gasPriceStep.low}${fee.coinMinimalDenom}`),
      }),
    };
  }
  return client.client;
}

/** send signs and broadcasts one Msg, waits for its block, and throws a ChainRefusal on any refusal. */
async function send(w: Wallet, msg: EncodeObject): Promise<{ hash: string; msgResponses: { typeUrl: string; value: Uint8Array }[] }> {
  const c = await signingClient(w);
  let res;
  try {
    res = await c.signAndBroadcast(w.address, [msg], "auto");
  } catch (e) {
    const sim = fromSimulation(String((e as Error)?.message ?? e));
    throw sim ?? e;
  }
  // DeliverTxResponse has no codespace: the tx query has it.
  if (res.code !== 0) throw new ChainRefusal(await txCodespace(res.transactionHash), res.code, res.rawLog ?? "");
  return { hash: res.transactionHash, msgResponses: res.msgResponses as { typeUrl: string; value: Uint8Array }[] };
}

export interface ProfileFields { name: string; surname: string; imgLink: string; timeZone: string }

export function editProfile(w: Wallet, p: ProfileFields) {
  return send(w, { typeUrl: typeUrls.MsgEditProfile, value: { owner: w.address, ...p } });
}

export interface StreamFields { title: string; description: string; imgLink: string; start: Date; end: Date }

export async function newStream(w: Wallet, s: StreamFields): Promise<string> {
  const res = await send(w, {
    typeUrl: typeUrls.MsgNewStream,
    value: { broadcaster: w.address, title: s.title, description: s.description, imgLink: s.imgLink, startTime: toTimestamp(s.start), endTime: toTimestamp(s.end) },
  });
  const r = res.msgResponses.find((m) => m.typeUrl === typeUrls.MsgNewStreamResponse);
  if (!r) return "";
  const [, decode] = (streamingTypes as [string, { decode(b: Uint8Array): { streamId: bigint } }][]).find(([u]) => u === typeUrls.MsgNewStreamResponse)!;
  return decode.decode(r.value).streamId.toString();
}

/** editStream sends only the fields that changed (the update mask). */
export function editStream(w: Wallet, id: string, changed: Partial<StreamFields>) {
  const value: Record<string, unknown> = { broadcaster: w.address, streamId: BigInt(id), updateMask: [] as string[] };
  const mask = value.updateMask as string[];
  if (changed.title !== undefined) { mask.push("title"); value.title = changed.title; }
  if (changed.description !== undefined) { mask.push("description"); value.description = changed.description; }
  if (changed.imgLink !== undefined) { mask.push("img_link"); value.imgLink = changed.imgLink; }
  if (changed.start !== undefined) { mask.push("start_time"); value.startTime = toTimestamp(changed.start); }
  if (changed.end !== undefined) { mask.push("end_time"); value.endTime = toTimestamp(changed.end); }
  return send(w, { typeUrl: typeUrls.MsgEditStream, value });
}

export function deleteStream(w: Wallet, id: string) {
  return send(w, { typeUrl: typeUrls.MsgDeleteStream, value: { broadcaster: w.address, streamId: BigInt(id) } });
}

const ustream = (amount: bigint) => ({ denom: "ustream", amount: amount.toString() });

/**
 * subscribe carries the most the subscriber agreed to pay (the price the
 * page showed): a price raised meanwhile fails the tx instead of charging
 * more. A free broadcaster needs none.
 */
export function subscribe(w: Wallet, broadcaster: string, maxPrice = 0n) {
  return send(w, { typeUrl: typeUrls.MsgSubscribe, value: { subscriber: w.address, broadcaster, maxPrice: maxPrice > 0n ? ustream(maxPrice) : undefined } });
}

/** setTerms: the price (ustream) per period; a zero price makes subscriptions free. */
export function setTerms(w: Wallet, price: bigint, periodMs: number) {
  const period = { seconds: BigInt(Math.floor(periodMs / 1000)), nanos: (periodMs % 1000) * 1_000_000 };
  return send(w, { typeUrl: typeUrls.MsgSetSubscriptionTerms, value: { broadcaster: w.address, price: ustream(price), period } });
}

/** tip sends an amount to a broadcaster, naming the stream it is for. */
export function tip(w: Wallet, broadcaster: string, amount: bigint, streamId: string, memo: string) {
  return send(w, { typeUrl: typeUrls.MsgTip, value: { sender: w.address, broadcaster, amount: ustream(amount), streamId: BigInt(streamId), memo } });
}

export function block(w: Wallet, account: string, reason: string) {
  return send(w, { typeUrl: typeUrls.MsgBlock, value: { broadcaster: w.address, account, reason } });
}

export function unblock(w: Wallet, account: string) {
  return send(w, { typeUrl: typeUrls.MsgUnblock, value: { broadcaster: w.address, account } });
}

export function unsubscribe(w: Wallet, broadcaster: string) {
  return send(w, { typeUrl: typeUrls.MsgUnsubscribe, value: { subscriber: w.address, broadcaster } });
}
