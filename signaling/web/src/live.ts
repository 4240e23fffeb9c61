// The public live view from signalingd (GET /live, Server-Sent Events):
// which streams are on air and how many watch, for badges without a reload.
export type LiveMap = Map<string, number>;

let live: LiveMap = new Map();
let connected = false;
const listeners = new Set<(now: LiveMap, before: LiveMap) => void>();

export function onAir(id: string): boolean {
  return live.has(id);
}

export function viewers(id: string): number {
  return live.get(id) ?? 0;
}

/** onLive calls fn after every change; it returns the unsubscribe function. */
export function onLive(fn: (now: LiveMap, before: LiveMap) => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** startLive opens the feed once; EventSource reconnects by itself. */
export function startLive(): void {
  if (connected) return;
  connected = true;
  const es = new EventSource("/live");
  es.addEventListener("live", (e) => {
    const body = JSON.parse((e as MessageEvent).data) as { streams: { stream_id: string; viewers: number }[] };
    const before = live;
    live = new Map(body.streams.map((s) => [String(s.stream_id), s.viewers]));
    for (const fn of listeners) fn(live, before);
  });
}

/** newlyOnAir lists the ids on air now that were not before. */
export function newlyOnAir(now: LiveMap, before: LiveMap): string[] {
  return [...now.keys()].filter((id) => !before.has(id));
}
