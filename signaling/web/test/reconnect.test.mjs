// Unit tests of src/reconnect.ts: the signaling link against fake signalingd
// instances that speak the protocol's sign-in, resume, broadcast/watch,
// draining and close codes (signaling/PROTOCOL.md).
import assert from "node:assert/strict";
import test from "node:test";
import { Link, MAX_ATTEMPTS, backoffMs, candidates, faultOf, pick, wsURLOf } from "../../../build/web-unit/reconnect.js";
import { RESUME_KEY, storedTokens } from "../../../build/web-unit/resume.js";

const tick = () => new Promise((r) => setTimeout(r, 0));
async function settle(n = 20) {
  for (let i = 0; i < n; i++) await tick();
}

/** A fake signalingd instance: every socket opened to its URL talks to it. */
class FakeInstance {
  constructor(id, url, cluster) {
    Object.assign(this, { id, url, cluster, up: true, sockets: [], resume: true, refuseRole: "" });
  }
  accept(ws) {
    this.sockets.push(ws);
    if (!this.up) return ws.serverClose(1006);
    ws.peer = `${this.id}-peer${this.sockets.length}`;
    ws.push({ type: "challenge", message: `Sign in\nServer: ${this.url}\nNonce: n${this.sockets.length}` });
  }
  receive(ws, m) {
    ws.received.push(m);
    const c = this.cluster;
    switch (m.type) {
      case "auth":
        c.signatures.push({ instance: this.id, message: m.message });
        return ws.push({ type: "authenticated", address: m.address, peer_id: ws.peer, ...(this.resume ? c.mint(m.address) : {}) });
      case "resume": {
        const address = c.tokens.get(m.token);
        if (!c.tokens.delete(m.token)) return ws.push({ type: "error", code: "auth_resume_invalid", message: "no such token", request: "resume" });
        return ws.push({ type: "authenticated", address, peer_id: ws.peer, ...(this.resume ? c.mint(address) : {}) });
      }
      case "broadcast":
      case "watch":
        if (this.refuseRole) return ws.push({ type: "error", code: this.refuseRole, message: "no", request: m.type });
        if (m.type === "broadcast") {
          // One broadcaster per stream across instances: a takeover closes the old one with 4000.
          for (const old of c.broadcasters.splice(0)) if (old !== ws && old.readyState === 1) old.serverClose(4000);
          c.broadcasters.push(ws);
          return ws.push({ type: "broadcasting", stream_id: m.stream_id, peer_id: ws.peer, ice_servers: [], viewer_count: 0 });
        }
        return ws.push({ type: "watching", stream_id: m.stream_id, peer_id: ws.peer, broadcaster_peer_id: "", ice_servers: [], viewer_count: 1 });
    }
  }
  /** kill: every connection drops (1006) and new ones are refused. */
  kill() {
    this.up = false;
    for (const ws of this.sockets) if (ws.readyState === 1) ws.serverClose(1006);
  }
  live() {
    return this.sockets.filter((ws) => ws.readyState === 1);
  }
}

class FakeSocket {
  constructor(instance, url) {
    Object.assign(this, { instance, url, readyState: 1, received: [], closedWith: undefined, onmessage: null, onclose: null });
    setTimeout(() => instance.accept(this), 0);
  }
  push(m) {
    setTimeout(() => this.readyState === 1 && this.onmessage?.({ data: JSON.stringify(m) }), 0);
  }
  send(data) {
    assert.equal(this.readyState, 1, "send on a closed socket");
    const m = JSON.parse(data);
    setTimeout(() => this.instance.receive(this, m), 0);
  }
  close(code = 1005) {
    if (this.readyState !== 1) return;
    this.readyState = 3;
    this.closedWith = code;
    setTimeout(() => this.onclose?.({ code }), 0);
  }
  serverClose(code) {
    this.close(code);
  }
}

