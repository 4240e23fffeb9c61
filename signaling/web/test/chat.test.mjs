// Unit tests of src/chat.ts: the chat of PROTOCOL.md §4.3 as the page keeps
// it — one line per id in id order, the byte counter against the 500-byte
// cap, tips in STREAM, what a restriction leaves the input.
import assert from "node:assert/strict";
import test from "node:test";
import {
  CHAT_MAX_BYTES, ChatLog, chatBytes, chatCounter, chatEvent, clockTime, draftProblem, isChatRequest, lineOf, noticeOf, restrict, sender, tipAmount,
} from "../../../build/web-unit/chat.js";

const alice = "stream1ztze2n353qpwhrsz0vfvtdsyv57r89jhl76njd";
const bob = "stream1qy352euf40x77qfrg4ncn27dauqjx3t83x4ummcpydzk0zdtehhse25p74";
const line = (id, from = alice, name = "Alice", text = `line ${id}`) => ({ id, from, name, text, at: "2026-12-06T20:15:01.123Z" });
const ids = (log) => log.lines.map((l) => l.id);

test("a line that comes live and in the history is kept once", () => {
  const log = new ChatLog();
  assert.deepEqual(log.add(line("0194f3a1b2c3")), { before: "", dropped: [] });
  assert.equal(log.add(line("0194f3a1b2c3")), undefined, "the same id again");
  // The history after a reconnect repeats what was shown.
  for (const l of [line("0194f3a1b2c3"), line("0194f3a1b2c4")]) log.add(l);
  assert.deepEqual(ids(log), ["0194f3a1b2c3", "0194f3a1b2c4"]);
});

test("lines are ordered by id, a late one takes its place by time", () => {
  const log = new ChatLog();
  log.add(line("0194f3a1b2c5"));
  log.add(line("0194f3a1b2c9"));
  // Arrives last, sorts between: it goes before the later line.
  assert.deepEqual(log.add(line("0194f3a1b2c7")), { before: "0194f3a1b2c9", dropped: [] });
  assert.deepEqual(log.add(line("0194f3a1b2c1")), { before: "0194f3a1b2c5", dropped: [] });
  assert.deepEqual(ids(log), ["0194f3a1b2c1", "0194f3a1b2c5", "0194f3a1b2c7", "0194f3a1b2c9"]);
});

test("a full log drops its oldest lines; a line older than all of them is not kept", () => {
  const log = new ChatLog(3);
  for (const id of ["a1", "a2", "a3"]) log.add(line(id));
  assert.deepEqual(log.add(line("a4")), { before: "", dropped: ["a1"] });
  assert.equal(log.add(line("a0")), undefined);
  assert.deepEqual(ids(log), ["a2", "a3", "a4"]);
  // A dropped id may come back (a history after a reconnect) and is kept again only if it fits.
  assert.deepEqual(log.add(line("a5")), { before: "", dropped: ["a2"] });
});

test("a deleted line leaves the log; deleting it again changes nothing", () => {
  const log = new ChatLog();
  for (const id of ["b1", "b2", "b3"]) log.add(line(id));
  assert.equal(log.remove("b2"), true);
  assert.equal(log.remove("b2"), false);
  assert.equal(log.remove("nope"), false);
  assert.deepEqual(ids(log), ["b1", "b3"]);
  assert.deepEqual(log.add(line("b4")), { before: "", dropped: [] });
});

test("the byte counter counts UTF-8 bytes of the trimmed draft against 500", () => {
  assert.equal(CHAT_MAX_BYTES, 500);
  assert.equal(chatBytes("  hello  "), 5);
  assert.equal(chatBytes("welcome 👋"), 12, "an emoji is 4 bytes");
  assert.equal(chatBytes("é"), 2);
  assert.equal(chatCounter(""), "0 / 500");
  assert.equal(chatCounter("x".repeat(501)), "501 / 500");
  assert.equal(draftProblem("x".repeat(500)), "");
  assert.equal(draftProblem(` ${"x".repeat(500)}\n`), "", "the white space around does not count");
  assert.equal(draftProblem("€".repeat(167)), "The message is too long: 501 of at most 500 bytes. Shorten it by 1.");
});

test("a draft the server would refuse is not sent: empty, invisible, control or text-direction characters", () => {
  assert.equal(draftProblem(""), "Type a message first.");
  assert.equal(draftProblem("   "), "Type a message first.");
  assert.match(draftProblem("\u200b\u200b"), /^The message is empty\. Type something visible\.$/);
  assert.match(draftProblem("bell\u0007"), /control character/);
  assert.match(draftProblem("two\nlines"), /control character/);
  assert.match(draftProblem("\u202egnp.exe"), /text-direction/);
  assert.equal(draftProblem("hello <b>there</b> & co"), "", "markup is text like any other");
});

