// End-to-end test of the web app in real headless Chromium (Debian's
// /usr/bin/chromium, driven by puppeteer-core) against a real node and a real
// signalingd, started by browser_test.go, which passes:
//   APP_URL        the app as signalingd serves it
//   CHROMIUM       the browser binary
//   ARTIFACTS      where screenshots go
//   ALICE_MNEMONIC alice's key for the Keplr stand-in (bob, carol and dave use
//                  the devnet wallet signalingd serves)
// It prints one JSON summary on stdout; the Go test checks it (and the chain).
import fs from "node:fs";
import path from "node:path";
import { axeAudit, click, connectDevnet, go, launch, recordPeerConnections, recordSignalingSends, reportFailure, runScript, videoStats, waitText } from "./helpers.mjs";
import { installKeplr } from "./keplr-standin.mjs";

const { APP_URL, CHROMIUM, ARTIFACTS, ALICE_MNEMONIC } = process.env;
// BENCH_RUNS > 0 (make bench-web) also measures, each that many times, page
// load -> schedule shown and Watch -> first decoded frame, beside baselines
// measured in the same run. Nothing is asserted about them.
const BENCH_RUNS = Number(process.env.BENCH_RUNS ?? 0);
const summary = { ok: false, steps: [], screenshots: [], figures: {}, a11y: { states: [], violations: [], rules_passed: 0 } };
const step = (name, detail = {}) => {
  summary.steps.push({ name, ...detail });
  process.stderr.write(`step: ${name} ${JSON.stringify(detail)}\n`);
};

async function shot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  summary.screenshots.push(file);
}

/**
 * pageState checks a state of a page the journey reached: axe-core at the
 * page's width and at 375 px (a phone), with a screenshot at each
 * (NAME.png, NAME-375.png). Violations are collected; the journey fails on
 * them at its end, all listed.
 */
async function pageState(page, name, { narrow = true } = {}) {
  const { width, height } = page.viewport();
  const check = async (w, file) => {
    const state = `${name}@${w}`;
    summary.a11y.states.push(state);
    const { violations, passed } = await axeAudit(page);
    for (const v of violations) summary.a11y.violations.push({ state, ...v });
    summary.a11y.rules_passed += passed;
    await shot(page, file);
  };
  if (width === 375) return check(375, `${name}-375`);
  await check(width, name);
  if (!narrow) return;
  await page.setViewport({ width: 375, height });
  try {
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await check(375, `${name}-375`);
  } finally {
    await page.setViewport({ width, height });
  }
}

/** flowingBetween fails unless the viewer decodes new frames within a second. */
async function flowingBetween(viewer, what) {
  const a = await videoStats(viewer);
  await new Promise((r) => setTimeout(r, 1000));
  const b = await videoStats(viewer);
  if (!(b.frames > a.frames)) throw new Error(`${what}: the video stopped (${JSON.stringify({ a, b })})`);
}

/** a11yReport lists the violations found, one line per rule and state. */
function a11yReport() {
  const { states, violations } = summary.a11y;
  return `axe-core: ${violations.length} violations in ${new Set(violations.map((v) => v.state)).size} of ${states.length} page states:\n` +
    violations.map((v) => `- ${v.state}: ${v.id} (${v.impact}) ${v.help}: ${v.nodes.map((n) => `${n.target} ${n.html} [${n.why}]`).join("; ")}`).join("\n");
}

/**
 * appBytes sums the app's own files the page fetched (the document and
 * /assets/), without those named in `skip`: bytes as served (the body as
 * sent, compressed) and as held (decoded).
 */
async function appBytes(page, skip = new Set()) {
  const entries = await page.evaluate(() => [...performance.getEntriesByType("navigation"), ...performance.getEntriesByType("resource")]
    .map((r) => ({ name: new URL(r.name).pathname, encoded: r.encodedBodySize, decoded: r.decodedBodySize })));
  const own = entries.filter((r) => (r.name === "/" || r.name.startsWith("/assets/")) && !skip.has(r.name));
  return { names: own.map((r) => r.name), encoded: own.reduce((n, r) => n + r.encoded, 0), decoded: own.reduce((n, r) => n + r.decoded, 0) };
}

async function setValue(page, selector, value) {
  await page.$eval(selector, (el, v) => {
    el.value = v;
    el.dispatchEvent(new Event("input", { bubbles: true }));
    el.dispatchEvent(new Event("change", { bubbles: true }));
  }, value);
}

async function connectKeplr(page) {
  await click(page, '[data-action="connect"]');
  await click(page, '[data-wallet="keplr"]');
  await page.waitForSelector("[data-wallet-address]", { timeout: 30_000 });
}

async function saveProfile(page, name, surname, imgLink = "", state = "") {
  await go(page, "#/account");
  await page.waitForSelector('form input[name="name"]');
  await waitText(page, "#profile-h", /^Create your profile$/);
  if (state) await pageState(page, state);
  await page.type('input[name="name"]', name);
  await page.type('input[name="surname"]', surname);
  if (imgLink) await page.type('input[name="img_link"]', imgLink);
  await page.select('select[name="time_zone"]', "Europe/Paris");
  await click(page, "form.card button[type=submit]");
  await waitText(page, "form.card .status", /Profile saved|refused|went wrong|cannot|need|enough|No answer/, 60_000);
  const t = await page.$eval("form.card .status", (el) => el.textContent);
  if (!/Profile saved/.test(t)) throw new Error(`profile not saved: ${t}`);
  // The heading follows the chain: a profile exists now.
  await waitText(page, "#profile-h", /^Your profile$/);
}