/** A cluster of fake instances with shared tokens, as Redis would hold them. */
class Cluster {
  constructor(n) {
    this.tokens = new Map(); // token -> address
    this.signatures = [];
    this.broadcasters = [];
    this.delays = [];
    this.fetched = [];
    this.instances = Array.from({ length: n }, (_, i) => new FakeInstance(`sig${i + 1}`, `http://127.0.0.1:${8090 + 10 * i}`, this));
    this.seq = 0;
  }
  /** mint issues a token for the address: the fields of `authenticated`. */
  mint(address) {
    const t = `token${++this.seq}`;
    this.tokens.set(t, address);
    return { resume_token: t, resume_expires_at: new Date(Date.now() + 600_000).toISOString() };
  }
  byURL(url) {
    return this.instances.find((i) => wsURLOf(i.url) === url || i.url === url);
  }
  deps(origin = this.instances[0].url) {
    return {
      origin,
      address: "stream1alice",
      open: (url) => new FakeSocket(this.byURL(url), url),
      instances: async (base) => {
        this.fetched.push(base);
        const inst = this.byURL(base);
        if (!inst?.up) throw new TypeError("Failed to fetch");
        return [inst, ...this.instances.filter((i) => i !== inst && i.up)].map(({ id, url }) => ({ id, url }));
      },
      sleep: async (ms) => { this.delays.push(ms); await tick(); },
      random: () => 0.5,
      signIn: async (message) => ({ signed: message }),
    };
  }
}

function recorder() {
  const r = { messages: [], reconnecting: [], reconnected: [], lost: [] };
  r.events = {
    message: (m) => r.messages.push(m),
    reconnecting: (why, attempt, delay) => r.reconnecting.push({ why, attempt, delay }),
    reconnected: (instance) => r.reconnected.push(instance),
    lost: (reason) => r.lost.push(reason),
  };
  return r;
}

test("backoff: exponential from 250 ms, capped at 8 s, half of it jitter", () => {
  assert.equal(backoffMs(0, () => 0), 125);
  assert.equal(backoffMs(0, () => 1), 250);
  assert.equal(backoffMs(3, () => 0.5), 1500);
  for (let a = 0; a < 20; a++) {
    const lo = backoffMs(a, () => 0), hi = backoffMs(a, () => 1);
    assert.ok(hi <= 8000 && lo === hi / 2, `attempt ${a}: ${lo}..${hi}`);
    if (a > 0) assert.ok(hi >= backoffMs(a - 1, () => 1));
  }
  assert.equal(backoffMs(30, () => 1), 8000);
});

test("candidates: own origin first unless it failed, the failed one last, no duplicates", () => {
  const known = [{ id: "b", url: "http://b:1/" }, { id: "a", url: "http://a:1" }, { id: "c", url: "http://c:1" }];
  assert.deepEqual(candidates("http://a:1", known), ["http://a:1", "http://b:1", "http://c:1"]);
  assert.deepEqual(candidates("http://a:1", known, "http://a:1"), ["http://b:1", "http://c:1", "http://a:1"]);
  assert.deepEqual(candidates("http://a:1", known, "http://b:1"), ["http://a:1", "http://c:1", "http://b:1"]);
  assert.deepEqual(candidates("http://a:1", [], "http://a:1"), ["http://a:1"]);
  // The others twice round, then everyone from the failed one.
  const order = ["http://b:1", "http://c:1", "http://a:1"];
  assert.deepEqual([0, 1, 2, 3, 4, 5, 6].map((n) => pick(order, n)), ["http://b:1", "http://c:1", "http://b:1", "http://c:1", "http://a:1", "http://b:1", "http://c:1"]);
  assert.deepEqual([0, 1, 2].map((n) => pick(["http://a:1"], n)), ["http://a:1", "http://a:1", "http://a:1"]);
  assert.equal(wsURLOf("https://x.example/"), "wss://x.example/ws");
  assert.equal(wsURLOf("http://127.0.0.1:8090"), "ws://127.0.0.1:8090/ws");
});

test("the instance dies (1006): the viewer resumes its sign-in on another, watches again, no second signature", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  await settle();
  assert.deepEqual(c.fetched, ["http://127.0.0.1:8090"], "the live instances are remembered at once");
  link.setRole({ type: "watch", stream_id: "42" });
  await settle();
  assert.equal(r.messages.at(-1).type, "watching");
  assert.equal(link.instance, "sig1");

  c.instances[0].kill();
  await settle(60);
  assert.equal(c.signatures.length, 1, "resumed with the token, not signed again");
  const [b] = c.instances[1].live();
  assert.ok(b, "a connection to sig2");
  assert.deepEqual(b.received.map((m) => m.type), ["resume", "watch"]);
  assert.deepEqual(r.reconnected, ["sig2"]);
  assert.equal(link.instance, "sig2");
  assert.equal(r.reconnecting[0].why, "connection_lost");
  assert.ok(r.reconnecting[0].delay > 0, "backoff before the first attempt after a crash");
  assert.equal(r.messages.at(-1).type, "watching");
  assert.deepEqual(r.lost, []);
  // Messages now go to the new connection.
  link.send({ type: "candidate", to: "x", candidate: "c" });
  await settle();
  assert.equal(b.received.at(-1).type, "candidate");
});

