// Every refusal the app can meet (the chain's codespace+code, the signaling
// server's error codes, the wallet's and the network's failures) is turned
// into a sentence a person understands, with what to do next, HERE and
// nowhere else. Unit-tested in test/errors.test.ts.

/** A tx refused by the chain: in simulation, CheckTx or the block. */
export class ChainRefusal extends Error {
  constructor(public codespace: string, public code: number, public log: string) {
    super(`chain refused the transaction: ${codespace} code ${code}: ${log}`);
    this.name = "ChainRefusal";
  }
}

/** An `error` message of the signaling server (signaling/PROTOCOL.md §7). */
export class SignalingRefusal extends Error {
  constructor(public code: string, public detail: string, public request?: string) {
    super(`signaling server refused ${request ?? "a message"}: ${code}: ${detail}`);
    this.name = "SignalingRefusal";
  }
}

/** A chain query (REST) the node answered with an error. */
export class QueryFailure extends Error {
  constructor(public path: string, public status: number, public detail: string) {
    super(`query ${path}: ${status} ${detail}`);
    this.name = "QueryFailure";
  }
}

/** A problem the app itself found before asking anyone (missing wallet...). */
export class AppProblem extends Error {
  constructor(public sentence: string) {
    super(sentence);
    this.name = "AppProblem";
  }
}

// x/streaming/types/errors.go: code -> [registered description, sentence].
const streaming: Record<number, [string, string]> = {
  2: ["invalid address", "That account address is not valid. Check that it is a stream1… address and try again."],
  3: ["not the broadcaster of this stream", "Only the broadcaster of this stream can change it. Connect the wallet that scheduled it."],
  4: ["profile not found", "You need a profile first. Open Account, save your profile, then try again."],
  5: ["stream not found", "This stream no longer exists: it may have been deleted. Go back to the schedule."],
  6: ["invalid text", "Some text holds characters the chain refuses (control or invisible characters, or nothing visible at all). Fix it and try again."],
  7: ["text too long", "Some text is too long for the chain. Shorten it and try again."],
  8: ["required field is empty", "A required field is empty. Fill it in and try again."],
  9: ["invalid link", "Links must be a full https:// or ipfs:// address with a host name, without spaces, quotes or angle brackets. Fix the link, or leave it empty."],
  10: ["end time must be after start time", "The end time must be after the start time. Pick a later end."],
  11: ["start time is before the block time", "The start time has already passed on chain. Pick a start a few minutes from now."],
  12: ["stream longer than the maximum duration", "The stream is longer than the chain allows (24 hours by default). Pick an earlier end."],
  13: ["stream starts too far ahead", "The stream starts too far ahead (at most a year by default). Pick an earlier day."],
  14: ["stream has ended", "This stream has already ended and can no longer be changed."],
  15: ["invalid update mask", "Nothing was changed. Edit a field, then save."],
  16: ["cannot subscribe to oneself", "You cannot subscribe to yourself."],
  17: ["already subscribed", "You are already subscribed to this broadcaster."],
  18: ["not subscribed", "You are not subscribed to this broadcaster, so there is nothing to undo."],
  19: ["invalid params", "The chain refused these parameters."],
  20: ["invalid authority", "Only governance can do this."],
  21: ["invalid genesis state", "The chain's genesis is invalid."],
  22: ["stream id unavailable", "The chain could not give the stream an id. Try again in a moment."],
  23: ["stream shorter than the minimum duration", "The stream is shorter than the chain allows (one minute by default). Pick a later end."],
  24: ["the broadcaster's price is above the most the subscriber agreed to pay", "The broadcaster has raised the subscription price since you confirmed it. Nothing was charged: check the new price and subscribe again."],
  25: ["subscription period out of bounds", "The subscription period is outside what the chain allows (an hour to 366 days by default). Pick another period."],
  26: ["blocked by the broadcaster", "This broadcaster has blocked your account: you cannot subscribe to or tip them."],
  27: ["cannot block oneself", "You cannot block yourself."],
  28: ["amount must be positive", "The amount must be more than zero. Enter an amount and try again."],
  29: ["unknown denomination", "Only STREAM (ustream) is accepted here. Enter the amount in STREAM."],
  30: ["too many streams that have not ended", "You already have as many upcoming and live streams as the chain allows (100 by default). Delete one, or wait until one ends."],
  31: ["price above the maximum subscription price", "The price is above the highest subscription price the chain allows. Pick a lower price."],
  32: ["insufficient funds for the payment", "Your account does not hold enough STREAM for this payment and its fee. Fund it, then try again."],
  33: ["already blocked", "You have already blocked this account."],
  34: ["not blocked", "This account is not blocked, so there is nothing to undo."],
  35: ["cannot tip oneself", "You cannot tip yourself."],
};

