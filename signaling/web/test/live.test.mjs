// Unit tests of src/live.ts: the live feed moves to another instance when
// its own stays away, and stays when it comes back at once.
import assert from "node:assert/strict";
import test from "node:test";
import { ERRORS_BEFORE_MOVE, LiveFeed, applySnapshot, feedLost, markStopped, onAir, onAirSince, onLive, wasStopped } from "../../../build/web-unit/live.js";

const tick = () => new Promise((r) => setTimeout(r, 0));

/** Fake EventSources on fake instances; `up` says which answer. */
function cluster(urls) {
  const opened = [];
  const up = new Set(urls);
  const deps = {
    origin: urls[0],
    open(url) {
      const es = { url, closed: false, onopen: null, onerror: null, fns: [], addEventListener(_t, fn) { this.fns.push(fn); }, close() { this.closed = true; } };
      opened.push(es);
      return es;
    },
    async instances(base) {
      if (!up.has(base)) throw new Error("down");
      return urls.map((url, i) => ({ id: `i${i}`, url }));
    },
  };
  const snapshots = [];
  const feed = new LiveFeed(deps, (streams) => snapshots.push({ base: feed.base, streams }));
  return { feed, opened, up, snapshots, last: () => opened[opened.length - 1] };
}

const live = (es, streams) => es.fns.forEach((fn) => fn({ data: JSON.stringify({ streams }) }));

test("the feed starts on the page's own instance and reports its snapshots", async () => {
  const c = cluster(["http://a:1", "http://b:2"]);
  c.feed.start();
  assert.equal(c.last().url, "http://a:1/live");
  c.last().onopen();
  live(c.last(), [{ stream_id: "7", viewers: 2 }]);
  assert.deepEqual(c.snapshots, [{ base: "http://a:1", streams: [{ stream_id: "7", viewers: 2 }] }]);
});

test("an instance that stays away is left for another one, which the feed then reads", async () => {
  const c = cluster(["http://a:1", "http://b:2"]);
  c.feed.start();
  const a = c.last();
  a.onopen(); // learns the instances from a
  await tick();
  c.up.delete("http://a:1");
  for (let i = 0; i < ERRORS_BEFORE_MOVE - 1; i++) a.onerror();
  assert.equal(c.opened.length, 1, "one error is EventSource's own retry: the feed stays");
  a.onerror();
  assert.ok(a.closed, "the dead instance's source is closed");
  const b = c.last();
  assert.equal(b.url, "http://b:2/live");
  b.onopen();
  live(b, [{ stream_id: "7", viewers: 1 }]);
  assert.deepEqual(c.snapshots.at(-1), { base: "http://b:2", streams: [{ stream_id: "7", viewers: 1 }] });
  live(a, [{ stream_id: "9", viewers: 5 }]); // a late event of the old source
  assert.equal(c.snapshots.at(-1).streams[0].stream_id, "7", "the old source's events are ignored");
  a.onerror();
  assert.equal(c.opened.length, 2, "the old source moves nothing");
});

test("a snapshot between errors keeps the feed where it is", async () => {
  const c = cluster(["http://a:1", "http://b:2"]);
  c.feed.start();
  const a = c.last();
  a.onopen();
  await tick();
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < ERRORS_BEFORE_MOVE - 1; i++) a.onerror();
    live(a, []);
  }
  assert.equal(c.opened.length, 1);
});

test("with no other instance known the feed stays and EventSource keeps retrying", async () => {
  const c = cluster(["http://a:1"]);
  c.feed.start();
  for (let i = 0; i < 3 * ERRORS_BEFORE_MOVE; i++) c.last().onerror();
  assert.equal(c.opened.length, 1);
  assert.equal(c.last().closed, false);
});

test("the one on-air state: a stream that leaves the air is stopped; a lost feed forgets what was on air without calling it stopped", () => {
  const seen = [];
  const off = onLive((now) => seen.push([...now.keys()].join(",")));
  applySnapshot([{ stream_id: "1", viewers: 2 }], 1000); // on air before the page loaded
  assert.ok(onAir("1"));
  assert.equal(onAirSince("1"), undefined);
  applySnapshot([{ stream_id: "1", viewers: 2 }, { stream_id: "2", viewers: 0 }], 5000);
  assert.equal(onAirSince("2"), 5000);
  applySnapshot([{ stream_id: "2", viewers: 0 }], 6000);
  assert.ok(wasStopped("1"), "1 left the air");
  assert.ok(!wasStopped("2"));
  // The feed fails: nothing is on air as far as the page knows, and nothing is "stopped" for it.
  feedLost();
  assert.ok(!onAir("2"));
  assert.ok(!wasStopped("2"));
  applySnapshot([], 7000); // first snapshot after the outage: no comparison
  assert.ok(!wasStopped("2"));
  // Back on air clears the stop.
  applySnapshot([{ stream_id: "1", viewers: 0 }], 8000);
  assert.ok(!wasStopped("1"));
  // The page's own session learns of a stop first.
  markStopped("1");
  assert.ok(wasStopped("1") && !onAir("1"));
  off();
  assert.deepEqual(seen.at(-1), "");
});

test("the feed reports its loss on the first error", () => {
  let lost = 0;
  const opened = [];
  const feed = new LiveFeed({
    origin: "http://a:1",
    open: (url) => { const es = { url, fns: [], onopen: null, onerror: null, addEventListener: (_t, fn) => es.fns.push(fn), close() {} }; opened.push(es); return es; },
    instances: async () => [],
  }, () => undefined, () => lost++);
  feed.start();
  opened[0].onerror();
  assert.equal(lost, 1);
});