test("draining: make-before-break; the broadcaster's old connection is closed only after broadcasting on the new one", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "broadcast", stream_id: "7" });
  await settle();
  const [a] = c.instances[0].live();
  a.push({ type: "draining", reconnect_within_ms: 10000, instances: [{ id: "sig2", url: c.instances[1].url }] });
  await settle(60);
  assert.deepEqual(r.reconnecting[0], { why: "draining", attempt: 1, delay: 0 }, "a drain moves at once");
  const [b] = c.instances[1].live();
  assert.deepEqual(b.received.map((m) => m.type), ["resume", "broadcast"]);
  // The takeover closed the old connection with 4000, which is not "taken over" here.
  assert.equal(a.closedWith, 4000);
  assert.deepEqual(r.lost, []);
  assert.deepEqual(r.reconnected, ["sig2"]);
  assert.equal(r.messages.filter((m) => m.type === "broadcasting").length, 2);
});

test("draining, viewer: the new watch is answered before the old connection goes", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "7" });
  await settle();
  const [a] = c.instances[0].live();
  let oldOpenWhenWatching;
  const orig = c.instances[1].receive.bind(c.instances[1]);
  c.instances[1].receive = (ws, m) => {
    if (m.type === "watch") oldOpenWhenWatching = a.readyState === 1;
    orig(ws, m);
  };
  a.push({ type: "draining", reconnect_within_ms: 10000, instances: [{ id: "sig2", url: c.instances[1].url }] });
  await settle(60);
  assert.equal(oldOpenWhenWatching, true, "make-before-break");
  assert.equal(a.readyState, 3, "the old connection is closed after the move");
  assert.equal(a.closedWith, 1000);
  assert.equal(link.instance, "sig2");
});

test("4000 outside a move: taken over, no reconnection", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "broadcast", stream_id: "7" });
  await settle();
  c.instances[0].live()[0].serverClose(4000);
  await settle(40);
  assert.deepEqual(r.lost, ["taken_over"]);
  assert.deepEqual(r.reconnecting, []);
  assert.equal(c.instances[1].sockets.length, 0);
  assert.equal(link.instance, "");
});

test("closed for a fault of the client (1007, 1009, 4001-4003): no reconnection, the reason told", async () => {
  const reasons = { 1007: "invalid_payload", 1009: "message_too_large", 4001: "too_many_sign_in_failures", 4002: "sign_in_timeout", 4003: "over_rate_limit" };
  for (const [code, reason] of Object.entries(reasons).map(([k, v]) => [Number(k), v])) {
    assert.equal(faultOf(code), reason);
    const c = new Cluster(2);
    const r = recorder();
    const link = await Link.open(c.deps(), r.events);
    link.setRole({ type: "watch", stream_id: "7" });
    await settle();
    c.instances[0].live()[0].serverClose(code);
    await settle(40);
    assert.deepEqual(r.lost, [reason], `close ${code}`);
    assert.deepEqual(r.reconnecting, []);
    assert.equal(c.instances[1].sockets.length, 0);
    assert.equal(link.instance, "");
  }
});

test("a server without resume tokens: the wallet signs again on the new instance", async () => {
  const c = new Cluster(2);
  for (const i of c.instances) i.resume = false;
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "1" });
  await settle();
  c.instances[0].kill();
  await settle(60);
  assert.deepEqual(c.signatures.map((s) => s.instance), ["sig1", "sig2"]);
  assert.match(c.signatures[1].message, /Server: http:\/\/127\.0\.0\.1:8100/, "signed the new instance's own challenge");
  assert.deepEqual(c.instances[1].live()[0].received.map((m) => m.type), ["auth", "watch"]);
  assert.deepEqual(r.reconnected, ["sig2"]);
});

test("auth_resume_invalid: falls back to the wallet", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "1" });
  await settle();
  c.tokens.clear(); // expired
  c.instances[0].live()[0].serverClose(1001);
  await settle(60);
  assert.deepEqual(c.instances[1].live()[0].received.map((m) => m.type), ["resume", "auth", "watch"]);
  assert.equal(c.signatures.length, 2);
  assert.equal(r.reconnecting[0].why, "instance_stopping");
  assert.deepEqual(r.reconnected, ["sig2"]);
});