// The SDK's codespace "sdk" (types/errors/errors.go): code -> [registered description, sentence].
const sdk: Record<number, [string, string]> = {
  2: ["tx parse error", "The transaction could not be decoded by the chain. Reload the page and try again."],
  3: ["invalid sequence", "The account sequence is out of date. Wait a moment and try again."],
  4: ["unauthorized", "The signature was not accepted. Check that your wallet uses the right account and chain, then try again."],
  5: ["insufficient funds", "Your account does not hold enough STREAM to pay the fee. Fund it, then try again."],
  6: ["unknown request", "The chain did not recognise the request: the app and the chain may be out of step. Reload the page; if it persists, report it."],
  7: ["invalid address", "That account address is not valid. Check that it is a stream1… address and try again."],
  8: ["invalid pubkey", "Your wallet's public key was not accepted. Reconnect your wallet and try again."],
  9: ["unknown address", "Your account does not exist on chain yet: it needs STREAM first. Fund it, then try again."],
  10: ["invalid coins", "The fee's amount was not accepted. Reset the fee in your wallet and try again."],
  11: ["out of gas", "The transaction ran out of gas. Try again; if it keeps failing, report it."],
  12: ["memo too large", "The memo is too long. Clear the memo in your wallet and try again."],
  13: ["insufficient fee", "The fee is below the node's minimum gas price. Raise the fee in your wallet and try again."],
  14: ["maximum number of signatures exceeded", "The transaction carries too many signatures. Sign it with one account only."],
  15: ["no signatures supplied", "The transaction was not signed. Approve it in your wallet and try again."],
  18: ["invalid request", "The chain refused the request as malformed. Reload the page and try again."],
  19: ["tx already in mempool", "This transaction was already sent. Wait for the next block."],
  20: ["mempool is full", "The chain is busy right now. Try again in a minute."],
  21: ["tx too large", "The transaction is too large for the chain. Shorten the text and try again."],
  24: ["tx intended signer does not match the given signer", "The wallet signed with another account than the page expected. Reconnect your wallet and try again."],
  26: ["invalid height", "The chain refused the request's block height. Reload the page and try again."],
  28: ["invalid chain-id", "Your wallet signed for another chain. Reconnect your wallet and try again."],
  30: ["tx timeout height", "The transaction waited too long and expired. Try again."],
  32: ["incorrect account sequence", "Your wallet's account sequence is out of date (another transaction is pending). Wait a few seconds and try again."],
  41: ["invalid gas limit", "The gas limit was not accepted. Reset the fee in your wallet and try again."],
  42: ["tx timeout", "The transaction waited too long and expired. Try again."],
};

const signaling: Record<string, string> = {
  bad_message: "The signaling server did not understand the app. Reload the page.",
  unknown_type: "The signaling server did not understand the app. Reload the page.",
  unauthenticated: "Sign in again: reload the page and connect your wallet.",
  already_authenticated: "You are already signed in.",
  auth_malformed: "The sign-in proof was malformed. Reload the page and sign in again.",
  auth_address_mismatch: "The wallet's key does not match its address. Reconnect your wallet.",
  auth_bad_signature: "The sign-in signature was not accepted. Sign in again with the same account.",
  auth_wrong_chain: "The sign-in was made for another chain. Reload the page and sign in again.",
  auth_wrong_origin: "The sign-in was made for another server. Reload the page and sign in again.",
  auth_unknown_nonce: "The sign-in expired. Sign in again.",
  auth_replayed: "That sign-in was already used. Sign in again.",
  auth_expired: "The sign-in request expired before you approved it. Try again and approve it within two minutes.",
  stream_not_found: "This stream no longer exists: it may have been deleted. Go back to the schedule.",
  not_stream_owner: "Only the stream's broadcaster can go live. Connect the wallet that scheduled it.",
  stream_not_started: "It is too early: the stream opens 10 minutes before its start. Come back then.",
  stream_ended: "This stream has ended.",
  not_subscribed: "Subscribe to this broadcaster to watch: press Subscribe, then Watch again.",
  stream_full: "This stream has as many viewers as it can take. Try again later.",
  chain_unavailable: "The signaling server cannot reach the chain right now. Try again in a moment.",
  already_in_session: "You are already in a stream. Leave it first.",
  not_in_session: "You are not in the stream right now: press Watch (or Start) to join it, then try again.",
  unknown_peer: "The connection to the other side was lost. Press Watch again.",
  wrong_role: "The app got out of step with the server. Reload the page.",
  candidate_queue_full: "The connection set-up was too slow. Press Watch again.",
  rate_limited: "Too many requests at once. Wait a moment and try again.",
  internal: "The signaling server had a problem. Try again in a moment.",
  shared_state_unavailable: "The signaling server cannot reach its shared store right now. The app tries another server; if this stays, try again in a moment.",
  auth_resume_invalid: "Your earlier sign-in could not be reused. Sign in again with your wallet.",
  instance_lost: "The signaling server carrying the other side stopped answering. The app reconnects; if it stays stopped, press the button again.",
  too_many_sessions: "Your account already watches from as many tabs or devices as the server allows. Leave the stream in one of them, then press Watch again.",
  payload_too_large: "The connection set-up was larger than the signaling server accepts. Press Watch again; if it persists, report it.",
  peer_busy: "The broadcaster's connection is busy. Wait a moment and press Watch again.",
  chat_invalid: "The message was not sent: it is empty, longer than 500 bytes, or holds characters that cannot be shown (control or invisible characters). Fix it and send again.",
  chat_muted: "The broadcaster muted you in this chat: you can still watch and read, but not post, until the stream ends.",
  chat_rate_limited: "You are sending messages too fast (at most one a second). Wait a moment and send again.",
  unknown_message: "That message is already gone: it was deleted, or is older than the last 100.",
  removed_by_broadcaster: "The broadcaster removed you from this stream: you cannot watch it or chat until it ends.",
  sfu_unavailable: "The stream's media server cannot be reached right now. Viewers who watch peer to peer are not affected; the others can press Watch again in a moment.",
  sfu_invalid_sdp: "The media server did not accept the connection set-up. Press the button again; if it persists, report it.",
  wrong_tier: "You watch directly from the broadcaster, who sends one quality: there is no other to choose.",
};

