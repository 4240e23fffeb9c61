// The stream list shown on every page: filters All / Upcoming / My streams /
// My subscriptions, a title search and "load more"; badges follow the live feed.
import * as api from "../api.ts";
import { h, statusLine } from "../dom.ts";
import { explain } from "../errors.ts";
import { phaseLabel, when } from "../format.ts";
import { onLive, viewers } from "../live.ts";
import { onState, state, timeZone } from "../state.ts";
import { streamPhase } from "../status.ts";
import { byline, thumbnail } from "../widgets.ts";

type Filter = "all" | "upcoming" | "mine" | "subs";
const filters: [Filter, string][] = [["all", "All"], ["upcoming", "Live & upcoming"], ["mine", "My streams"], ["subs", "My subscriptions"]];

export function badge(s: api.Stream, withViewers = true): HTMLElement {
  const p = streamPhase(s);
  const el = h("span", { class: `badge ${p}`, "data-badge": s.id }, phaseLabel(p));
  if (p === "live" && withViewers) el.append(h("span", { class: "viewers", "data-viewers": s.id }, ` · ${viewers(s.id)} watching`));
  return el;
}

function item(s: api.Stream): HTMLElement {
  return h("li", { class: "stream-item", "data-stream-id": s.id },
    thumbnail(s.img_link, "thumb"),
    h("div", { class: "item-body" },
      h("a", { href: `#/stream/${s.id}`, class: "title" }, s.title),
      h("div", { class: "meta" }, badge(s), " ", byline(s.broadcaster)),
      h("div", { class: "when" }, when(new Date(s.start_time), new Date(s.end_time), timeZone()))));
}

/** How often the list is read again (others schedule and edit streams). */
const REFRESH_MS = 15_000;

export function scheduleList(): HTMLElement {
  let filter: Filter = "all";
  let items: api.Stream[] = [];
  let nextKey: string | null = null;
  let query = "";
  let gen = 0;
  const status = statusLine();
  const list = h("ul", { class: "streams", "aria-label": "Streams" });
  const more = h("button", { type: "button", class: "secondary", "data-action": "more", onclick: () => load(false) }, "Load more");
  const retry = h("button", { type: "button", class: "secondary", "data-action": "retry", hidden: true, onclick: () => load(true) }, "Try again");
  let failed = false;
  const search = h("input", { type: "search", placeholder: "Search titles", "aria-label": "Search stream titles", oninput: () => { query = search.value.trim().toLowerCase(); render(); } }) as HTMLInputElement;
  const tabs = h("div", { class: "filters", role: "group", "aria-label": "Which streams" },
    filters.map(([f, label]) => h("button", { type: "button", "aria-pressed": String(f === filter), "data-filter": f, onclick: () => { filter = f; load(true); } }, label)));

  function render() {
    for (const b of tabs.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b.dataset.filter === filter));
    const shown = items.filter((s) => !query || s.title.toLowerCase().includes(query));
    list.replaceChildren(...shown.map(item));
    if (shown.length === 0 && !failed) list.append(h("li", { class: "empty" }, items.length ? "No stream title matches your search." : emptyText()));
    more.hidden = !nextKey || failed;
    retry.hidden = !failed;
  }

  function emptyText(): string {
    if ((filter === "mine" || filter === "subs") && !state.wallet) return "Connect a wallet to see these streams.";
    if (filter === "mine") return "You have not scheduled a stream yet. Use New stream.";
    if (filter === "subs") return "No streams from broadcasters you subscribe to.";
    if (filter === "upcoming") return "Nothing on air or coming up.";
    return "No streams scheduled yet.";
  }

  async function load(reset: boolean) {
    const g = ++gen;
    if (reset) { items = []; nextKey = null; }
    status.busy("Loading streams…");
    more.hidden = true;
    try {
      let page: api.Page<api.Stream>;
      const key = reset ? null : nextKey;
      if (filter === "all") page = await api.streams({ key });
      else if (filter === "upcoming") {
        // On air now (by the chain's clock: between start and end) first, then upcoming.
        const [live, up] = await Promise.all([reset ? api.streams({ status: "STREAM_STATUS_LIVE", limit: 50 }) : Promise.resolve({ items: [], nextKey: null }),
          api.streams({ status: "STREAM_STATUS_UPCOMING", key })]);
        page = { items: [...live.items, ...up.items], nextKey: up.nextKey };
      }
      else if (!state.wallet) page = { items: [], nextKey: null };
      else if (filter === "mine") page = await api.streams({ broadcaster: state.wallet.address, key });
      else {
        // Streams of up to 100 subscriptions, 10 each, by start time.
        const pages = await Promise.all([...state.subs].map((b) => api.streams({ broadcaster: b, limit: 10 })));
        page = { items: pages.flatMap((p) => p.items).sort((a, b) => a.start_time.localeCompare(b.start_time)), nextKey: null };
      }
      if (g !== gen) return;
      items = [...items, ...page.items];
      nextKey = page.nextKey;
      failed = false;
      status.clear();
      render();
    } catch (e) {
      if (g !== gen) return;
      failed = true;
      status.fail(`The streams could not be loaded. ${explain(e)}`);
      render();
    }
  }

  const root = h("section", { class: "schedule", "aria-labelledby": "schedule-h" },
    h("h2", { id: "schedule-h" }, "Schedule"), tabs, search, status, retry, list, more);
  // Badges follow the live feed without a reload.
  // A stream on air that the list does not hold yet was scheduled since the
  // list was read: read it again.
  const offLive = onLive((now) => {
    if ((filter === "all" || filter === "upcoming") && !nextKey && [...now.keys()].some((id) => !items.some((s) => s.id === id))) {
      void load(true);
      return;
    }
    for (const s of items) {
      const old = root.querySelector(`[data-badge="${s.id}"]`);
      old?.replaceWith(badge(s));
    }
  });
  // The user's txs (and a new profile time zone) change what the list shows.
  const offState = onState(() => void load(true));
  // Others schedule streams too; badges also move from upcoming to ended.
  const timer = setInterval(() => { if (!query && !nextKey && !more.matches(":focus")) void load(true); else render(); }, REFRESH_MS);
  (root as HTMLElement & { dispose?: () => void }).dispose = () => { offLive(); offState(); clearInterval(timer); };
  void load(true);
  return root;
}