test("shared_state_unavailable for the role on the new instance: asked again there after a backoff, no new sign-in", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "broadcast", stream_id: "3" });
  await settle();
  // sig2 refuses the first broadcast: A's lease is not known to be gone yet.
  const sig2 = c.instances[1];
  const receive = sig2.receive.bind(sig2);
  let refused = 0;
  sig2.receive = (ws, m) => {
    if (m.type === "broadcast" && refused++ === 0) return ws.received.push(m), ws.push({ type: "error", code: "shared_state_unavailable", message: "home busy", request: "broadcast" });
    receive(ws, m);
  };
  c.instances[0].kill();
  await settle(80);
  const [b] = c.instances[1].live();
  assert.deepEqual(b.received.map((m) => m.type).slice(0, 3), ["resume", "broadcast", "broadcast"]);
  assert.equal(c.instances[1].sockets.length, 1, "one connection to sig2");
  assert.equal(c.instances[0].sockets.length, 1, "the dead instance is not tried while another answers");
  assert.deepEqual(r.reconnected, ["sig2"]);
  assert.equal(r.messages.at(-1).type, "broadcasting");
});

test("shared_state_unavailable on watch: another instance is tried", async () => {
  const c = new Cluster(2);
  c.instances[0].refuseRole = "shared_state_unavailable";
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "1" });
  await settle(60);
  assert.equal(r.messages[0].code, "shared_state_unavailable", "the page hears the refusal");
  assert.equal(r.reconnecting[0].why, "shared_state_unavailable");
  assert.deepEqual(r.reconnected, ["sig2"]);
  assert.equal(r.messages.at(-1).type, "watching");
});

test("stream_ended instance_lost: the viewer watches again on the same connection", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "9" });
  await settle();
  const [a] = c.instances[0].live();
  a.push({ type: "stream_ended", stream_id: "9", reason: "instance_lost" });
  await settle(40);
  assert.deepEqual(a.received.map((m) => m.type), ["auth", "watch", "watch"]);
  assert.equal(c.instances[1].sockets.length, 0, "no new connection");
  assert.equal(r.reconnecting[0].why, "instance_lost");
  assert.deepEqual(r.reconnected, ["sig1"]);
  // Any other ending is final: nothing is sent again.
  a.push({ type: "stream_ended", stream_id: "9", reason: "stream_deleted" });
  await settle();
  a.serverClose(1006);
  await settle(60);
  assert.deepEqual(c.instances[1].live()[0].received.map((m) => m.type), ["resume"], "no watch after the session ended");
});

test("every instance gone: capped backoff, then lost(disconnected)", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "1" });
  await settle();
  c.instances[1].kill();
  c.instances[0].kill();
  await settle(400);
  assert.deepEqual(r.lost, ["disconnected"]);
  assert.equal(r.reconnecting.length, MAX_ATTEMPTS);
  const delays = r.reconnecting.map((x) => x.delay);
  assert.ok(delays.every((d, i) => i === 0 || d >= delays[i - 1]), `growing: ${delays}`);
  assert.ok(Math.max(...delays) <= 8000);
  // Both instances were tried: sig2 (not the failed origin) twice first,
  // then both in turn.
  const tried = [...c.instances[0].sockets.slice(1), ...c.instances[1].sockets];
  assert.equal(tried.length, MAX_ATTEMPTS);
  assert.equal(c.instances[1].sockets.length, 2 + (MAX_ATTEMPTS - 2) / 2);
  assert.equal(link.instance, "");
});

test("the page's origin is the one that died: the list is asked of another instance", async () => {
  const c = new Cluster(3);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "1" });
  await settle();
  c.instances[1].kill(); // sig2 went away since the list was fetched
  await settle();
  c.instances[0].kill();
  await settle(200);
  assert.deepEqual(r.reconnected.at(-1), "sig3");
  assert.ok(c.fetched.includes(c.instances[2].url) || c.fetched.includes(c.instances[1].url));
  assert.deepEqual(r.lost, []);
});

test("1007 from the instance the link moves to: no loop through the others, the reason told", async () => {
  const c = new Cluster(3);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "1" });
  await settle();
  // Every other instance closes the client's sign-in with 1007.
  for (const inst of c.instances.slice(1)) inst.receive = (ws) => ws.serverClose(1007);
  c.instances[0].kill();
  await settle(200);
  assert.deepEqual(r.lost, ["invalid_payload"]);
  assert.equal(r.reconnecting.length, 1, "one attempt, not ten");
  assert.equal(c.instances[1].sockets.length + c.instances[2].sockets.length, 1);
  assert.equal(link.instance, "");
});