const ended: Record<string, string> = {
  broadcaster_left: "The broadcaster stopped the stream.",
  stream_deleted: "The broadcaster deleted this stream.",
  stream_over: "The stream reached its end time.",
  chain_unavailable: "The stream was stopped because the chain could not be reached. Try again in a moment.",
  not_subscribed: "You are no longer subscribed to this broadcaster, so the stream stopped. Subscribe to watch again.",
  blocked: "The broadcaster blocked your account, so the stream stopped: you cannot subscribe to or tip them.",
  subscription_expired: "Your paid subscription to this broadcaster ran out, so the stream stopped. Renew it to watch again.",
  removed_by_broadcaster: "The broadcaster removed you from this stream: the video and the chat stopped, and you cannot watch again until it ends.",
  left: "You left the stream.",
  taken_over: "You went live from another tab or device; this one stopped.",
  instance_lost: "The signaling server carrying the other side stopped answering. Press the button again to reconnect.",
  disconnected: "The connection to the signaling servers was lost and none answered again. Check your connection and press the button again.",
  sfu_unavailable: "The media server this stream came through stopped and no other could take you. Press Watch again in a moment.",
};

// The server closed the connection for a fault of the client (PROTOCOL.md
// §8; reconnect.ts faultOf): the app does not reconnect by itself.
const closedForFault: Record<string, string> = {
  invalid_payload: "The signaling server closed the connection: the app sent it text that is not valid UTF-8. The app does not retry this by itself; reload the page, and report it if it happens again.",
  message_too_large: "The signaling server closed the connection: the app sent it a message larger than it accepts. The app does not retry this by itself; reload the page, and report it if it happens again.",
  too_many_sign_in_failures: "Signing in to the signaling server failed three times, so it closed the connection. Reload the page and sign in again with the same account.",
  sign_in_timeout: "Signing in to the signaling server took more than two minutes, so it closed the connection. Press the button again and approve the sign-in in your wallet sooner.",
  over_rate_limit: "The signaling server closed the connection because the app sent too much too fast. Wait a moment, then press the button again.",
};

// Why the app is looking for another signaling server (reconnect.ts).
const moving: Record<string, string> = {
  draining: "The signaling server is restarting: reconnecting…",
  instance_stopping: "The signaling server stopped: reconnecting…",
  connection_lost: "The connection to the signaling server was lost: reconnecting…",
  shared_state_unavailable: "The signaling server cannot reach its shared store: reconnecting…",
  instance_lost: "The other side's connection was lost: joining again…",
};

/** reconnecting is the status line while the app moves to another instance. */
export function reconnecting(why: string, attempt: number): string {
  const text = moving[why] ?? "Reconnecting to the signaling server…";
  return attempt > 1 ? `${text} (attempt ${attempt})` : text;
}

/**
 * reconnected is the status line once broadcast/watch resumed. The
 * instance's id is internal: a person is told only that it is back.
 */
export function reconnected(): string {
  return "Reconnected.";
}

/** sessionEnded explains a `stream_ended`/`removed` reason or a close. */
export function sessionEnded(reason: string): string {
  return ended[reason] ?? closedForFault[reason] ?? "The stream stopped. Press the button again to reconnect.";
}

