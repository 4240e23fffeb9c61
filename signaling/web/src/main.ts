// The streamchain web app: layout, routes (#/, #/new, #/account,
// #/stream/ID, #/u/ADDRESS), the wallet menu (remembered across reloads and
// tabs), go-live notices, and the guard that keeps a broadcast from being
// torn down by a navigation.
import "./style.css";
import * as api from "./api.ts";
import { fill, h, setTitle } from "./dom.ts";
import { explain } from "./errors.ts";
import { shortAddress } from "./format.ts";
import { held, mayLeave } from "./guard.ts";
import { onLive, startLive } from "./live.ts";
import { accountPage } from "./pages/account.ts";
import { broadcasterPage } from "./pages/broadcaster.ts";
import { createPage } from "./pages/create.ts";
import { scheduleList } from "./pages/schedule.ts";
import { fetchInstances } from "./signaling.ts";
import { streamPage } from "./pages/stream.ts";
import { REMEMBERED, displayName, onState, remembered, setWallet, state } from "./state.ts";
import { connectDevnet, connectKeplr, devnetAccounts, hasKeplr, type DevnetAccount } from "./wallet.ts";

type Disposable = HTMLElement & { dispose?: () => void };

const app = document.getElementById("app")!;
const main: HTMLElement = h("main", { id: "main", tabindex: -1 });
const aside = h("aside", { "aria-label": "Stream schedule" });
const notices = h("div", { class: "notices", role: "region", "aria-label": "Notices", "aria-live": "polite" });
const walletSlot = h("div", { class: "wallet" });
let current: Disposable | undefined;
let devnet: DevnetAccount[] = [];

function homePage(): HTMLElement {
  setTitle("");
  return h("section", { class: "home" },
    h("h1", { tabindex: -1 }, "Live streams, peer to peer"),
    h("p", {}, "Broadcasters schedule streams on chain; subscribers watch them straight from the broadcaster's browser. ",
      "Connect a wallet, create your profile, subscribe to broadcasters you like and press Watch when they are on air."),
    h("ol", { class: "steps" },
      h("li", {}, "Connect a wallet (top right): Keplr, Leap or Cosmostation", devnet.length ? ", or a devnet demo account" : "", "."),
      h("li", {}, h("a", { href: "#/account" }, "Create your profile"), "."),
      h("li", {}, h("a", { href: "#/new" }, "Schedule a stream"), " or pick one from the schedule and subscribe.")));
}

let shownHash = location.hash;