// Picker values for a time `ms` from now in zone tz (the app takes and
// shows times in the profile's zone), and that minute as an instant.
function pickers(ms, tz = "Europe/Paris") {
  const t = new Date(Math.floor((Date.now() + ms) / 60_000) * 60_000);
  const p = Object.fromEntries(new Intl.DateTimeFormat("en-CA", { timeZone: tz, hourCycle: "h23", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit" })
    .formatToParts(t).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}`, at: t };
}

// What has the focus: a data-action or data-wallet-address, else its tag.
const focused = (page) => page.evaluate(() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "body";
  return el.dataset.action ?? (el.hasAttribute("data-wallet-address") ? "wallet-address" : el.tagName.toLowerCase());
});

async function expectFocus(page, want, what) {
  let got;
  for (let i = 0; i < 20; i++) {
    got = await focused(page);
    if (got === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${what}: the focus is on ${got}, not ${want}`);
}

async function statusOf(page, selector) {
  return page.$eval(selector, (el) => el.textContent).catch(() => "");
}

// Submits the stream form and waits for its status line to say `re`.
async function submitExpect(page, form, re) {
  await click(page, `${form} button[type=submit]`);
  await waitText(page, `${form} > .status`, re, 15_000);
}

// Records the files the page offers as downloads (the .ics of "Add to calendar").
function recordDownloads() {
  window.__downloads = [];
  const create = URL.createObjectURL.bind(URL);
  URL.createObjectURL = (blob) => {
    const url = create(blob);
    blob.text().then((text) => window.__downloads.push({ type: blob.type, text }));
    return url;
  };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// A hand-written loopback pair in one page: fake camera -> pc1 -> pc2 -> the
// first decoded frame, no signaling server and no app (the baseline of Watch).
function loopbackFirstFrame() {
  return (async () => {
    const media = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
    const t0 = performance.now();
    const a = new RTCPeerConnection(), b = new RTCPeerConnection();
    a.onicecandidate = (e) => e.candidate && b.addIceCandidate(e.candidate);
    b.onicecandidate = (e) => e.candidate && a.addIceCandidate(e.candidate);
    for (const t of media.getTracks()) a.addTrack(t, media);
    await a.setLocalDescription(await a.createOffer());
    await b.setRemoteDescription(a.localDescription);
    await b.setLocalDescription(await b.createAnswer());
    await a.setRemoteDescription(b.localDescription);
    for (;;) {
      let frames = 0;
      (await b.getStats()).forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "video") frames = r.framesDecoded ?? 0; });
      if (frames > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - t0;
    a.close(); b.close(); media.getTracks().forEach((t) => t.stop());
    return ms;
  })();
}

async function bench(browser, viewer) {
  const watch = [], loopback = [], load = [], rest = [];
  for (let i = 0; i < BENCH_RUNS; i++) {
    await click(viewer, '[data-action="watch"]'); // Leave
    await waitText(viewer, '[data-action="watch"]', /^Watch$/);
    const t = Date.now();
    await click(viewer, '[data-action="watch"]');
    for (;;) {
      if ((await videoStats(viewer)).frames > 0) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    watch.push(Date.now() - t);
    loopback.push(await viewer.evaluate(loopbackFirstFrame));
  }
  const ctx = await browser.createBrowserContext();
  for (let i = 0; i < BENCH_RUNS; i++) {
    const p = await ctx.newPage();
    const t = Date.now();
    await p.goto(APP_URL, { waitUntil: "domcontentloaded" });
    await waitText(p, ".schedule .stream-item", /./);
    load.push(Date.now() - t);
    // Baseline: the one REST query behind the list, from the same page.
    rest.push(await p.evaluate(async () => {
      const info = await (await fetch("/chain-info.json")).json();
      const t0 = performance.now();
      await (await fetch(info.rest + "/streamchain/streaming/v1/streams?pagination.limit=10")).json();
      return performance.now() - t0;
    }));
    await p.close();
  }
  await ctx.close();
  summary.figures.bench_runs = BENCH_RUNS;
  summary.figures.watch_to_first_frame_median_ms = median(watch);
  summary.figures.loopback_pair_first_frame_median_ms = Math.round(median(loopback));
  summary.figures.load_to_schedule_median_ms = median(load);
  summary.figures.rest_streams_query_median_ms = Math.round(median(rest));
  summary.bench = { ...summary.bench, watch, loopback: loopback.map(Math.round), load, rest: rest.map(Math.round) };
  process.stderr.write(`bench: watch ${JSON.stringify(watch)} loopback ${JSON.stringify(loopback.map(Math.round))} load ${JSON.stringify(load)} rest ${JSON.stringify(rest.map(Math.round))}\n`);
}

/** balanceOf: an account's ustream, read over the chain's REST API as any client would. */
async function balanceOf(page, address) {
  return BigInt(await page.evaluate(async (a) => {
    const info = await (await fetch("/chain-info.json")).json();
    const r = await (await fetch(`${info.rest}/cosmos/bank/v1beta1/balances/${a}/by_denom?denom=ustream`)).json();
    return r.balance.amount;
  }, address));
}

/** dayIn: a day as the app writes it ("Tue, 1 Dec 2026"), `days` from now, in the profile's zone. */
const dayIn = (days) => new Intl.DateTimeFormat("en-GB", { timeZone: "Europe/Paris", weekday: "short", day: "numeric", month: "short", year: "numeric" })
  .format(new Date(Date.now() + days * 86_400_000));

const walletAddress = (page) => page.$eval("[data-wallet-address]", (el) => el.dataset.walletAddress);

/** chatText: the texts of the chat lines a page shows, in order. */
const chatTexts = (page) => page.$$eval("[data-chat-log] .chat-line .chat-text", (els) => els.map((el) => el.textContent));

/** chatIdOf: the id of the line whose text is `text`, on `page`. */
async function chatIdOf(page, text) {
  await page.waitForFunction((t) => [...document.querySelectorAll("[data-chat-log] .chat-line")].some((el) => el.querySelector(".chat-text").textContent === t), { timeout: 15_000, polling: 50 }, text);
  return page.$$eval("[data-chat-log] .chat-line", (els, t) => els.find((el) => el.querySelector(".chat-text").textContent === t).dataset.chatId, text);
}

/**
 * recordChatShown notes, in the page, when each chat line is first drawn
 * (Date.now(), the one clock all pages of the browser share): by its text.
 */
function recordChatShown() {
  window.__chatShown = {};
  const log = document.querySelector("[data-chat-log]");
  new MutationObserver((records) => {
    const now = Date.now();
    for (const r of records) for (const n of r.addedNodes) {
      const t = n.querySelector?.(".chat-text")?.textContent;
      if (t && !(t in window.__chatShown)) window.__chatShown[t] = now;
    }
  }).observe(log, { childList: true });
}

const percentile = (xs, p) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.ceil((p / 100) * xs.length) - 1)];

/**
 * chatJourney: bob (viewer) and alice (broadcaster) chat both ways; what is
 * written is shown as text; a line over 500 bytes is held back with a
 * sentence; alice deletes bob's line (it leaves bob's page) and mutes bob
 * (his input is disabled with the sentence); Remove asks first. Then
 * CHAT_RUNS lines of alice's are timed to bob's page, beside each one's
 * round trip to alice's own page.
 */