test("1007 before sign-in: open rejects with the reason, no retry", async () => {
  const c = new Cluster(1);
  c.instances[0].receive = (ws) => ws.serverClose(1007);
  await assert.rejects(Link.open(c.deps(), recorder().events), (e) => e.code === "invalid_payload");
  assert.equal(c.instances[0].sockets.length, 1);
});

/** A Web Storage stand-in shared by "tabs". */
function storage() {
  const m = new Map();
  return { getItem: (k) => (m.has(k) ? m.get(k) : null), setItem: (k, v) => m.set(k, String(v)), removeItem: (k) => m.delete(k), map: m };
}

test("a reload and a second tab sign in with the stored token: no second signature", async () => {
  const c = new Cluster(1);
  const store = storage();
  const deps = () => ({ ...c.deps(), tokens: storedTokens(store, "stream1alice") });
  const tab1 = await Link.open(deps(), recorder().events);
  assert.equal(c.signatures.length, 1);
  assert.ok(JSON.parse(store.map.get(RESUME_KEY)).token, "the token is stored");
  tab1.close(); // the page is reloaded
  const reloaded = await Link.open(deps(), recorder().events);
  const tab2 = await Link.open(deps(), recorder().events);
  assert.equal(c.signatures.length, 1, "resumed twice, signed once");
  assert.deepEqual(c.instances[0].sockets.map((ws) => ws.received[0].type), ["auth", "resume", "resume"]);
  // Each resume spent its token and stored the fresh one: the tab that
  // reconnects next takes the newest, whichever tab it was issued to.
  assert.equal(c.tokens.size, 1);
  assert.ok(c.tokens.has(JSON.parse(store.map.get(RESUME_KEY)).token));
  reloaded.setRole({ type: "watch", stream_id: "1" });
  tab2.close();
  await settle();
  assert.equal(c.instances[0].live().length, 1);
});

test("a stored token of another account, or expired, is not sent: the wallet signs", async () => {
  const c = new Cluster(1);
  const store = storage();
  const { resume_token } = c.mint("stream1bob");
  store.setItem(RESUME_KEY, JSON.stringify({ address: "stream1bob", token: resume_token, expires_at: new Date(Date.now() + 600_000).toISOString() }));
  await Link.open({ ...c.deps(), tokens: storedTokens(store, "stream1alice") }, recorder().events);
  const expired = c.mint("stream1alice").resume_token;
  store.setItem(RESUME_KEY, JSON.stringify({ address: "stream1alice", token: expired, expires_at: new Date(Date.now() - 1000).toISOString() }));
  await Link.open({ ...c.deps(), tokens: storedTokens(store, "stream1alice") }, recorder().events);
  assert.deepEqual(c.instances[0].sockets.map((ws) => ws.received[0].type), ["auth", "auth"]);
  assert.equal(c.signatures.length, 2);
});

test("a resume answered for another address is refused: the link never acts as it", async () => {
  const c = new Cluster(1);
  const { resume_token } = c.mint("stream1mallory");
  const tokens = { take: () => resume_token, save() {} };
  await assert.rejects(Link.open({ ...c.deps(), tokens }, recorder().events), (e) => e.code === "auth_address_mismatch");
});

test("resume_token while signed in: the fresh token is kept, and the next move resumes with it", async () => {
  const c = new Cluster(2);
  const r = recorder();
  const link = await Link.open(c.deps(), r.events);
  link.setRole({ type: "watch", stream_id: "42" });
  await settle();
  const [a] = c.instances[0].live();
  // The server renews the token at half its lifetime; the first one is then spent elsewhere.
  const fresh = c.mint("stream1alice");
  for (const t of [...c.tokens.keys()]) if (t !== fresh.resume_token) c.tokens.delete(t);
  a.push({ type: "resume_token", ...fresh });
  await settle();
  assert.ok(!r.messages.some((m) => m.type === "resume_token"), "not a page event");

  c.instances[0].kill();
  await settle(60);
  const [b] = c.instances[1].live();
  assert.deepEqual(b.received.map((m) => m.type), ["resume", "watch"]);
  assert.equal(b.received[0].token, fresh.resume_token, "the renewed token");
  assert.equal(c.signatures.length, 1, "no second signature");
});