test("tips read in STREAM with 6 decimals", () => {
  assert.equal(tipAmount("5000000ustream"), "5.000000 STREAM");
  assert.equal(tipAmount("1ustream"), "0.000001 STREAM");
  assert.equal(tipAmount("1234567890123ustream"), "1,234,567.890123 STREAM");
  assert.equal(tipAmount("0ustream"), "0.000000 STREAM");
  assert.equal(tipAmount("5uatom"), "5uatom", "another denomination as the server wrote it");
  assert.equal(tipAmount("-5ustream"), "-5ustream");
});

test("server messages become chat events for this stream only", () => {
  const m = { id: "0194f3a1b2c3d4e5f6a7b8c9", from: bob, name: "", text: "hi", at: "2026-12-06T20:15:01.123Z" };
  assert.deepEqual(chatEvent({ type: "chat", stream_id: "42", message: m }, "42"), { kind: "lines", lines: [m] });
  assert.equal(chatEvent({ type: "chat", stream_id: "41", message: m }, "42"), undefined, "another stream");
  assert.deepEqual(chatEvent({ type: "chat_history", stream_id: "42", messages: [m, { id: 7 }, null] }, "42"), { kind: "lines", lines: [m] });
  assert.deepEqual(chatEvent({ type: "chat", stream_id: "42", message: { ...m, tip: "5000000ustream" } }, "42").lines[0].tip, "5000000ustream");
  assert.deepEqual(chatEvent({ type: "chat_deleted", stream_id: "42", id: "x1" }, "42"), { kind: "deleted", id: "x1" });
  assert.deepEqual(chatEvent({ type: "chat_restricted", stream_id: "42", address: bob, restriction: "muted" }, "42"), { kind: "restricted", address: bob, restriction: "muted" });
  assert.equal(chatEvent({ type: "chat_restricted", stream_id: "42", address: bob, restriction: "banned" }, "42"), undefined);
  assert.deepEqual(chatEvent({ type: "chat_restricted", stream_id: "42", address: bob, name: "Bob", restriction: "removed" }, "42"), { kind: "restricted", address: bob, name: "Bob", restriction: "removed" });
  assert.deepEqual(chatEvent({ type: "chat_restricted", stream_id: "42", address: bob, name: 7, restriction: "muted" }, "42"), { kind: "restricted", address: bob, restriction: "muted" }, "a name that is not text is left out");
  assert.equal(lineOf({ id: "", from: bob, text: "", at: "" }), undefined);
  assert.equal(lineOf({ id: "a", from: bob, text: "t", at: "x" }).name, "", "a missing name is none");
});

test("a line names its sender by profile name, else a shortened address; the log knows names it has seen", () => {
  assert.equal(sender({ from: bob, name: "Bob" }), "Bob");
  assert.equal(sender({ from: bob, name: "" }), "stream1qy35…5p74");
  const log = new ChatLog();
  log.add(line("c1", bob, "Bob"));
  log.add(line("c2", bob, ""));
  assert.equal(log.nameOf(bob), "Bob");
  assert.equal(log.nameOf(alice), "stream1ztze…6njd", "never seen: the shortened address");
  assert.equal(noticeOf("Bob", "muted"), "Bob was muted.");
  assert.equal(noticeOf("Bob", "removed"), "Bob was removed.");
});

test("after a restriction: muted reads but may not post; removed is never weakened; others are not affected", () => {
  let a = { muted: false, removed: false };
  a = restrict(a, bob, alice, "muted");
  assert.deepEqual(a, { muted: false, removed: false }, "someone else was muted");
  a = restrict(a, bob, bob, "muted");
  assert.deepEqual(a, { muted: true, removed: false });
  a = restrict(a, bob, bob, "removed");
  assert.deepEqual(a, { muted: true, removed: true });
  a = restrict(a, bob, bob, "muted");
  assert.deepEqual(a, { muted: true, removed: true }, "muting a removed account leaves it removed");
});

test("chat refusals are told apart from the session's", () => {
  for (const t of ["chat", "chat_delete", "chat_mute", "chat_remove"]) assert.ok(isChatRequest(t), t);
  for (const t of ["watch", "broadcast", "offer", undefined, ""]) assert.ok(!isChatRequest(t), String(t));
});

test("a line's time is the clock time in the zone shown", () => {
  assert.equal(clockTime("2026-12-06T20:15:01.123Z", "UTC"), "20:15");
  assert.equal(clockTime("2026-12-06T20:15:01.123Z", "Europe/Paris"), "21:15");
  assert.equal(clockTime("not a time", "UTC"), "");
});
