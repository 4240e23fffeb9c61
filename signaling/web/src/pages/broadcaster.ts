// A broadcaster's page (#/u/<address>): the profile with its picture, the
// subscriber count, the subscription's price and period, Subscribe (and
// Renew), their streams live now, upcoming and past,
// a share link and their upcoming streams as a calendar file.
import * as api from "../api.ts";
import { fill, focusHeading, h, setTitle, statusLine } from "../dom.ts";
import { explain } from "../errors.ts";
import { dayText, plural, when } from "../format.ts";
import { onLive } from "../live.ts";
import { displayName, onState, state, timeZone } from "../state.ts";
import { streamPhase } from "../status.ts";
import { avatar, calendarLink, shareLink, thumbnail } from "../widgets.ts";
import { subscribeControls } from "./subscription.ts";
import { badge } from "./schedule.ts";
import { upcomingOf } from "./stream.ts";

type Disposable = HTMLElement & { dispose?: () => void };

export function broadcasterPage(address: string): HTMLElement {
  const root: Disposable = h("section", { class: "broadcaster-page" }, h("p", { role: "status" }, "Loading the profile…"));
  const cleanups: (() => void)[] = [];
  root.dispose = () => cleanups.forEach((f) => f());
  setTitle("Broadcaster");
  void api.profile(address).then((p) => render(root, address, p, cleanups),
    (e) => fill(root, h("h1", { tabindex: -1 }, "Broadcaster"), h("p", { class: "status error", role: "alert" }, explain(e))));
  return root;
}

function render(root: HTMLElement, address: string, p: api.Profile | null, cleanups: (() => void)[]) {
  const name = [p?.name, p?.surname].filter(Boolean).join(" ");
  const heading = h("h1", { tabindex: -1 }, name || "Broadcaster");
  setTitle(name || "Broadcaster");
  if (!name) void displayName(address).then((n) => { heading.textContent = n; setTitle(n); });
  const w = state.wallet;
  const status = statusLine();
  const counts = h("p", { class: "counts", "data-subscriber-count": "" });
  const paintCounts = (q: api.Profile | null) => fill(counts,
    plural(q?.subscriber_count ?? 0, "subscriber"), " · ", plural(q?.stream_count ?? 0, "stream"),
    q ? ` · on streamchain since ${dayText(new Date(q.created_at), timeZone())}` : "");
  paintCounts(p);
  const subs = subscribeControls(address, status, (kind) => {
    paintSub();
    void api.profile(address).then(paintCounts, () => undefined);
    (kind === "renew" ? subs.renew : subs.button).focus();
  }, cleanups);
  const sub = subs.button;
  const paintSub = () => {
    sub.hidden = !w || w.address === address || !p;
    subs.paint();
  };
  paintSub();
  cleanups.push(onState(paintSub));

  // A stream on air before its scheduled start (the doors open early) is
  // "live now", not "upcoming": the sections follow the one status too.
  const live = (s: api.Stream) => streamPhase(s) === "live";
  const sections = [
    streamSection("Live now", "live", address, ["STREAM_STATUS_LIVE", "STREAM_STATUS_UPCOMING"], (s, chain) => chain === "STREAM_STATUS_LIVE" ? streamPhase(s) !== "ended" : live(s), "Not on air right now.", cleanups),
    streamSection("Upcoming", "upcoming", address, ["STREAM_STATUS_UPCOMING"], (s) => !live(s), "No stream scheduled.", cleanups),
    streamSection("Past streams", "past", address, ["STREAM_STATUS_ENDED"], () => true, "No past streams.", cleanups),
  ];
  fill(root,
    h("div", { class: "profile-head" }, avatar(address, "large"),
      h("div", {}, heading, h("p", { class: "address" }, h("code", {}, address)), counts)),
    !p ? h("p", { class: "notice" }, "This account has no profile yet.") : null,
    !w && p ? h("p", {}, "Connect a wallet (top right) to subscribe.") : null,
    w && !state.profile && w.address !== address && p ? h("p", { class: "hint" }, "Subscribing needs a profile of your own: ", h("a", { href: "#/account" }, "create your profile"), " first.") : null,
    p ? subs.info : null,
    h("div", { class: "controls" }, sub),
    status,
    h("section", { class: "card share-card", "aria-label": "Share and add to calendar" },
      shareLink(`#/u/${address}`, "Link to this broadcaster"),
      calendarLink("Add upcoming streams to calendar", `broadcaster-${address}.ics`, address, () => upcomingOf(address), name || undefined)),
    sections);
  focusHeading(heading);
}

/**
 * streamSection lists the broadcaster's streams of the chain's `statuses`
 * that `keep` keeps (re-judged as the live feed changes), with "load more"
 * on the last status's pages.
 */
function streamSection(title: string, id: string, broadcaster: string, statuses: api.StatusFilter[], keep: (s: api.Stream, chain: api.StatusFilter) => boolean,
  empty: string, cleanups: (() => void)[]): HTMLElement {
  const list = h("ul", { class: "streams", "aria-labelledby": `${id}-h` });
  const status = statusLine();
  let items: [api.Stream, api.StatusFilter][] = [];
  let next: string | null = null;
  const last = statuses[statuses.length - 1];
  const more = h("button", { type: "button", class: "secondary", hidden: true, onclick: () => void load(false) }, "Load more");
  const paint = () => {
    const shown = items.filter(([s, chain]) => keep(s, chain)).map(([s]) => s);
    list.replaceChildren(...shown.map((s) => h("li", { class: "stream-item", "data-stream-id": s.id },
      thumbnail(s.img_link, "thumb"),
      h("div", { class: "item-body" },
        h("a", { href: `#/stream/${s.id}`, class: "title" }, s.title),
        h("div", { class: "meta" }, badge(s)),
        h("div", { class: "when" }, when(new Date(s.start_time), new Date(s.end_time), timeZone()))))));
    if (!shown.length) list.append(h("li", { class: "empty" }, empty));
    more.hidden = !next;
  };
  async function load(reset: boolean) {
    try {
      const pages = await Promise.all((reset ? statuses : [last]).map(async (st) => [st, await api.streams({ broadcaster, status: st, key: reset || st !== last ? null : next })] as const));
      const got = pages.flatMap(([st, p]) => p.items.map((s) => [s, st] as [api.Stream, api.StatusFilter]));
      items = reset ? got : [...items, ...got];
      next = pages.find(([st]) => st === last)?.[1].nextKey ?? null;
      status.clear();
      paint();
    } catch (e) {
      status.fail(explain(e));
    }
  }
  void load(true);
  cleanups.push(onLive(paint));
  return h("section", { class: "card", "data-section": id, "aria-labelledby": `${id}-h` }, h("h2", { id: `${id}-h` }, title), status, list, more);
}