function route() {
  current?.dispose?.();
  shownHash = location.hash;
  const hash = location.hash.replace(/^#/, "") || "/";
  const m = /^\/stream\/(\d+)/.exec(hash);
  const u = /^\/u\/([a-z0-9]+)$/.exec(hash);
  let page: Disposable;
  if (m) page = streamPage(m[1]);
  else if (u) page = broadcasterPage(u[1]);
  else if (hash.startsWith("/new")) page = createPage();
  else if (hash.startsWith("/account")) page = accountPage();
  else page = homePage();
  current = page;
  main.replaceChildren(page);
  for (const a of document.querySelectorAll<HTMLAnchorElement>("nav a")) {
    if (a.getAttribute("href") === "#" + hash.split("?")[0]) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
}

function renderWallet() {
  const w = state.wallet;
  if (w) {
    fill(walletSlot,
      h("span", { class: "who", tabindex: -1, "data-wallet-address": w.address }, `${w.label} · `, h("code", { title: w.address }, shortAddress(w.address)),
        w.kind === "devnet" ? h("span", { class: "warn-inline" }, " (devnet demo key: public)") : null),
      "Notification" in window && Notification.permission === "default"
        ? h("button", { type: "button", class: "secondary", onclick: async () => { await Notification.requestPermission(); renderWallet(); } }, "Allow notifications")
        : null,
      h("button", { type: "button", class: "secondary", "data-action": "disconnect", onclick: () => { if (mayLeave()) void setWallet(undefined); } }, "Disconnect"));
    return;
  }
  const menu = h("div", { class: "wallet-menu", hidden: true, id: "wallet-menu" },
    hasKeplr()
      ? h("button", { type: "button", "data-wallet": "keplr", onclick: () => connect(connectKeplr) }, "Keplr (or Leap, Cosmostation)")
      : h("p", {}, "No wallet extension found. ", h("a", { href: "https://www.keplr.app/", rel: "noopener", target: "_blank" }, "Install Keplr"), ", then reload."),
    devnet.length
      ? h("div", { class: "devnet" },
        h("p", { class: "warn" }, "Devnet demo accounts. Their keys are public: anyone can use them. Never send real funds to them."),
        devnet.map((a) => h("button", { type: "button", class: "secondary", "data-wallet": `devnet:${a.name}`, onclick: () => connect(() => connectDevnet(a)) }, a.name)))
      : null);
  const toggle = h("button", { type: "button", "aria-expanded": "false", "aria-controls": "wallet-menu", "data-action": "connect", onclick: () => {
    menu.hidden = !menu.hidden;
    toggle.setAttribute("aria-expanded", String(!menu.hidden));
  } }, "Connect wallet");
  // Escape closes the menu and gives the focus back to its button.
  menu.addEventListener("keydown", (e) => {
    if (e.key === "Escape") { menu.hidden = true; toggle.setAttribute("aria-expanded", "false"); toggle.focus(); }
  });
  walletSlot.replaceChildren(toggle, menu);
}

async function connect(f: () => Promise<import("./wallet.ts").Wallet>) {
  try {
    await setWallet(await f());
    // The menu the user clicked in is gone: the focus goes to who is signed in.
    walletSlot.querySelector<HTMLElement>("[data-wallet-address]")?.focus();
  } catch (e) {
    notice(explain(e), "error");
  }
}

/** reconnect signs in again with the wallet the user chose earlier (this tab or another). */
async function reconnect(): Promise<void> {
  const r = remembered();
  if (!r) return;
  try {
    if (r.kind === "keplr") {
      if (!hasKeplr()) return;
      await setWallet(await connectKeplr(), { remember: false });
    } else {
      const acc = devnet.find((a) => a.name === r.name);
      if (acc) await setWallet(await connectDevnet(acc), { remember: false });
    }
  } catch (e) {
    notice(`Your earlier sign-in could not be restored: ${explain(e)}`, "error");
  }
}

/** notice shows a dismissable message at the top of the page. */
function notice(text: string, kind: "info" | "error" | "live" = "info", link?: string, key?: string) {
  if (key) notices.querySelector(`[data-notice-key="${key}"]`)?.remove();
  const close = h("button", { type: "button", class: "close", "aria-label": "Dismiss" }, "×");
  const el = h("div", { class: `notice ${kind}`, "data-notice": kind, "data-notice-key": key }, link ? h("a", { href: link }, text) : text, close);
  close.onclick = () => el.remove();
  notices.prepend(el);
}

// Go-live notices: a broadcaster the user subscribes to comes on air.
const told = new Set<string>();
async function tellGoLive(ids: string[]) {
  if (!state.wallet) return;
  for (const id of ids) {
    if (told.has(id)) continue;
    const s = await api.stream(id).catch(() => null);
    if (!s || !state.subs.has(s.broadcaster) || told.has(id)) continue;
    told.add(id);
    const text = `${await displayName(s.broadcaster)} is live now: ${s.title}`;
    notice(text, "live", `#/stream/${id}`, `live-${id}`);
    if ("Notification" in window && Notification.permission === "granted") {
      const n = new Notification("On air on streamchain", { body: text, tag: `live-${id}` });
      n.onclick = () => { window.focus(); location.hash = `#/stream/${id}`; };
    }
  }
}
let liveNow: string[] = [];
onLive((now) => {
  liveNow = [...now.keys()];
  // A stream off the air: its "live now" notice goes, and it is told again next time.
  for (const id of told) if (!now.has(id)) { told.delete(id); notices.querySelector(`[data-notice-key="live-${id}"]`)?.remove(); }
  void tellGoLive(liveNow);
});

async function boot() {
  app.replaceChildren(
    h("header", {},
      h("a", { href: "#/", class: "brand" }, "streamchain"),
      h("nav", { "aria-label": "Main" }, h("a", { href: "#/" }, "Home"), h("a", { href: "#/new" }, "New stream"), h("a", { href: "#/account" }, "Account")),
      walletSlot),
    notices,
    h("div", { class: "layout" }, main, aside));
  try {
    await api.chainInfo();
  } catch (e) {
    notice("The app could not load the chain's description from the server. Reload the page; if it persists, the server needs -public-rpc and -public-rest.", "error");
    console.error(e);
  }
  // The schedule first: it is what a visitor came for.
  aside.replaceChildren(scheduleList());
  startLive(fetchInstances);
  devnet = await devnetAccounts();
  renderWallet();
  // A page is rebuilt only when the account changes: a refresh of the same
  // account's data must not end a running broadcast or watch.
  let shownAddress: string | undefined;
  onState(() => {
    renderWallet();
    if (state.wallet?.address !== shownAddress) {
      shownAddress = state.wallet?.address;
      route();
    }
    void tellGoLive(liveNow);
  });
  // In-app navigation while a page holds live media asks first; declining
  // puts the address back without rebuilding the page.
  window.addEventListener("hashchange", () => {
    if (location.hash === shownHash) return;
    if (held() && !mayLeave()) { history.replaceState(null, "", shownHash || "#/"); return; }
    route();
    (main.querySelector<HTMLElement>("h1") ?? main).focus({ preventScroll: true });
  });
  // Signing in or out in another tab does the same here.
  window.addEventListener("storage", (e) => {
    if (e.key !== REMEMBERED) return;
    const r = remembered();
    if (!r && state.wallet && !held()) void setWallet(undefined, { remember: false });
    else if (r && !state.wallet) void reconnect();
  });
  route();
  await reconnect();
}

void boot();
