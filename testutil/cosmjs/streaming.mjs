// Signs every x/streaming user Msg with CosmJS against a running streamd
// node, in amino-JSON mode (Secp256k1HdWallet: what Ledger and Keplr sign)
// and in direct mode (DirectSecp256k1HdWallet), and checks the chain's
// answers. Run by cosmjs_test.go; by hand:
//
//   STREAM_RPC=http://127.0.0.1:26657 STREAM_CHAIN_ID=streamchain-devnet-1 \
//   STREAM_BROADCASTER_MNEMONIC="..." STREAM_VIEWER_MNEMONIC="..." node streaming.mjs
//
// Both accounts must exist on chain with some ustream. Prints a JSON summary
// on stdout and exits 1 on the first unexpected answer.

import { Registry, DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { Secp256k1HdWallet } from "@cosmjs/amino";
import {
  AminoTypes, BroadcastTxError, GasPrice, SigningStargateClient,
  createDefaultAminoConverters, defaultRegistryTypes,
} from "@cosmjs/stargate";
import { Comet38Client } from "@cosmjs/tendermint-rpc";

import { createStreamingAminoConverters, streamingTypes, toTimestamp, typeUrls } from "./codec.mjs";

const PREFIX = "stream";
const GAS_PRICE = "0.025ustream";
// Txs expected to succeed are sent with CosmJS's "auto" fee: it simulates
// the tx with an empty fee and asks for the estimate times 1.4. The chain
// counts the fee transfer in such a simulation (app/ante_simfee.go), so 1.4
// is headroom, not a guess.
const AUTO_MULTIPLIER = 1.4; // CosmJS's default, recorded for the Go test
// A fixed fee for the txs expected to fail in the block: "auto" would
// simulate them, and the simulation fails before anything is sent.
const FIXED_FEE = { amount: [{ denom: "ustream", amount: "5000" }], gas: "200000" };
// Codes of the module (x/streaming/types/errors.go) and the SDK.
const CODE_START_IN_PAST = 11;
const CODE_SELF_SUBSCRIPTION = 16;
const CODE_PRICE_ABOVE_MAX = 24;
const CODE_BLOCKED = 26;
const CODE_INVALID_TEXT = 6;
const CODE_SDK_UNAUTHORIZED = 4; // "signature verification failed"

function env(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set`);
  return v;
}

const summary = { chain_id: "", broadcaster: "", viewer: "", account_numbers: {}, txs: [] };

async function main() {
  // streamd prints its RPC address as tcp://host:port.
  const rpc = env("STREAM_RPC").replace(/^tcp:\/\//, "http://");
  const chainId = env("STREAM_CHAIN_ID");
  const mnemonics = { broadcaster: env("STREAM_BROADCASTER_MNEMONIC"), viewer: env("STREAM_VIEWER_MNEMONIC") };
  summary.chain_id = chainId;

  const registry = new Registry([...defaultRegistryTypes, ...streamingTypes]);
  const aminoTypes = new AminoTypes({ ...createDefaultAminoConverters(), ...createStreamingAminoConverters() });
  // connectComet() (behind SigningStargateClient.connectWithSigner) knows
  // CometBFT 0.37, 0.38 and 1.x by version string and takes its 0.37 client
  // for our 0.39. Signing and broadcasting work with it too, but 0.39's RPC
  // is 0.38's (block results differ from 0.37's), so pick that client.
  const comet = await Comet38Client.connect(rpc);
  const status = await comet.status();
  if (status.nodeInfo.network !== chainId) throw new Error(`node is on chain ${status.nodeInfo.network}, want ${chainId}`);

  const options = { registry, aminoTypes, gasPrice: GasPrice.fromString(GAS_PRICE), broadcastPollIntervalMs: 100, broadcastTimeoutMs: 30_000 };
  async function clients(Wallet) {
    const out = {};
    for (const role of ["broadcaster", "viewer"]) {
      const wallet = await Wallet.fromMnemonic(mnemonics[role], { prefix: PREFIX });
      const [{ address }] = await wallet.getAccounts();
      out[role] = { address, client: SigningStargateClient.createWithSigner(comet, wallet, options) };
    }
    return out;
  }
  const amino = await clients(Secp256k1HdWallet);
  const direct = await clients(DirectSecp256k1HdWallet);
  summary.broadcaster = amino.broadcaster.address;
  summary.viewer = amino.viewer.address;
  if (direct.broadcaster.address !== summary.broadcaster || direct.viewer.address !== summary.viewer) {
    throw new Error("the amino and direct wallets derive different addresses");
  }

  // SDK v0.54 derives account numbers from a hash, so they are mostly above
  // 2^53: a client that keeps them in a JS number signs the wrong one.
  for (const role of ["broadcaster", "viewer"]) {
    const account = await amino[role].client.getAccount(amino[role].address);
    if (!account) throw new Error(`${role} ${amino[role].address} has no account on chain: fund it first`);
    summary.account_numbers[role] = account.accountNumber.toString();
  }

  await scenario("amino-json", amino, registry, comet);
  await scenario("direct", direct, registry, comet);
  await textLimits(amino, direct, comet);
  await zeroTime(amino, comet);
}

// scenario sends every user Msg once from the given wallets and expects each
// to succeed, plus a self-subscription the module must refuse with code 16,
// a renewal below the price (code 24) and a tip while blocked (code 26).
async function scenario(mode, { broadcaster, viewer }, registry, comet) {
  const B = broadcaster.address, V = viewer.address;
  const send = (step, who, msg) => expectCode(mode, step, who.client, who.address, [msg], "auto", 0, comet);

  // Text with characters CosmJS and Go both escape (<, >, &) and non-ASCII.
  await send("edit-profile (broadcaster)", broadcaster, {
    typeUrl: typeUrls.MsgEditProfile,
    value: { owner: B, name: `Ålice <${mode}> & "co"`, surname: "Smith", imgLink: "https://example.com/a.png?x=1&y=2", timeZone: "Europe/Berlin" },
  });
  // Only the name: the other fields are omitted from the amino JSON.
  await send("edit-profile (viewer)", viewer, { typeUrl: typeUrls.MsgEditProfile, value: { owner: V, name: "Bob" } });

  const start = new Date(Math.ceil(Date.now() / 1000) * 1000 + 5 * 60_000);
  const end = new Date(start.getTime() + 3_600_000);
  // A description from a textarea: newlines and a tab, which Go's amino
  // JSON and JSON.stringify both escape as \n and \t.
  const created = await send("new-stream", broadcaster, {
    typeUrl: typeUrls.MsgNewStream,
    value: { broadcaster: B, title: `Live 🎥 (${mode})`, description: "back\\slash, \"quotes\", \u00e9\n\tsecond line\n", imgLink: "ipfs://bafybeigdyrzt/cover.png", startTime: toTimestamp(start), endTime: toTimestamp(end) },
  });
  const [response] = created.msgResponses;
  if (response?.typeUrl !== typeUrls.MsgNewStreamResponse) throw new Error(`new-stream answered ${response?.typeUrl}`);
  const streamId = registry.decode(response).streamId;
  if (typeof streamId !== "bigint" || streamId === 0n) throw new Error(`new-stream returned stream id ${streamId}`);

  // A timestamp with a fraction of a second (amino "....25Z"), and a field
  // named in the mask without a value (description cleared: omitted).
  await send("edit-stream (title, description, start_time)", broadcaster, {
    typeUrl: typeUrls.MsgEditStream,
    value: {
      broadcaster: B, streamId, updateMask: ["title", "description", "start_time"],
      title: `Live 🎥 (${mode}, moved)`, description: "",
      startTime: { seconds: BigInt(start.getTime() / 1000 + 90), nanos: 250_000_000 },
    },
  });
  await send("subscribe (viewer to broadcaster)", viewer, { typeUrl: typeUrls.MsgSubscribe, value: { subscriber: V, broadcaster: B } });

  await expectCode(mode, "subscribe (broadcaster to itself)", broadcaster.client, B,
    [{ typeUrl: typeUrls.MsgSubscribe, value: { subscriber: B, broadcaster: B } }], FIXED_FEE, CODE_SELF_SUBSCRIPTION, comet, "streaming");

  await send("unsubscribe", viewer, { typeUrl: typeUrls.MsgUnsubscribe, value: { subscriber: V, broadcaster: B } });

  // Paid subscriptions, tips and blocks: Coin and Duration fields in both
  // sign modes.
  const price = { denom: "ustream", amount: "1000" };
  await send("set-subscription-terms (1000ustream an hour)", broadcaster, {
    typeUrl: typeUrls.MsgSetSubscriptionTerms, value: { broadcaster: B, price, period: { seconds: 3600n, nanos: 0 } },
  });
  const paid = await send("subscribe (paid, max_price = price)", viewer, {
    typeUrl: typeUrls.MsgSubscribe, value: { subscriber: V, broadcaster: B, maxPrice: price },
  });
  const expiresAt = registry.decode(paid.msgResponses[0]).expiresAt;
  if (!expiresAt || expiresAt.seconds <= BigInt(Math.floor(Date.now() / 1000))) throw new Error(`paid subscribe returned expiry ${JSON.stringify(expiresAt, (_, v) => typeof v === "bigint" ? v.toString() : v)}`);
  await expectCode(mode, "renew with max_price below the price", viewer.client, V,
    [{ typeUrl: typeUrls.MsgSubscribe, value: { subscriber: V, broadcaster: B, maxPrice: { denom: "ustream", amount: "999" } } }],
    FIXED_FEE, CODE_PRICE_ABOVE_MAX, comet, "streaming");
  await send("tip (for the stream, with a memo)", viewer, {
    typeUrl: typeUrls.MsgTip, value: { sender: V, broadcaster: B, amount: { denom: "ustream", amount: "500" }, streamId, memo: `great show 🎉 <${mode}>` },
  });
  await send("block (ends the paid subscription)", broadcaster, {
    typeUrl: typeUrls.MsgBlock, value: { broadcaster: B, account: V, reason: `spam & "links" (${mode})` },
  });
  await expectCode(mode, "tip while blocked", viewer.client, V,
    [{ typeUrl: typeUrls.MsgTip, value: { sender: V, broadcaster: B, amount: { denom: "ustream", amount: "1" } } }],
    FIXED_FEE, CODE_BLOCKED, comet, "streaming");
  await send("unblock", broadcaster, { typeUrl: typeUrls.MsgUnblock, value: { broadcaster: B, account: V } });
  // Free again: a zero Coin amount and a zero Duration in the amino JSON.
  await send("set-subscription-terms (free again)", broadcaster, {
    typeUrl: typeUrls.MsgSetSubscriptionTerms, value: { broadcaster: B, price: { denom: "ustream", amount: "0" }, period: { seconds: 0n, nanos: 0 } },
  });

  await send("delete-stream", broadcaster, { typeUrl: typeUrls.MsgDeleteStream, value: { broadcaster: B, streamId } });
}

// textLimits pins down why the chain refuses U+2028 in user text: CosmJS
// signs it unescaped, the chain rebuilds the amino JSON with "\u2028", so
// the amino-JSON signature cannot verify (code 4 in CheckTx). In direct mode
// the signature is fine and the module refuses the text (code 6).
async function textLimits(amino, direct, comet) {
  const msg = (owner) => ({ typeUrl: typeUrls.MsgEditProfile, value: { owner, name: "line\u2028separator" } });
  await expectCode("amino-json", "edit-profile with U+2028 (unsignable)", amino.broadcaster.client, amino.broadcaster.address,
    [msg(amino.broadcaster.address)], FIXED_FEE, CODE_SDK_UNAUTHORIZED, comet, "sdk");
  await expectCode("direct", "edit-profile with U+2028", direct.broadcaster.client, direct.broadcaster.address,
    [msg(direct.broadcaster.address)], FIXED_FEE, CODE_INVALID_TEXT, comet, "streaming");
}

// zeroTime signs a MsgNewStream starting at Go's zero time (0001-01-01) in
// amino-JSON mode: the signature must verify (the module then refuses the
// start as past, code 11), so the converters write even that time as the
// chain does.
async function zeroTime({ broadcaster }, comet) {
  const B = broadcaster.address;
  await expectCode("amino-json", "new-stream at 0001-01-01T00:00:00Z", broadcaster.client, B, [{
    typeUrl: typeUrls.MsgNewStream,
    value: { broadcaster: B, title: "zero", startTime: { seconds: -62135596800n, nanos: 0 }, endTime: toTimestamp(new Date(Date.now() + 3_600_000)) },
  }], FIXED_FEE, CODE_START_IN_PAST, comet, "streaming");
}

// expectCode signs and broadcasts msgs and requires the given result code,
// whether CheckTx refused the tx (BroadcastTxError) or its block did. It
// records the tx in the summary and returns the DeliverTxResponse (with the
// codespace, which CosmJS does not report, read back from the node).
async function expectCode(mode, step, client, signer, msgs, fee, wantCode, comet, wantCodespace = wantCode === 0 ? "" : undefined) {
  const entry = { mode, step, signer, want_code: wantCode };
  summary.txs.push(entry);
  const memo = "cosmjs <test> & memo";
  if (fee === "auto") {
    // What signAndBroadcast's "auto" will estimate, for the summary; the
    // fee itself is left to CosmJS.
    entry.gas_simulated = await client.simulate(signer, msgs, memo);
    entry.gas_multiplier = AUTO_MULTIPLIER;
  }
  let res;
  try {
    res = await client.signAndBroadcast(signer, msgs, fee, memo);
  } catch (err) {
    if (!(err instanceof BroadcastTxError)) throw new Error(`${mode} ${step}: ${err.message}`);
    Object.assign(entry, { code: err.code, codespace: err.codespace, log: err.log, in_block: false });
    if (err.code !== wantCode || (wantCodespace !== undefined && err.codespace !== wantCodespace)) {
      throw new Error(`${mode} ${step}: CheckTx answered code ${err.code} (${err.codespace}) ${err.log}, want code ${wantCode}`);
    }
    return entry;
  }
  const tx = await comet.tx({ hash: Buffer.from(res.transactionHash, "hex") });
  Object.assign(entry, {
    code: res.code, codespace: tx.result.codespace ?? "", in_block: true, hash: res.transactionHash, height: res.height,
    gas_wanted: Number(res.gasWanted), gas_used: Number(res.gasUsed),
  });
  if (res.code !== 0) entry.log = tx.result.log;
  if (res.code !== wantCode || (wantCodespace !== undefined && entry.codespace !== wantCodespace)) {
    throw new Error(`${mode} ${step}: tx ${res.transactionHash} answered code ${res.code} (${entry.codespace}) ${tx.result.log ?? ""}, want code ${wantCode}`);
  }
  return { ...res, codespace: entry.codespace };
}

let exitCode = 0;
try {
  await main();
  summary.ok = true;
} catch (err) {
  summary.ok = false;
  summary.error = err.message;
  console.error(err.stack ?? err);
  exitCode = 1;
}
// Exit explicitly: when CheckTx refuses a tx, CosmJS 0.39's broadcastTx
// leaves its broadcastTimeoutMs timer running, which would hold the process
// open that long.
process.stdout.write(JSON.stringify(summary, null, 2) + "\n", () => process.exit(exitCode));
