// Unit tests of src/errors.ts: every refusal becomes a sentence with a next step.
import assert from "node:assert/strict";
import test from "node:test";
import { AppProblem, ChainRefusal, QueryFailure, SignalingRefusal, chainSentence, explain, fromSimulation, reconnected, reconnecting, sessionEnded } from "../../../build/web-unit/errors.js";

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

test("CosmJS simulation errors name the code only: the codespace comes from the registered description", () => {
  const streaming = fromSimulation("Query failed with (4): rpc error: code = Unknown desc = broadcaster stream1abc: profile not found [cosmos/cosmos-sdk@v0.54.4/baseapp/baseapp.go:1081] with gas used: '31003': unknown request");
  assert.equal(streaming.codespace, "streaming");
  assert.equal(streaming.code, 4);
  const sdk = fromSimulation("Query failed with (5): rpc error: code = Unknown desc = spendable balance 0ustream is smaller than 3000ustream: insufficient funds");
  assert.equal(sdk.codespace, "sdk");
  assert.equal(fromSimulation("something else"), undefined);
  assert.match(explain(new Error("Query failed with (17): rpc error: code = Unknown desc = a already follows b: already subscribed")), /already subscribed/);
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
  assert.match(reconnecting("draining", 1), /^This signaling server is restarting: moving to another one…$/);
  assert.match(reconnecting("connection_lost", 3), /\(attempt 3\)$/);
  assert.match(reconnecting("something_new", 1), /Reconnecting/);
  assert.equal(reconnected("sig2"), "Reconnected to sig2.");
});
