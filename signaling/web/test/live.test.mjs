// Unit tests of src/live.ts: the live feed moves to another instance when
// its own stays away, and stays when it comes back at once.
import assert from "node:assert/strict";
import test from "node:test";
import { ERRORS_BEFORE_MOVE, LiveFeed } from "../../../build/web-unit/live.js";

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