async function chatJourney(alice, bob) {
  for (const p of [alice, bob]) await p.waitForSelector("[data-chat-input]:not([disabled])", { visible: true });
  const log = await bob.$eval("[data-chat-log]", (el) => ({ role: el.getAttribute("role"), live: el.getAttribute("aria-live"), label: document.getElementById(el.getAttribute("aria-labelledby"))?.textContent }));
  if (log.role !== "log" || log.live !== "polite" || log.label !== "Chat") throw new Error(`the chat log is not a labelled ARIA log: ${JSON.stringify(log)}`);
  const inputLabel = await bob.$eval("[data-chat-input]", (el) => el.labels?.[0]?.textContent);
  if (inputLabel !== "Message") throw new Error(`the chat input is labelled ${inputLabel}`);

  // bob -> alice, with markup that must stay text; the counter counts UTF-8 bytes.
  const hello = "hello <b>alice</b> & <img src=x onerror=alert(1)> 👋";
  await bob.type("[data-chat-input]", hello);
  await waitText(bob, "[data-chat-counter]", new RegExp(`^${Buffer.byteLength(hello)} / 500$`));
  await bob.keyboard.press("Enter");
  const helloId = await chatIdOf(alice, hello);
  await chatIdOf(bob, hello);
  const injected = await alice.$$eval("[data-chat-log] b, [data-chat-log] img", (els) => els.length);
  if (injected) throw new Error("a chat line was rendered as HTML");
  await waitText(alice, `[data-chat-id="${helloId}"] .chat-name`, /^Bob$/);
  // alice -> bob.
  await alice.type("[data-chat-input]", "hi bob, welcome");
  await alice.keyboard.press("Enter");
  await chatIdOf(bob, "hi bob, welcome");
  await waitText(bob, "[data-chat-log] .chat-line:last-child .chat-name", /^Alice$/);
  const order = await bob.evaluate(() => [...document.querySelectorAll("[data-chat-log] .chat-line")].map((el) => el.dataset.chatId));
  if (order.join() !== [...order].sort().join() || new Set(order).size !== order.length) throw new Error(`chat lines out of order or repeated: ${order}`);
  // Over the cap: held back with a sentence, not sent.
  const sentBefore = (await bob.evaluate(() => window.__sent)).filter((t) => t === "chat").length;
  await setValue(bob, "[data-chat-input]", "x".repeat(501));
  await waitText(bob, "[data-chat-counter].over", /^501 \/ 500$/);
  await click(bob, '[data-action="chat-send"]');
  await waitText(bob, "[data-chat-status]", /^The message is too long: 501 of at most 500 bytes\. Shorten it by 1\.$/);
  if ((await bob.evaluate(() => window.__sent)).filter((t) => t === "chat").length !== sentBefore) throw new Error("a line over 500 bytes was sent");
  await setValue(bob, "[data-chat-input]", "");
  await bob.type("[data-chat-input]", "second line from bob");
  await bob.keyboard.press("Enter");
  const secondId = await chatIdOf(alice, "second line from bob");

  // bob tips, naming the stream: more than he holds is refused by the chain
  // with its sentence; then a tip with a memo is a highlighted line in the
  // chat of both pages, the memo shown as text.
  await click(bob, '[data-action="tip"]');
  await waitText(bob, "[data-tip-card] h2", /^Tip Alice Liddell for “Morning show, edited”$/);
  await setValue(bob, 'input[name="tip_amount"]', "1000000");
  await click(bob, '[data-action="send-tip"]');
  await waitText(bob, "[data-tip-card] > .status", /^Your account does not hold enough STREAM for this payment/, 60_000);
  const memo = "great show <b>!</b>";
  await setValue(bob, 'input[name="tip_amount"]', "1.5");
  await setValue(bob, 'input[name="tip_memo"]', memo);
  await waitText(bob, '[data-counter="tip_memo"]', new RegExp(`^${memo.length} / 140$`));
  await click(bob, '[data-action="send-tip"]');
  await waitText(bob, "[data-tip-card] > .status", /^Tip sent: 1\.5 STREAM to Alice Liddell\./, 60_000);
  for (const p of [alice, bob]) {
    await waitText(p, "[data-chat-log] .chat-line.chat-tip", /^Bob \d\d:\d\d tipped 1\.500000 STREAM great show <b>!<\/b>/, 15_000);
    const tipLine = await p.$eval("[data-chat-log] .chat-line.chat-tip", (el) => ({ bg: getComputedStyle(el).backgroundColor, html: el.querySelectorAll("b").length, text: el.querySelector(".chat-text").textContent }));
    if (tipLine.bg === "rgba(0, 0, 0, 0)" || tipLine.html || tipLine.text !== memo) throw new Error(`the tip line is not a highlighted line of text: ${JSON.stringify(tipLine)}`);
  }
  step("tip shown in chat on both pages", { memo });
  await pageState(bob, "stream-chat-viewer");
  await pageState(alice, "stream-chat-broadcaster");
  step("chat both ways", { lines: await chatTexts(bob) });

  // alice deletes bob's first line: it leaves both pages.
  await click(alice, `[data-chat-id="${helloId}"] [data-action="chat-delete"]`);
  for (const p of [bob, alice]) await p.waitForFunction((id) => !document.querySelector(`[data-chat-id="${id}"]`), { timeout: 10_000 }, helloId);
  // Remove asks first (not confirmed here: bob keeps watching).
  await click(alice, `[data-chat-id="${secondId}"] [data-action="chat-remove"]`);
  await waitText(alice, `[data-chat-id="${secondId}"] [data-action="chat-remove-confirm"]`, /^Yes, remove$/);
  await waitText(alice, "[data-chat-status]", /^Remove Bob\? They lose the video and the chat/);
  await pageState(alice, "stream-chat-confirm-remove", { narrow: false });
  // Mute: bob reads on, his input is disabled with the sentence; alice sees the notice.
  await click(alice, `[data-chat-id="${secondId}"] [data-action="chat-mute"]`);
  await waitText(alice, "[data-chat-notice]", /^Bob was muted\.$/);
  await waitText(bob, "[data-chat-status]", /^The broadcaster muted you in this chat/);
  if (!(await bob.$eval("[data-chat-input]", (el) => el.disabled))) throw new Error("a muted viewer's input is enabled");
  await alice.type("[data-chat-input]", "bob is muted now");
  await alice.keyboard.press("Enter");
  await chatIdOf(bob, "bob is muted now");
  await flowingBetween(bob, "after the chat moderation");
  await pageState(bob, "stream-chat-muted");
  step("chat moderation: delete, mute", { bob: await chatTexts(bob) });

  // Figures: alice's line -> drawn on bob's page, beside its round trip to alice's own page.
  const runs = Number(process.env.CHAT_RUNS ?? 20);
  await bob.evaluate(recordChatShown);
  await alice.evaluate(recordChatShown);
  const shownAtBob = [], roundTrip = [];
  for (let i = 0; i < runs; i++) {
    const text = `timed line ${i} ${Math.random().toString(36).slice(2, 8)}`;
    const t0 = await alice.evaluate((t) => {
      const input = document.querySelector("[data-chat-input]");
      input.value = t;
      const at = Date.now();
      input.form.requestSubmit();
      return at;
    }, text);
    await bob.waitForFunction((t) => t in window.__chatShown, { timeout: 10_000, polling: 10 }, text);
    await alice.waitForFunction((t) => t in window.__chatShown, { timeout: 10_000, polling: 10 }, text);
    shownAtBob.push((await bob.evaluate((t) => window.__chatShown[t], text)) - t0);
    roundTrip.push((await alice.evaluate((t) => window.__chatShown[t], text)) - t0);
    // One line a second per account (PROTOCOL.md §4.3).
    await new Promise((r) => setTimeout(r, 1050));
  }
  summary.figures.chat_runs = runs;
  summary.figures.chat_to_other_page_p50_ms = percentile(shownAtBob, 50);
  summary.figures.chat_to_other_page_p95_ms = percentile(shownAtBob, 95);
  summary.figures.chat_round_trip_p50_ms = percentile(roundTrip, 50);
  summary.figures.chat_round_trip_p95_ms = percentile(roundTrip, 95);
  summary.bench = { ...summary.bench, chat_to_other_page: shownAtBob, chat_round_trip: roundTrip };
  process.stderr.write(`bench: chat to bob's page ${JSON.stringify(shownAtBob)} round trip to alice's ${JSON.stringify(roundTrip)}\n`);
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const browser = await launch(CHROMIUM);
  const pages = [];
  try {
    const newPage = async (ctx, width = 1280) => {
      const p = await ctx.newPage();
      await p.setViewport({ width, height: 900 });
      await p.evaluateOnNewDocument(recordPeerConnections);
      await p.evaluateOnNewDocument(recordDownloads);
      await p.evaluateOnNewDocument(recordSignalingSends);
      // Room for every fetch of a long page (appBytes reads them all).
      await p.evaluateOnNewDocument(() => performance.setResourceTimingBufferSize(100_000));
      p.on("pageerror", (e) => process.stderr.write(`page error: ${e.message}\n`));
      p.on("console", (m) => process.stderr.write(`console ${m.type()}: ${m.text()}\n`));
      pages.push(p);
      return p;
    };
    const ctxA = await browser.createBrowserContext();
    const ctxB = await browser.createBrowserContext();
    const ctxC = await browser.createBrowserContext();
    const alice = await newPage(ctxA);
    const keplr = await installKeplr(alice, { mnemonic: ALICE_MNEMONIC, name: "alice (Keplr)" });
    // Leaving alice's page while she broadcasts asks first: the test answers "stay".
    const dialogs = [];
    alice.on("dialog", async (d) => { dialogs.push({ type: d.type(), message: d.message() }); await d.dismiss(); });
    // bob allows notifications; the test records what the page shows.
    await ctxB.overridePermissions(new URL(APP_URL).origin, ["notifications"]);
    const bob = await newPage(ctxB);
    await bob.evaluateOnNewDocument(() => {
      const Native = window.Notification;
      window.__notifications = [];
      window.Notification = class extends Native {
        constructor(title, opts) {
          super(title, opts);
          window.__notifications.push({ title, body: opts?.body });
        }
      };
      window.Notification.requestPermission = Native.requestPermission.bind(Native);
      Object.defineProperty(window.Notification, "permission", { get: () => Native.permission });
    });
    // carol: a phone-sized browser in UTC (Chromium's zone list has no "UTC").
    const carol = await newPage(ctxC, 375);
    await carol.emulateTimezone("UTC");

    // Page load -> the schedule shown (figure only; no timing is asserted).
    const t0 = Date.now();
    await carol.goto(APP_URL, { waitUntil: "domcontentloaded" });
    await waitText(carol, ".schedule .streams", /./);
    summary.figures.load_to_schedule_ms = Date.now() - t0;
    await pageState(carol, "home");
    // The audit can fail: a picture without a text alternative is found.
    await carol.evaluate(() => document.querySelector("main").append(Object.assign(document.createElement("img"), { id: "axe-probe", src: "data:," })));
    const probe = await axeAudit(carol);
    await carol.evaluate(() => document.getElementById("axe-probe").remove());
    if (!probe.violations.some((v) => v.id === "image-alt" && v.nodes.some((n) => n.target === "#axe-probe"))) throw new Error(`axe-core did not find the probe: ${JSON.stringify(probe)}`);
    // The bundle went out precompressed (brotli): fewer bytes than it holds.
    const served = await carol.evaluate(() => performance.getEntriesByType("resource").filter((r) => /\/assets\/.*\.js$/.test(r.name))
      .map((r) => ({ name: r.name, encoded: r.encodedBodySize, decoded: r.decodedBodySize })));
    if (!served.length || served.some((r) => !(r.encoded > 0 && r.encoded < r.decoded / 2))) throw new Error(`scripts not served compressed: ${JSON.stringify(served)}`);
    summary.figures.first_load_script_bytes_encoded = served.reduce((n, r) => n + r.encoded, 0);
    summary.figures.first_load_script_bytes_decoded = served.reduce((n, r) => n + r.decoded, 0);
    // Everything of the app the first load fetched (index.html, scripts, CSS), as served and as held.
    const firstLoad = await appBytes(carol);
    summary.figures.first_load_app_bytes_encoded = firstLoad.encoded;
    summary.figures.first_load_app_bytes_decoded = firstLoad.decoded;
    step("served compressed", { served });

    // The chain's node does not answer the list: an error and a retry, not "Loading streams…" for ever.
    {
      const down = await newPage(ctxC, 375);
      await down.setRequestInterception(true);
      down.on("request", (r) => (r.url().includes("/streamchain/streaming/v1/streams") ? r.abort("connectionrefused") : r.continue()));
      await down.goto(APP_URL);
      await waitText(down, ".schedule > .status", /could not be loaded/);
      await down.waitForSelector('.schedule [data-action="retry"]', { visible: true });
      if (!(await down.$eval('.schedule [data-action="more"]', (el) => el.hidden))) throw new Error("Load more is offered for a list that failed");
      await pageState(down, "schedule-failed");
      await down.close();
      pages.splice(pages.indexOf(down), 1);
      step("failed load shows an error");
    }
    await Promise.all([alice.goto(APP_URL), bob.goto(APP_URL)]);
    await waitText(alice, ".schedule .streams", /./);
    await pageState(alice, "home-signed-out");

    // 1. alice: profile signed in amino-JSON (a Ledger key), stream in direct mode.
    // Her picture link is https but does not load: the app falls back to initials.
    keplr.ledger = true;
    await connectKeplr(alice);
    await expectFocus(alice, "wallet-address", "after sign-in");
    await saveProfile(alice, "Alice", "Liddell", "https://127.0.0.1:9/alice.png", "profile-form");
    if (!keplr.signedBytes.some((s) => s.mode === "amino-json")) throw new Error("the profile tx was not signed in amino-JSON mode");
    // Her subscription terms, within the bounds the params query gives (shown
    // beside the fields; out of them is refused before the wallet is asked).
    await waitText(alice, "[data-period-bounds]", /^Between 1 hour and 366 days\.$/);
    await waitText(alice, "[data-price-bounds]", /at most 1,000,000 STREAM\.$/);
    await setValue(alice, "#terms-price", "5");
    await setValue(alice, "#terms-period", "400");
    await alice.select('select[name="period_unit"]', "days");
    const signedBeforeTerms = keplr.signedBytes.length;
    await click(alice, '[data-action="save-terms"]');
    await waitText(alice, "[data-terms-form] > .status", /^The period must be between 1 hour and 366 days\./);
    if (keplr.signedBytes.length !== signedBeforeTerms) throw new Error("the wallet was asked to sign terms the chain would refuse");
    await setValue(alice, "#terms-period", "30");
    await click(alice, '[data-action="save-terms"]');
    await waitText(alice, "[data-terms-form] > .status", /^Saved: subscribing to you costs 5 STREAM \/ 30 days\.$/, 60_000);
    await waitText(alice, "[data-current-terms]", /^Now: 5 STREAM \/ 30 days$/);
    step("alice set terms (amino-json)");
    // What the first transaction fetched on top of the first load (CosmJS, the codecs).
    const firstTx = await appBytes(alice, new Set((await appBytes(carol)).names));
    summary.figures.first_tx_app_bytes_encoded = firstTx.encoded;
    summary.figures.first_tx_app_bytes_decoded = firstTx.decoded;
    step("alice profile (amino-json)", { calls: [...new Set(keplr.calls)], first_tx: firstTx.names });
    await pageState(alice, "account");
    await click(alice, '[data-action="disconnect"]');
    keplr.ledger = false;
    await connectKeplr(alice);
    await go(alice, "#/new");
    await alice.waitForSelector('input[name="title"]');
    await waitText(alice, "[data-zone]", /your profile's time zone \(Europe\/Paris\)/);
    const start = pickers(3 * 60_000), end = pickers(63 * 60_000);
    const signedBefore = keplr.signedBytes.length;
    // What the chain would refuse is refused before the wallet is asked, with a sentence.
    const form = "form.stream-form";
    await alice.type('input[name="title"]', "   ");
    await setValue(alice, 'input[name="date"]', start.date);
    await setValue(alice, 'input[name="start"]', start.time);
    await setValue(alice, 'input[name="end_date"]', end.date);
    await setValue(alice, 'input[name="end"]', end.time);
    await submitExpect(alice, form, /^The title is empty\. Fill it in\.$/);
    await setValue(alice, 'input[name="title"]', "x".repeat(5000));
    await waitText(alice, '[data-counter="title"]', /^5000 \/ 140$/);
    await submitExpect(alice, form, /^The title is too long: 5000 of at most 140 bytes\. Shorten it by 4860\.$/);
    if ((await alice.$eval('input[name="title"]', (el) => el.value.length)) !== 5000) throw new Error("the long title was cut silently");
    await setValue(alice, 'input[name="title"]', "Morning show");
    await setValue(alice, 'input[name="img_link"]', "http://example.org/thumb.png");
    await submitExpect(alice, form, /must start with https:\/\/ or ipfs:\/\/ \(not http:\)/);
    await setValue(alice, 'input[name="img_link"]', "https://127.0.0.1:9/thumb.png");
    const early = pickers(2 * 60_000); // a minute before the start, on its own day
    await setValue(alice, 'input[name="end_date"]', early.date);
    await setValue(alice, 'input[name="end"]', early.time);
    await submitExpect(alice, form, /^The end must be after the start\./);
    await pageState(alice, "create-refused");
    if (keplr.signedBytes.length !== signedBefore) throw new Error("the wallet was asked to sign a stream the chain would refuse");
    await setValue(alice, 'input[name="end_date"]', end.date);
    await setValue(alice, 'input[name="end"]', end.time);
    await alice.type('textarea[name="description"]', "First line");
    await pageState(alice, "create");
    step("form refusals before the wallet");
    const directBefore = keplr.signedBytes.filter((s) => s.mode === "direct").length;
    await click(alice, `${form} button[type=submit]`);
    await alice.waitForFunction(() => /^#\/stream\/\d+/.test(location.hash), { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`stream not scheduled: ${await statusOf(alice, `${form} .status`)} (${e.message})`);
    });
    if (keplr.signedBytes.filter((s) => s.mode === "direct").length !== directBefore + 1) throw new Error("the new-stream tx was not signed in direct mode");
    const streamId = (await alice.evaluate(() => location.hash)).match(/\d+/)[0];
    // Typed in the profile's zone, shown in it: the same wall-clock time.
    // A stream that crosses midnight in that zone names the end's day too.
    const span = start.date === end.date ? `${start.time}–${end.time}` : `${start.time}–\\S.*\\d ${end.time}`;
    await waitText(alice, ".stream-page .when", new RegExp(`, ${span} \\(Europe/Paris\\)$`));
    await waitText(alice, "title", /^Morning show · streamchain$/);
    await waitText(alice, ".stream-page [data-terms]", /^Subscription: 5 STREAM \/ 30 days/);
    // The schedule shows the new stream at once, not at the next poll.
    await waitText(alice, `.schedule [data-stream-id="${streamId}"] .title`, /Morning show/, 8000);
    await pageState(alice, "stream-owner-upcoming");
    step("alice scheduled (direct)", { stream_id: streamId });

    // Edit the title and the description (with a newline and a tab), in place.
    await click(alice, '[data-action="edit"]');
    await alice.waitForSelector(".owner-tools form input[name=title]");
    await pageState(alice, "stream-edit-form");
    await setValue(alice, ".owner-tools form input[name=title]", "Morning show, edited");
    await setValue(alice, ".owner-tools form textarea[name=description]", "First line\nSecond line\twith a tab");
    await click(alice, ".owner-tools form button[type=submit]");
    await waitText(alice, ".stream-page h1", /Morning show, edited/, 60_000).catch(async (e) => {
      const st = await alice.$$eval(".owner-tools .status", (els) => els.map((el) => el.textContent)).catch(() => []);
      throw new Error(`edit not saved: ${JSON.stringify(st)}; ${e.message}`);
    });
    const description = await alice.$eval(".stream-page .description", (el) => el.textContent);
    if (description !== "First line\nSecond line\twith a tab") throw new Error(`description came back as ${JSON.stringify(description)}`);
    if ((await alice.evaluate(() => location.hash)) !== `#/stream/${streamId}`) throw new Error("the edit navigated away");
    step("alice edited", { description });

    // ...and it appears in bob's list; bob's sign-in survives a reload.
    await bob.reload();
    await connectDevnet(bob, "bob");
    await expectFocus(bob, "wallet-address", "after sign-in");
    await bob.reload();
    await bob.waitForSelector('[data-wallet-address]', { timeout: 30_000 });
    await waitText(bob, `.schedule [data-stream-id="${streamId}"] .title`, /Morning show, edited/);
    step("bob still signed in after a reload");
    // The filters and the title search (Upcoming asks REST for the status by name).
    await click(bob, '.schedule [data-filter="upcoming"]');
    await waitText(bob, `.schedule [data-stream-id="${streamId}"] .title`, /Morning show, edited/);
    await bob.type(".schedule input[type=search]", "zzz");
    await waitText(bob, ".schedule .streams", /No stream title matches/);
    await bob.$eval(".schedule input[type=search]", (el) => { el.value = ""; el.dispatchEvent(new Event("input")); });
    await click(bob, '.schedule [data-filter="all"]');
    step("filters");

    // 2. bob subscribes through the UI (after creating his profile); carol does not.
    await saveProfile(bob, "Bob", "Builder");
    await go(bob, `#/stream/${streamId}`);
    await waitText(bob, "[data-viewer-state]", /Only subscribers can watch/);
    await waitText(bob, "title", /^Morning show, edited · streamchain$/);
    // Subscribe leads (not the secondary button), and there is no black box before there is video.
    if (await bob.$eval('[data-action="subscribe"]', (el) => el.classList.contains("secondary"))) throw new Error("Subscribe is not the main button");
    if (!(await bob.$eval(".stage", (el) => el.hidden))) throw new Error("an empty player is shown");
    // Alice's picture does not load: her initials stand in; no picture is loaded from anything but https:.
    await waitText(bob, ".stream-page .byline .avatar", /^AL$/);
    const imgs = await bob.$$eval("img", (els) => els.map((el) => ({ src: el.getAttribute("src"), ref: el.getAttribute("referrerpolicy"), loading: el.getAttribute("loading") })));
    if (imgs.some((i) => !/^https:/.test(i.src) || i.ref !== "no-referrer" || i.loading !== "lazy")) throw new Error(`pictures: ${JSON.stringify(imgs)}`);
    // The price and period, before the wallet opens; unsubscribing is said to end access with no refund.
    await waitText(bob, '[data-action="subscribe"]', /^Subscribe for 5 STREAM \/ 30 days$/);
    await waitText(bob, "[data-terms]", /^Subscription: 5 STREAM \/ 30 days/);
    await waitText(bob, "[data-no-refund]", /ends your access at once; what you paid is not refunded/);
    await pageState(bob, "stream-not-subscribed");
    const aliceAddress = await walletAddress(alice), bobAddress = await walletAddress(bob);
    const paidBefore = { alice: await balanceOf(bob, aliceAddress), bob: await balanceOf(bob, bobAddress) };
    await click(bob, '[data-action="subscribe"]');
    await waitText(bob, '[data-action="subscribe"]', /Unsubscribe/, 60_000).catch(async (e) => {
      throw new Error(`subscribe failed: ${await statusOf(bob, ".stream-page > .status")}; ${e.message}`);
    });
    await expectFocus(bob, "watch", "after subscribing");
    // The price moved from bob to alice in the same tx (bob paid the fee too).
    const paidAfter = { alice: await balanceOf(bob, aliceAddress), bob: await balanceOf(bob, bobAddress) };
    const paid = { alice: paidAfter.alice - paidBefore.alice, bob: paidBefore.bob - paidAfter.bob };
    if (paid.alice !== 5_000_000n || !(paid.bob > 5_000_000n && paid.bob < 6_000_000n)) throw new Error(`balances moved by ${JSON.stringify(paid, (k, v) => String(v))}`);
    await waitText(bob, "[data-expiry]", new RegExp(`^Your subscription expires on ${dayIn(30)}\\.$`));
    // Renewing extends from the later of now and the expiry: 30 more days.
    await waitText(bob, '[data-action="renew"]', /^Renew for 5 STREAM \/ 30 days$/);
    await click(bob, '[data-action="renew"]');
    await waitText(bob, "[data-expiry]", new RegExp(`^Your subscription expires on ${dayIn(60)}\\.$`), 60_000).catch(async (e) => {
      throw new Error(`renew failed: ${await statusOf(bob, ".stream-page > .status")}; ${e.message}`);
    });
    step("bob paid and renewed", { paid: { alice: String(paid.alice), bob: String(paid.bob) } });
    // Subscribed, before alice goes live: not started yet, with a countdown.
    await waitText(bob, "[data-viewer-state]", /^Not started yet: the broadcaster is not on air\. Starts in \d+ min \d\d s\.$/);
    await pageState(bob, "stream-not-started");
    await click(bob, '.schedule [data-filter="subs"]');
    await waitText(bob, `.schedule [data-stream-id="${streamId}"] .title`, /Morning show, edited/);
    step("bob subscribed");

    // 3. alice goes live with the fake camera; bob watches.
    await click(alice, '[data-action="start"]');
    await waitText(alice, ".stream-page > .status", /on air|refused|went wrong/i);
    const aliceStatus = await statusOf(alice, ".stream-page > .status");
    if (!/on air/i.test(aliceStatus)) throw new Error(`alice not on air: ${aliceStatus}`);
    // Mute and camera off act on the tracks the viewers get, and undo.
    const senderTracks = () => alice.evaluate(() => window.__pcs.flatMap((pc) => pc.getSenders()).map((x) => x.track && `${x.track.kind}:${x.track.enabled}`));
    await click(alice, '[data-action="mute"]');
    await click(alice, '[data-action="camera"]');
    await waitText(alice, '[data-action="mute"][aria-pressed="true"]', /Unmute microphone/);
    await waitText(alice, '[data-action="camera"][aria-pressed="true"]', /Camera on/);
    await click(alice, '[data-action="mute"]');
    await click(alice, '[data-action="camera"]');
    await waitText(alice, '[data-action="mute"][aria-pressed="false"]', /Mute microphone/);
    step("alice on air");

    // 4. bob sees the go-live notice and the on-air badge in his list.
    await waitText(bob, '[data-notice="live"]', /Alice Liddell is live now: Morning show, edited/);
    await bob.waitForSelector(`.schedule [data-badge="${streamId}"].live`, { timeout: 30_000 });
    const shown = await bob.evaluate(() => window.__notifications);
    if (!shown.some((n) => /Alice Liddell is live now: Morning show, edited/.test(n.body))) throw new Error(`no system notification: ${JSON.stringify(shown)}`);
    await pageState(bob, "live-notice");
    step("bob notified");

    const clickAt = Date.now();
    await click(bob, '[data-action="watch"]');
    let first = null, s1 = null;
    for (let i = 0; i < 300 && !first; i++) {
      s1 = await videoStats(bob);
      if (s1.frames > 0) first = Date.now();
      else await new Promise((r) => setTimeout(r, 50));
    }
    if (!first) throw new Error(`no decoded frame at bob: ${JSON.stringify(s1)}`);
    summary.figures.watch_to_first_frame_ms = first - clickAt;
    await expectFocus(bob, "watch", "after Watch");
    await new Promise((r) => setTimeout(r, 1500));
    const s2 = await videoStats(bob);
    if (!(s2.frames > s1.frames && s2.bytes > s1.bytes)) throw new Error(`video does not flow: ${JSON.stringify({ s1, s2 })}`);
    await waitText(bob, "[data-uptime]", /^On air for \d+:\d\d$/);
    // While bob watches, alice's mute and camera-off switch off what he gets.
    await click(alice, '[data-action="mute"]');
    await click(alice, '[data-action="camera"]');
    const off = await senderTracks();
    await click(alice, '[data-action="mute"]');
    await click(alice, '[data-action="camera"]');
    const on = await senderTracks();
    if (!(off.includes("audio:false") && off.includes("video:false") && on.includes("audio:true") && on.includes("video:true"))) {
      throw new Error(`mute/camera off did not reach the peer connection: off ${off}, on ${on}`);
    }
    // Share screen swaps the camera for the screen (system audio mixed with
    // the microphone) on the viewer's connection, and back; bob keeps decoding.
    const videoLabel = () => alice.evaluate(() => window.__pcs.flatMap((pc) => pc.getSenders()).find((x) => x.track?.kind === "video")?.track.label);
    const cameraLabel = await videoLabel();
    await click(alice, '[data-action="share"]');
    await waitText(alice, '[data-action="share"][aria-pressed="true"]', /Stop sharing/);
    const screenLabel = await videoLabel();
    if (!/^screen/.test(screenLabel ?? "")) throw new Error(`sharing sends ${screenLabel}, not the screen (camera: ${cameraLabel})`);
    const s3 = await videoStats(bob);
    await new Promise((r) => setTimeout(r, 1000));
    const s4 = await videoStats(bob);
    if (!(s4.frames > s3.frames)) throw new Error(`bob decodes nothing while alice shares her screen: ${JSON.stringify({ s3, s4 })}`);
    await pageState(bob, "stream-watching-screen", { narrow: false });
    await click(alice, '[data-action="share"]');
    await waitText(alice, '[data-action="share"][aria-pressed="false"]', /Share screen/);
    if ((await videoLabel()) !== cameraLabel) throw new Error("the camera did not come back after sharing");
    step("bob watches", { s1, s2 });

    // signalingd mints TURN credentials (20 s here) and sends fresh ones every
    // half lifetime (ice_servers): both ends' peer connections take them.
    const turnUsers = (p) => p.evaluate(() => window.__pcs.filter((pc) => pc.connectionState !== "closed")
      .map((pc) => (pc.getConfiguration().iceServers ?? []).find((s) => s.username)?.username ?? ""));
    const minted = { alice: await turnUsers(alice), bob: await turnUsers(bob) };
    if (![...minted.alice, ...minted.bob].every((u) => /^\d+:/.test(u)) || !minted.alice.length || !minted.bob.length) throw new Error(`no minted TURN credentials: ${JSON.stringify(minted)}`);
    const renewed = async (p, was) => {
      for (let i = 0; i < 300; i++) {
        const now = await turnUsers(p);
        if (now.length && now.every((u) => !was.includes(u) && /^\d+:/.test(u))) return now;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`TURN credentials not renewed on the peer connections: still ${JSON.stringify(await turnUsers(p))}`);
    };
    const fresh = { alice: await renewed(alice, minted.alice), bob: await renewed(bob, minted.bob) };
    const expiry = (u) => Number(u.split(":")[0]);
    if (!(expiry(fresh.bob[0]) > expiry(minted.bob[0]))) throw new Error(`the renewed credentials do not expire later: ${JSON.stringify({ minted, fresh })}`);
    await flowingBetween(bob, "after the TURN renewal");
    step("TURN credentials renewed on the peer connections", { minted, fresh });
    await waitText(bob, "[data-viewer-count]", /^1 watching$/);
    await waitText(alice, "[data-viewer-count]", /^1 watching$/);
    await waitText(bob, `.schedule [data-viewers="${streamId}"]`, /1 watching/);
    await pageState(bob, "stream-watching");
    await pageState(alice, "stream-broadcasting");
    await chatJourney(alice, bob);

    // Nothing tears the broadcast down: an edit while live happens in place
    // and reaches bob within a block or two; leaving asks first.
    const flowing = async (what) => {
      await flowingBetween(bob, what);
      const st = await statusOf(bob, ".stream-page > .status");
      if (/stopped/.test(st)) throw new Error(`${what}: bob reads "${st}"`);
    };
    await click(alice, '[data-action="edit"]');
    await alice.waitForSelector(".owner-tools form input[name=title]");
    await setValue(alice, ".owner-tools form input[name=title]", "Morning show, live");
    await click(alice, ".owner-tools form button[type=submit]");
    await waitText(alice, ".stream-page h1", /^Morning show, live$/, 60_000);
    await waitText(bob, ".stream-page h1", /^Morning show, live$/, 15_000);
    await flowing("edit while live");
    if (!(await alice.$eval('[data-action="stop"]', (el) => !el.disabled))) throw new Error("the edit ended alice's broadcast");
    await go(alice, "#/");
    await new Promise((r) => setTimeout(r, 500));
    if (!dialogs.some((d) => d.type === "confirm" && /on air/.test(d.message))) throw new Error(`leaving in the app did not ask: ${JSON.stringify(dialogs)}`);
    if ((await alice.evaluate(() => location.hash)) !== `#/stream/${streamId}`) throw new Error("the app left the page although alice chose to stay");
    await alice.evaluate(() => { location.reload(); });
    await new Promise((r) => setTimeout(r, 1500));
    if (!dialogs.some((d) => d.type === "beforeunload")) throw new Error(`a reload did not ask: ${JSON.stringify(dialogs)}`);
    await flowing("leaving declined");
    step("the broadcast survives an edit and declined navigation", { dialogs: dialogs.map((d) => d.type) });

    // The player's controls stay in fullscreen; picture in picture.
    await click(bob, '[data-action="fullscreen"]');
    await bob.waitForFunction(() => document.fullscreenElement?.classList.contains("stage") && !!document.fullscreenElement.querySelector('[data-action="play"]'), { timeout: 5000 });
    await pageState(bob, "stream-fullscreen", { narrow: false });
    await click(bob, '[data-action="fullscreen"]');
    await bob.waitForFunction(() => !document.fullscreenElement, { timeout: 5000 });
    const pipEnabled = await bob.evaluate(() => document.pictureInPictureEnabled);
    if (pipEnabled) {
      await click(bob, '[data-action="pip"]');
      await bob.waitForFunction(() => document.pictureInPictureElement?.id === "player" || /Picture in picture is not available/.test(document.querySelector(".stream-page > .status")?.textContent ?? ""), { timeout: 5000 });
      await bob.evaluate(() => document.pictureInPictureElement && document.exitPictureInPicture());
    } else if (!(await bob.$eval('[data-action="pip"]', (el) => el.hidden))) throw new Error("a picture-in-picture button where the browser has none");
    step("fullscreen and picture in picture", { pipEnabled });

    // Share link and "add to calendar".
    const shareURL = await bob.$eval(".stream-page [data-share-url]", (el) => el.value);
    if (shareURL !== `${APP_URL}/#/stream/${streamId}`) throw new Error(`share link ${shareURL}`);
    await click(bob, '.stream-page .share-card [data-action="calendar"]');
    await bob.waitForFunction(() => window.__downloads.length > 0, { timeout: 10_000 });
    const ics = (await bob.evaluate(() => window.__downloads))[0];
    if (!(ics.type.startsWith("text/calendar") && ics.text.startsWith("BEGIN:VCALENDAR\r\n") && ics.text.includes(`UID:stream-${streamId}@`) && ics.text.includes("SUMMARY:Morning show\\, live"))) {
      throw new Error(`calendar file: ${JSON.stringify(ics).slice(0, 400)}`);
    }
    step("share and calendar");

    if (BENCH_RUNS > 0) await bench(browser, bob);

    // Carol, without a profile: the page says a profile is needed, the chain's
    // refusal reads as that sentence, and watching unsubscribed is refused with one.
    await click(carol, '[data-action="connect"]');
    await pageState(carol, "wallet-menu");
    await click(carol, '[data-wallet="devnet:carol"]');
    await carol.waitForSelector("[data-wallet-address]", { timeout: 30_000 });
    await expectFocus(carol, "wallet-address", "after sign-in");
    await go(carol, `#/stream/${streamId}`);
    await carol.waitForSelector("[data-needs-profile]", { visible: true });
    await waitText(carol, '[data-action="subscribe"]', /^Subscribe for 5 STREAM \/ 30 days$/);
    await click(carol, '[data-action="subscribe"]');
    await waitText(carol, ".stream-page > .status", /You need a profile first\. Open Account, save your profile, then try again\./, 60_000);
    await click(carol, '[data-action="watch"]');
    await waitText(carol, ".stream-page > .status", /Subscribe to this broadcaster to watch/);
    await pageState(carol, "stream-refused");
    step("carol refused with sentences");

    // The chain does not answer a tx: the wait says so, with a Cancel that works.
    const rpc = await carol.evaluate(async () => (await (await fetch("/chain-info.json")).json()).rpc);
    const held = [];
    await carol.setRequestInterception(true);
    const hold = (r) => (r.url().startsWith(rpc) ? held.push(r) : r.continue());
    carol.on("request", hold);
    await click(carol, '[data-action="subscribe"]');
    await waitText(carol, ".stream-page > .status", /^Subscribing for 5 STREAM \/ 30 days: waiting for your wallet and the next block…/);
    await pageState(carol, "tx-waiting");
    await click(carol, '.stream-page > .status [data-action="cancel-wait"]');
    await waitText(carol, ".stream-page > .status", /^Cancelled\./);
    await pageState(carol, "tx-cancelled");
    carol.off("request", hold);
    for (const r of held) await r.abort().catch(() => undefined);
    await carol.setRequestInterception(false);
    step("a hung tx can be cancelled", { held: held.length });

    // The broadcaster's page: profile, "1 subscriber", the stream live now.
    const aliceAddr = await alice.$eval("[data-wallet-address]", (el) => el.dataset.walletAddress);
    await go(carol, `#/u/${aliceAddr}`);
    await waitText(carol, ".broadcaster-page h1", /^Alice Liddell$/);
    await waitText(carol, "[data-subscriber-count]", /^1 subscriber · 1 stream/);
    await waitText(carol, ".broadcaster-page [data-terms]", /^Subscription: 5 STREAM \/ 30 days/);
    await waitText(carol, '.broadcaster-page [data-action="subscribe"]', /^Subscribe for 5 STREAM \/ 30 days$/);
    // On air before its scheduled start: listed under "Live now" all the same, with its badge.
    await waitText(carol, `[data-section="live"] [data-stream-id="${streamId}"]`, /Morning show, live/);
    await carol.waitForSelector(`[data-section="live"] [data-badge="${streamId}"].live`, { timeout: 10_000 });
    if (await carol.$(`[data-section="upcoming"] [data-stream-id="${streamId}"]`)) throw new Error("an on-air stream is listed as upcoming too");
    await waitText(carol, "title", /^Alice Liddell · streamchain$/);
    await pageState(carol, "broadcaster");
    await go(carol, "#/account");
    await carol.waitForSelector('select[name="time_zone"]');
    const zone = await carol.$eval('select[name="time_zone"]', (el) => el.value);
    if (zone !== "UTC") throw new Error(`a UTC browser is offered ${zone}`);
    await pageState(carol, "account-signed-in");
    await go(carol, "#/new");
    await waitText(carol, "main h1", /New stream/);
    await pageState(carol, "new");
    step("broadcaster page, zones", { zone });

    // dave subscribes, watches and chats; alice removes him (asked twice):
    // he loses the video and the chat, and Watch is refused with a sentence.
    {
      const ctxD = await browser.createBrowserContext();
      const dave = await newPage(ctxD);
      await dave.goto(APP_URL);
      await connectDevnet(dave, "dave");
      await saveProfile(dave, "Dave", "Removed");
      await go(dave, `#/stream/${streamId}`);
      const aliceAddress = await walletAddress(alice);
      const before = await balanceOf(dave, aliceAddress);
      await waitText(dave, '[data-action="subscribe"]', /^Subscribe for 5 STREAM \/ 30 days$/);
      await click(dave, '[data-action="subscribe"]');
      await waitText(dave, '[data-action="subscribe"]', /Unsubscribe/, 60_000);
      if ((await balanceOf(dave, aliceAddress)) - before !== 5_000_000n) throw new Error("dave's subscription did not pay alice the price");
      await waitText(dave, "[data-expiry]", new RegExp(`^Your subscription expires on ${dayIn(30)}\\.$`));
      // alice blocks dave from his chat line, with a reason, asked first: he
      // is cut off within a block, and Subscribe is refused with the sentence.
      await click(dave, '[data-action="watch"]');
      await dave.waitForFunction(() => document.querySelector("#player")?.srcObject, { timeout: 30_000 });
      await dave.waitForSelector("[data-chat-input]:not([disabled])", { visible: true });
      await dave.type("[data-chat-input]", "dave says hi");
      await dave.keyboard.press("Enter");
      const blockedId = await chatIdOf(alice, "dave says hi");
      await click(alice, `[data-chat-id="${blockedId}"] [data-action="chat-block"]`);
      await alice.type('[data-chat-block] input[name="block_reason"]', "spam in chat");
      await pageState(alice, "stream-chat-confirm-block", { narrow: false });
      await click(alice, '[data-chat-block] [data-action="confirm-block"]');
      await waitText(alice, "[data-chat-block] .status", /^Dave is blocked\./, 60_000);
      await waitText(dave, ".stream-page > .status", /^The broadcaster blocked your account, so the stream stopped/, 30_000);
      if (await dave.$("[data-chat]")) throw new Error("a blocked viewer still has the chat");
      if (await dave.$eval("#player", (el) => !!el.srcObject)) throw new Error("a blocked viewer still has the video");
      await waitText(dave, '[data-action="subscribe"]', /^Subscribe for 5 STREAM/);
      await click(dave, '[data-action="subscribe"]');
      await waitText(dave, ".stream-page > .status", /^This broadcaster has blocked your account: you cannot subscribe to or tip them\.$/, 60_000);
      await pageState(dave, "stream-blocked");
      step("block from chat: cut off, Subscribe refused");
      // alice's account page (a second tab): her subscribers with their
      // expiry and Block (asked first, not confirmed here), and the blocked
      // list, where she unblocks dave.
      const alice2 = await newPage(ctxA);
      // Her Ledger key here: the terms and the unblock are signed in amino-JSON.
      (await installKeplr(alice2, { mnemonic: ALICE_MNEMONIC, name: "alice (Keplr)" })).ledger = true;
      await alice2.goto(`${APP_URL}/#/account`);
      await waitText(alice2, '[data-table="blocked"] tbody', /Dave Removed.*spam in chat/);
      await waitText(alice2, '[data-table="subscribers"] tbody', new RegExp(`Bob Builder.*${dayIn(60)}`));
      await click(alice2, '[data-table="subscribers"] [data-action="block"]');
      await waitText(alice2, '[data-row-question="subscribers"] [data-block-form]', /^Block Bob Builder\?/);
      await pageState(alice2, "account-block-question");
      await click(alice2, '[data-row-question="subscribers"] [data-action="cancel-block"]');
      await click(alice2, '[data-table="blocked"] [data-action="unblock"]');
      await waitText(alice2, '[data-table="blocked"] .status', /^Dave Removed is unblocked/, 60_000);
      await waitText(alice2, '[data-table="blocked"] tbody', /None yet/);
      // She raises her price while dave's page still shows the old one: his
      // Subscribe carries the price he saw as its most, and the chain refuses
      // it with the sentence, charging nothing; the button then says the new price.
      await waitText(dave, '[data-action="subscribe"]', /^Subscribe for 5 STREAM \/ 30 days$/);
      await setValue(alice2, "#terms-price", "6");
      await click(alice2, '[data-action="save-terms"]');
      await waitText(alice2, "[data-terms-form] > .status", /^Saved: subscribing to you costs 6 STREAM \/ 30 days\.$/, 60_000);
      pages.splice(pages.indexOf(alice2), 1);
      await alice2.close();
      step("account: subscribers, block question, unblock, new price");
      const daveBalance = await balanceOf(dave, await walletAddress(dave));
      await click(dave, '[data-action="subscribe"]');
      await waitText(dave, ".stream-page > .status", /^The broadcaster has raised the subscription price since you confirmed it\. Nothing was charged/, 60_000);
      if ((await balanceOf(dave, await walletAddress(dave))) !== daveBalance) throw new Error("a refused subscription was charged");
      await waitText(dave, '[data-action="subscribe"]', /^Subscribe for 6 STREAM \/ 30 days$/);
      await pageState(dave, "stream-price-raised");
      // Unblocked, dave subscribes (and pays the new price), watches and chats.
      await click(dave, '[data-action="subscribe"]');
      await waitText(dave, '[data-action="subscribe"]', /Unsubscribe/, 60_000);
      await click(dave, '[data-action="watch"]');
      await dave.waitForFunction(() => document.querySelector("#player")?.srcObject, { timeout: 30_000 });
      await dave.waitForSelector("[data-chat-input]:not([disabled])", { visible: true });
      // The history on join: what was said before dave came, without the deleted line.
      await waitText(dave, "[data-chat-log]", /bob is muted now/);
      if ((await chatTexts(dave)).some((t) => t.startsWith("hello <b>alice"))) throw new Error("a deleted line is in the history");
      await dave.type("[data-chat-input]", "hi from dave");
      await dave.keyboard.press("Enter");
      const daveId = await chatIdOf(alice, "hi from dave");
      await click(alice, `[data-chat-id="${daveId}"] [data-action="chat-remove"]`);
      await click(alice, `[data-chat-id="${daveId}"] [data-action="chat-remove-confirm"]`);
      await waitText(alice, "[data-chat-notice]", /^Dave was removed\.$/);
      await waitText(dave, ".stream-page > .status", /^The broadcaster removed you from this stream: the video and the chat stopped/);
      if (await dave.$("[data-chat]")) throw new Error("a removed viewer still has the chat");
      if (await dave.$eval("#player", (el) => !!el.srcObject)) throw new Error("a removed viewer still has the video");
      await pageState(dave, "stream-removed");
      await click(dave, '[data-action="watch"]');
      await waitText(dave, ".stream-page > .status", /^The broadcaster removed you from this stream: you cannot watch it or chat until it ends\.$/);
      step("chat moderation: remove", { dave: daveId });
      pages.splice(pages.indexOf(dave), 1);
      await ctxD.close();
    }

    // Stop: once past its start the stream is Ended for bob, with the next
    // stream card, and the "live now" notice goes. Going live again is live again.
    await bob.waitForFunction((t) => Date.now() > t + 2000, { timeout: 240_000, polling: 500 }, start.at.getTime());
    await click(bob, '.schedule [data-filter="upcoming"]');
    await waitText(bob, `.schedule [data-stream-id="${streamId}"] .title`, /Morning show, live/);
    await go(carol, `#/stream/${streamId}`);
    await click(alice, '[data-action="stop"]');
    await waitText(bob, ".stream-page > .status", /The broadcaster stopped the stream\./);
    await waitText(bob, ".stream-page .meta .badge", /^Ended$/);
    await waitText(bob, "[data-viewer-state]", /^This stream has ended\.$/);
    await waitText(bob, "[data-ended-card]", /This stream has ended.*No next stream is scheduled yet/);
    await waitText(carol, ".stream-page .meta .badge", /^Ended$/);
    if (await bob.$(`[data-notice-key="live-${streamId}"]`)) throw new Error("the 'live now' notice stayed after the stream stopped");
    await pageState(bob, "stream-ended");
    await pageState(carol, "stream-ended-not-subscribed");
    await pageState(alice, "stream-owner-stopped");
    // The sign-in survives a reload: the wallet comes back without a prompt
    // (Keplr's enable() answers a site it approved) and signalingd takes the
    // stored resume token instead of a new signature.
    const signatures = () => keplr.calls.filter((c) => c === "signArbitrary").length;
    const signedBeforeReload = signatures();
    if (signedBeforeReload < 1) throw new Error("alice went on air without signing in with her wallet");
    await alice.reload();
    await alice.waitForSelector("[data-wallet-address]", { timeout: 30_000 });
    await waitText(alice, '[data-action="start"]', /^Start$/);
    await click(alice, '[data-action="start"]');
    await waitText(alice, ".stream-page > .status", /on air/i);
    const aliceSent = await alice.evaluate(() => window.__sent);
    if (signatures() !== signedBeforeReload || aliceSent.includes("auth") || aliceSent[0] !== "resume") {
      throw new Error(`after a reload alice signed in again (wallet signatures ${signedBeforeReload} -> ${signatures()}, sent ${JSON.stringify(aliceSent)})`);
    }
    await waitText(bob, ".stream-page .meta .badge", /^On air$/);
    await click(bob, '[data-action="watch"]');
    await bob.waitForFunction(() => document.querySelector("#player")?.srcObject, { timeout: 30_000 });
    step("stopped is Ended; on air again");

    // 5. bob unsubscribes through the UI (the account page, in a second tab,
    // signed in already) and is cut off by the server's re-check.
    const bob2 = await newPage(ctxB);
    await bob2.goto(APP_URL);
    await bob2.waitForSelector("[data-wallet-address]", { timeout: 30_000 });
    // ...and signed in to signalingd too: Watch there resumes with the token
    // the first tab stored, no new signature.
    await go(bob2, `#/stream/${streamId}`);
    await click(bob2, '[data-action="watch"]');
    await bob2.waitForFunction(() => document.querySelector("#player")?.srcObject, { timeout: 30_000 });
    const bob2Sent = await bob2.evaluate(() => window.__sent);
    if (bob2Sent.includes("auth") || bob2Sent[0] !== "resume") throw new Error(`the second tab signed in again: sent ${JSON.stringify(bob2Sent)}`);
    step("reload and second tab resume the sign-in", { alice: aliceSent.slice(0, 2), bob2: bob2Sent.slice(0, 2) });
    await go(bob2, "#/account");
    await waitText(bob2, '[data-table="subscriptions"] tbody', /Alice Liddell/);
    await waitText(bob2, '[data-count="subscriptions"]', /^1 subscription$/);
    await pageState(bob2, "account-subscriptions");
    await click(bob2, '[data-table="subscriptions"] tbody button');
    await waitText(bob2, '[data-table="subscriptions"] .status', /Unsubscribed/, 60_000);
    await waitText(bob2, '[data-count="subscriptions"]', /^0 subscriptions$/);
    await waitText(bob, ".stream-page > .status", /no longer subscribed/, 60_000);
    const after = await videoStats(bob);
    step("bob cut off", { after });

    // alice deletes the stream; it leaves the lists.
    await click(alice, '[data-action="delete"]');
    await click(alice, '[data-action="confirm-delete"]');
    await alice.waitForFunction(() => location.hash === "#/", { timeout: 60_000 });
    await bob2.reload();
    await bob2.waitForSelector(".schedule .streams li");
    await waitText(bob2, ".schedule .streams", /./);
    const still = await bob2.$(`.schedule [data-stream-id="${streamId}"]`);
    if (still) throw new Error("the deleted stream is still listed");
    await pageState(bob2, "home-after-delete");
    step("deleted");
    if (summary.a11y.violations.length) throw new Error(a11yReport());
    step("axe-core", { states: summary.a11y.states.length, rules_passed: summary.a11y.rules_passed });
    summary.ok = true;
  } catch (e) {
    // What each page showed when it failed.
    await reportFailure(pages, shot, "failure-");
    if (summary.a11y.violations.length && !/^axe-core:/.test(e.message)) process.stderr.write(`${a11yReport()}\n`);
    throw e;
  } finally {
    await browser.close();
  }
}

runScript(main, summary);
