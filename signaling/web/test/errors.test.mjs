// Unit tests of src/errors.ts: every refusal becomes a sentence with a next step.
import assert from "node:assert/strict";
import test from "node:test";
import { AppProblem, ChainRefusal, QueryFailure, SignalingRefusal, chainSentence, explain, fromSimulation, reconnected, reconnecting, refusalIn, sessionEnded } from "../../../build/web-unit/errors.js";

test("every registered x/streaming code has its own sentence", () => {
  const seen = new Set();
  for (let code = 2; code <= 22; code++) {
    const s = chainSentence("streaming", code);
    assert.doesNotMatch(s, /error \d+\)/, `code ${code} falls back to the generic text`);
    assert.match(s, /\.$/);
    seen.add(s);
  }
  assert.ok(seen.size >= 19);
  assert.match(chainSentence("streaming", 4), /profile first/);
  assert.match(chainSentence("sdk", 5), /enough STREAM/);
  assert.match(chainSentence("sdk", 11), /out of gas/);
  // Same number, other codespace: another meaning.
  assert.notEqual(chainSentence("sdk", 5), chainSentence("streaming", 5));
  assert.match(chainSentence("wasm", 7), /wasm error 7/);
});

test("CosmJS simulation errors: the query's outer code (6, unknown request) is not the refusal; the module's code is", () => {
  // As the SDK answers a simulation whose message the module refused.
  const wrap = (inner) => `Query failed with (6): rpc error: code = Unknown desc = failed to execute message; message index: 0: ${inner} [cosmos/cosmos-sdk@v0.54.4/baseapp/baseapp.go:1081] with gas used: '31003': unknown request`;
  const noProfile = fromSimulation(wrap("subscriber stream1abc: profile not found"));
  assert.equal(noProfile.codespace, "streaming");
  assert.equal(noProfile.code, 4);
  assert.match(explain(new Error(wrap("subscriber stream1abc: profile not found"))), /You need a profile first/);
  assert.match(explain(new Error(wrap('img_link must start with https:// or ipfs://: invalid link'))), /Links must be a full https:\/\//);
  assert.match(explain(new Error(wrap("title must not be empty or invisible: required field is empty"))), /required field is empty|A required field is empty/);
  assert.match(explain(new Error(wrap("title is 5000 bytes, the maximum is 140: text too long"))), /too long/);
  assert.match(explain(new Error(wrap("stream1a already follows stream1b: already subscribed"))), /already subscribed/);
  // The SDK's own refusals (the ante handler) keep their codespace.
  const funds = fromSimulation("Query failed with (5): rpc error: code = Unknown desc = spendable balance 0ustream is smaller than 3000ustream: insufficient funds [cosmos/cosmos-sdk@v0.54.4/x/bank/keeper/send.go:278]: insufficient funds");
  assert.deepEqual([funds.codespace, funds.code], ["sdk", 5]);
  assert.deepEqual(refusalIn("account sequence mismatch, expected 3, got 2: incorrect account sequence"), { codespace: "sdk", code: 32 });
  // "invalid address" is registered by both: at the same place, the module's wins.
  assert.deepEqual(refusalIn("decoding bech32 failed: invalid address"), { codespace: "streaming", code: 2 });
  // A log that names the pair is read as such.
  assert.deepEqual(refusalIn("codespace: streaming, code: 16"), { codespace: "streaming", code: 16 });
  // Nothing registered in the log: the query's code, in the SDK's codespace.
  const unknown = fromSimulation("Query failed with (18): rpc error: code = Unknown desc = something new");
  assert.deepEqual([unknown.codespace, unknown.code], ["sdk", 18]);
  assert.equal(fromSimulation("something else"), undefined);
});

test("every SDK code users meet has a sentence, none shows a number", () => {
  for (const code of [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 18, 19, 20, 21, 24, 26, 28, 30, 32, 41, 42]) {
    const s = chainSentence("sdk", code);
    assert.doesNotMatch(s, /error \d+\)/, `sdk code ${code} falls back to the generic text`);
  }
});