/** chainSentence explains a chain refusal by codespace and code. */
export function chainSentence(codespace: string, code: number): string {
  if (codespace === "streaming" && streaming[code]) return streaming[code][1];
  if (codespace === "sdk" && sdk[code]) return sdk[code][1];
  return `The chain refused the transaction (${codespace || "unknown"} error ${code}). Check the fields and try again.`;
}

/**
 * refusalIn finds the chain's refusal in an error text (the log of a
 * simulation, CheckTx or DeliverTx). The SDK wraps the module's registered
 * error ("…: profile not found") in its own ("…: unknown request", the
 * outer code of a failed simulation query) and the log carries no
 * codespace: the refusal is the registered description that comes FIRST
 * in the text, the module's own before the SDK's wrappers, a module
 * codespace before "sdk" at the same place. A text that names a
 * "codespace … code N" pair is read as such.
 */
export function refusalIn(log: string): { codespace: string; code: number } | undefined {
  const named = /codespace[:= ]+"?([a-z][a-z0-9_]*)"?[, ]+code[:= ]+(\d+)/i.exec(log);
  if (named) return { codespace: named[1], code: Number(named[2]) };
  let best: { codespace: string; code: number; at: number } | undefined;
  const scan = (codespace: string, table: Record<number, [string, string]>) => {
    for (const [code, [desc]] of Object.entries(table)) {
      // A description counts as a whole phrase ending an error's message: followed by a bracket, colon, quote or the end.
      const re = new RegExp(`(^|[\\s:;])${desc.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&")}(?=$|[\\s]*[\\[:'"]|[\\s]+with gas)`);
      const m = re.exec(log);
      if (m && (!best || m.index < best.at)) best = { codespace, code: Number(code), at: m.index };
    }
  };
  scan("streaming", streaming);
  scan("sdk", sdk);
  return best && { codespace: best.codespace, code: best.code };
}

/**
 * fromSimulation reads CosmJS's simulation error, "Query failed with (N):
 * ... desc = <log>": N is the code of the query (for a refused message the
 * SDK's "unknown request", 6), not the module's; the refusal is read from
 * the log (refusalIn), the query code only when the log names none.
 */
export function fromSimulation(message: string): ChainRefusal | undefined {
  const m = /Query failed with \((\d+)\): ([\s\S]*)$/.exec(message);
  if (!m) return undefined;
  const found = refusalIn(m[2]);
  return found ? new ChainRefusal(found.codespace, found.code, m[2]) : new ChainRefusal("sdk", Number(m[1]), m[2]);
}

/** explain turns anything thrown into one sentence with a next step. */
export function explain(err: unknown): string {
  if (err instanceof AppProblem) return err.sentence;
  if (err instanceof ChainRefusal) return chainSentence(err.codespace, err.code);
  if (err instanceof QueryFailure) {
    return err.status >= 500
      ? "The chain's node could not answer right now. Reload the page in a moment."
      : "The chain's node refused the app's question; the app and the node may be out of step. Reload the page; if it persists, report it.";
  }
  if (err instanceof SignalingRefusal) return signaling[err.code] ?? closedForFault[err.code] ?? `The signaling server refused (${err.code}). Try again in a moment.`;
  const e = err as { message?: string; code?: unknown; codespace?: unknown; name?: string } | undefined;
  const msg = String(e?.message ?? err ?? "");
  // CosmJS BroadcastTxError (CheckTx refused) carries code and codespace.
  if (typeof e?.code === "number" && typeof e?.codespace === "string") return chainSentence(e.codespace, e.code);
  if (e?.name === "AbortError" || e?.name === "TimeoutError") return "The chain's node did not answer in time. Check your connection and try again.";
  const sim = fromSimulation(msg);
  if (sim) return chainSentence(sim.codespace, sim.code);
  if (/request rejected|rejected by user|user denied|declined/i.test(msg)) return "You declined the request in your wallet. Nothing was sent.";
  if (/NotAllowedError|Permission denied/i.test(msg) || e?.name === "NotAllowedError") return "The browser was not allowed to use the camera or microphone. Allow them for this site and press Start again.";
  if (/NotFoundError|Requested device not found/i.test(msg) || e?.name === "NotFoundError") return "No camera or microphone was found. Connect one and press Start again.";
  if (/Failed to fetch|NetworkError|fetch failed|Load failed/i.test(msg)) return "The chain's node cannot be reached. Check your connection and try again.";
  if (/was submitted but was not yet found on the chain|TimeoutError/i.test(msg)) return "The transaction was sent but not seen in a block yet. Wait a few seconds and reload.";
  return `Something went wrong (${msg.slice(0, 160) || "unknown error"}). Reload the page and try again.`;
}
