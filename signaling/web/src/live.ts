// The public live view from signalingd (GET /live, Server-Sent Events):
// which streams are on air and how many watch, for badges without a reload.
// When the instance that served the page goes away, the feed moves to
// another live instance of the deployment (signaling/PROTOCOL.md §12): every
// instance serves the whole deployment's view, readable from any origin.
import { baseOf, candidates, type Instance } from "./reconnect.ts";

export type LiveMap = Map<string, number>;

/** The part of an EventSource the feed uses. */
export interface LiveSource {
  onopen: (() => void) | null;
  onerror: (() => void) | null;
  addEventListener(type: "live", fn: (e: { data: string }) => void): void;
  close(): void;
}

export interface LiveDeps {
  /** The page's own origin, tried first. */
  origin: string;
  /** Opens an EventSource on a URL. */
  open(url: string): LiveSource;
  /** GET <base>/instances.json; throws when that instance does not answer. */
  instances(base: string): Promise<Instance[]>;
}

/**
 * Errors in a row on one instance before the feed moves: EventSource
 * retries by itself every 2 s (the server's `retry`), so an instance that
 * restarts at once is kept, one that stays away is left after about 4 s.
 */
export const ERRORS_BEFORE_MOVE = 2;

/** LiveFeed keeps one EventSource open on a live instance. */
export class LiveFeed {
  private known: Instance[] = [];
  private source: LiveSource | undefined;
  /** The instance the feed reads (its base URL). */
  base = "";

  /**
   * onLost is told when the feed's connection fails: what was on air is no
   * longer known (the daemon may have ended the streams), so badges must
   * not keep saying "On air" from a snapshot nobody updates.
   */
  constructor(private deps: LiveDeps, private onSnapshot: (streams: { stream_id: string; viewers: number }[]) => void, private onLost: () => void = () => undefined) {}

  start() {
    this.open(baseOf(this.deps.origin));
  }

  stop() {
    this.source?.close();
    this.source = undefined;
  }

  private open(base: string) {
    const es = this.deps.open(`${base}/live`);
    this.source = es;
    this.base = base;
    let errors = 0;
    es.onopen = () => {
      errors = 0;
      void this.refresh(base);
    };
    es.addEventListener("live", (e) => {
      if (this.source !== es) return; // a source the feed has left
      errors = 0;
      const body = JSON.parse(e.data) as { streams: { stream_id: string; viewers: number }[] };
      this.onSnapshot(body.streams);
    });
    es.onerror = () => {
      if (this.source !== es) return;
      if (errors === 0) this.onLost();
      if (++errors < ERRORS_BEFORE_MOVE) return;
      const next = candidates(this.deps.origin, this.known, base)[0];
      if (next === base) return; // nowhere else known: EventSource keeps retrying here
      es.close();
      this.open(next);
    };
  }

  /** refresh remembers the live instances as `base` lists them. */
  private async refresh(base: string) {
    try {
      const list = await this.deps.instances(base);
      if (Array.isArray(list) && list.length) this.known = list.filter((i) => typeof i?.url === "string");
    } catch {
      // keep the last list
    }
  }
}

let live: LiveMap = new Map();
/** Whether `live` comes from an unbroken run of snapshots (false at first and after the feed failed). */
let known = false;
let feed: LiveFeed | undefined;
const listeners = new Set<(now: LiveMap, before: LiveMap) => void>();
/** Streams seen leaving the air (by the feed or by this page's own session): "ended" once past their start. */
const stopped = new Set<string>();
/** When this page saw each stream go on air (ms); absent when it was already on air at the first snapshot. */
const since = new Map<string, number>();

export function onAir(id: string): boolean {
  return live.has(id);
}

export function viewers(id: string): number {
  return live.get(id) ?? 0;
}

/** wasStopped: the broadcaster left the air after this page saw the stream on air. */
export function wasStopped(id: string): boolean {
  return stopped.has(id) && !live.has(id);
}

/** onAirSince is when this page saw the stream go on air (undefined: before the page loaded). */
export function onAirSince(id: string): number | undefined {
  return since.get(id);
}

/** markStopped records a stop the page learnt first-hand (its session's stream_ended). */
export function markStopped(id: string): void {
  stopped.add(id);
  if (live.delete(id)) {
    since.delete(id);
    const before = new Map(live);
    before.set(id, 0);
    for (const fn of listeners) fn(live, before);
  }
}

/** onLive calls fn after every change; it returns the unsubscribe function. */
export function onLive(fn: (now: LiveMap, before: LiveMap) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/**
 * applySnapshot is the one place the on-air state changes: a stream that
 * leaves the air between two snapshots of an unbroken feed is "stopped";
 * one that comes on air gets its on-air time.
 */
export function applySnapshot(streams: { stream_id: string; viewers: number }[], now = Date.now()): void {
  const before = live;
  live = new Map(streams.map((s) => [String(s.stream_id), s.viewers]));
  for (const id of live.keys()) {
    stopped.delete(id);
    if (!before.has(id) && known) since.set(id, now);
  }
  if (known) for (const id of before.keys()) if (!live.has(id)) { stopped.add(id); since.delete(id); }
  known = true;
  for (const fn of listeners) fn(live, before);
}

/** feedLost forgets what was on air until the next snapshot. */
export function feedLost(): void {
  const before = live;
  known = false;
  live = new Map();
  if (before.size) for (const fn of listeners) fn(live, before);
}

/**
 * startLive opens the feed once, on the page's own instance first;
 * `instances` reads an instance's /instances.json (signaling.ts).
 */
export function startLive(instances: (base: string) => Promise<Instance[]>): void {
  if (feed) return;
  feed = new LiveFeed(
    { origin: location.origin, open: (url) => new EventSource(url) as unknown as LiveSource, instances },
    (streams) => applySnapshot(streams),
    feedLost,
  );
  feed.start();
}

/** newlyOnAir lists the ids on air now that were not before. */
export function newlyOnAir(now: LiveMap, before: LiveMap): string[] {
  return [...now.keys()].filter((id) => !before.has(id));
}