test("explain: chain, daemon, wallet, media and network failures", () => {
  assert.match(explain(new ChainRefusal("streaming", 11, "start in the past")), /already passed/);
  assert.match(explain({ code: 13, codespace: "sdk", message: "Broadcasting transaction failed with code 13" }), /minimum gas price/);
  assert.equal(explain(new SignalingRefusal("not_subscribed", "subscribe to stream1... on chain to watch its streams", "watch")),
    "Subscribe to this broadcaster to watch: press Subscribe, then Watch again.");
  assert.match(explain(new SignalingRefusal("stream_not_started", "")), /too early/);
  assert.match(explain(new SignalingRefusal("new_code_v2", "")), /new_code_v2/);
  assert.match(explain(new Error("Request rejected")), /declined/);
  assert.match(explain(Object.assign(new Error("Permission denied"), { name: "NotAllowedError" })), /camera or microphone/);
  assert.match(explain(new TypeError("Failed to fetch")), /cannot be reached/);
  assert.match(explain(new QueryFailure("/x", 503, "down")), /could not answer/);
  assert.equal(explain(new AppProblem("Pick a start time.")), "Pick a start time.");
  assert.match(explain("weird"), /weird/);
});

test("session endings", () => {
  assert.match(sessionEnded("not_subscribed"), /no longer subscribed/);
  assert.match(sessionEnded("stream_deleted"), /deleted/);
  assert.match(sessionEnded("broadcaster_left"), /stopped the stream/);
  assert.match(sessionEnded("???"), /reconnect/);
});

test("several instances: the new refusals, endings and the reconnect status", () => {
  for (const code of ["shared_state_unavailable", "auth_resume_invalid", "instance_lost"]) {
    const s = explain(new SignalingRefusal(code, ""));
    assert.doesNotMatch(s, new RegExp(code), `${code} falls back to the generic text`);
    assert.match(s, /\.$/);
  }
  assert.match(explain(new SignalingRefusal("shared_state_unavailable", "", "watch")), /another server/);
  assert.match(explain(new SignalingRefusal("auth_resume_invalid", "", "resume")), /Sign in again/);
  assert.match(sessionEnded("instance_lost"), /stopped answering/);
  assert.match(sessionEnded("disconnected"), /none answered/);
  // Said the same way with one instance or several; no instance ids.
  assert.equal(reconnecting("draining", 1), "The signaling server is restarting: reconnecting…");
  for (const why of ["draining", "instance_stopping", "connection_lost", "shared_state_unavailable", "instance_lost"]) assert.doesNotMatch(reconnecting(why, 1), /another one|moving/);
  assert.match(reconnecting("connection_lost", 3), /\(attempt 3\)$/);
  assert.match(reconnecting("something_new", 1), /Reconnecting/);
  assert.equal(reconnected(), "Reconnected.");
});

test("a close for a fault of the client reads as a sentence that does not promise a reconnection", async () => {
  const { faultOf } = await import("../../../build/web-unit/reconnect.js");
  for (const code of [1007, 1009, 4001, 4002, 4003]) {
    const reason = faultOf(code);
    for (const text of [sessionEnded(reason), explain(new SignalingRefusal(reason, `connection closed (${code})`))]) {
      assert.doesNotMatch(text, /reconnect|refused \(/i, `close ${code}: ${text}`);
      assert.match(text, /\.$/);
    }
  }
  assert.match(sessionEnded(faultOf(1007)), /not valid UTF-8.*does not retry/);
  assert.equal(faultOf(1006), undefined);
  assert.equal(faultOf(1001), undefined);
});

test("chat refusals and the broadcaster's removal read as sentences", () => {
  const say = (code, request = "chat") => explain(new SignalingRefusal(code, "detail", request));
  assert.match(say("chat_invalid"), /longer than 500 bytes/);
  assert.match(say("chat_muted"), /muted you/);
  assert.match(say("chat_rate_limited"), /too fast/);
  assert.match(say("not_in_session"), /not in the stream/);
  assert.match(say("removed_by_broadcaster", "watch"), /removed you/);
  assert.match(say("unknown_message", "chat_delete"), /already gone/);
  for (const c of ["chat_invalid", "chat_muted", "chat_rate_limited", "not_in_session", "removed_by_broadcaster", "unknown_message"]) {
    assert.doesNotMatch(say(c), /refused \(/, `${c} falls back to the generic text`);
  }
  assert.match(sessionEnded("removed_by_broadcaster"), /removed you .* video and the chat stopped/);
});
