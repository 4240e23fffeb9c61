// End-to-end test of the web app in real headless Chromium (Debian's
// /usr/bin/chromium, driven by puppeteer-core) against a real node and a real
// signalingd, started by browser_test.go, which passes:
//   APP_URL        the app as signalingd serves it
//   CHROMIUM       the browser binary
//   ARTIFACTS      where screenshots go
//   ALICE_MNEMONIC alice's key for the Keplr stand-in (bob and carol use the
//                  devnet wallet signalingd serves)
// It prints one JSON summary on stdout; the Go test checks it (and the chain).
import fs from "node:fs";
import path from "node:path";
import { click, connectDevnet, go, launch, recordPeerConnections, reportFailure, runScript, videoStats, waitText } from "./helpers.mjs";
import { installKeplr } from "./keplr-standin.mjs";

const { APP_URL, CHROMIUM, ARTIFACTS, ALICE_MNEMONIC } = process.env;
// BENCH_RUNS > 0 (make bench-web) also measures, each that many times, page
// load -> schedule shown and Watch -> first decoded frame, beside baselines
// measured in the same run. Nothing is asserted about them.
const BENCH_RUNS = Number(process.env.BENCH_RUNS ?? 0);
const summary = { ok: false, steps: [], screenshots: [], figures: {} };
const step = (name, detail = {}) => {
  summary.steps.push({ name, ...detail });
  process.stderr.write(`step: ${name} ${JSON.stringify(detail)}\n`);
};

async function shot(page, name) {
  const file = path.join(ARTIFACTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  summary.screenshots.push(file);
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

async function saveProfile(page, name, surname) {
  await go(page, "#/account");
  await page.waitForSelector('form input[name="name"]');
  await page.type('input[name="name"]', name);
  await page.type('input[name="surname"]', surname);
  await page.select('select[name="time_zone"]', "Europe/Paris");
  await click(page, "form.card button[type=submit]");
  await waitText(page, "form.card .status", /Profile saved|refused|went wrong|cannot|need|enough/, 60_000);
  const t = await page.$eval("form.card .status", (el) => el.textContent);
  if (!/Profile saved/.test(t)) throw new Error(`profile not saved: ${t}`);
}

// Local picker values for a time `ms` from now (the browser runs in TZ).
function pickers(ms) {
  const t = new Date(Date.now() + ms);
  const two = (n) => String(n).padStart(2, "0");
  return { date: `${t.getFullYear()}-${two(t.getMonth() + 1)}-${two(t.getDate())}`, time: `${two(t.getHours())}:${two(t.getMinutes())}` };
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
  process.stderr.write(`bench: watch ${JSON.stringify(watch)} loopback ${JSON.stringify(loopback.map(Math.round))} load ${JSON.stringify(load)} rest ${JSON.stringify(rest.map(Math.round))}\n`);
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
    const carol = await newPage(ctxC, 375);

    // Page load -> the schedule shown (figure only; no timing is asserted).
    const t0 = Date.now();
    await carol.goto(APP_URL, { waitUntil: "domcontentloaded" });
    await waitText(carol, ".schedule .streams", /./);
    summary.figures.load_to_schedule_ms = Date.now() - t0;
    await shot(carol, "home-375");
    await Promise.all([alice.goto(APP_URL), bob.goto(APP_URL)]);

    // 1. alice: profile signed in amino-JSON (a Ledger key), stream in direct mode.
    keplr.ledger = true;
    await connectKeplr(alice);
    await saveProfile(alice, "Alice", "Liddell");
    if (!keplr.signedBytes.some((s) => s.mode === "amino-json")) throw new Error("the profile tx was not signed in amino-JSON mode");
    step("alice profile (amino-json)", { calls: [...new Set(keplr.calls)] });
    await shot(alice, "account");
    await click(alice, "header .wallet button:last-child"); // Disconnect
    keplr.ledger = false;
    await connectKeplr(alice);
    await go(alice, "#/new");
    await alice.waitForSelector('input[name="title"]');
    const start = pickers(3 * 60_000), end = pickers(63 * 60_000);
    await alice.type('input[name="title"]', "Morning show");
    await alice.type('textarea[name="description"]', "First line");
    await setValue(alice, 'input[name="date"]', start.date);
    await setValue(alice, 'input[name="start"]', start.time);
    await setValue(alice, 'input[name="end"]', end.time);
    await shot(alice, "create");
    const directBefore = keplr.signedBytes.filter((s) => s.mode === "direct").length;
    await click(alice, "form.stream-form button[type=submit]");
    await alice.waitForFunction(() => /^#\/stream\/\d+/.test(location.hash), { timeout: 60_000 }).catch(async (e) => {
      throw new Error(`stream not scheduled: ${await alice.$eval("form.stream-form .status", (el) => el.textContent)} (${e.message})`);
    });
    if (keplr.signedBytes.filter((s) => s.mode === "direct").length !== directBefore + 1) throw new Error("the new-stream tx was not signed in direct mode");
    const streamId = (await alice.evaluate(() => location.hash)).match(/\d+/)[0];
    step("alice scheduled (direct)", { stream_id: streamId });

    // Edit the title and the description (with a newline and a tab).
    await click(alice, '[data-action="edit"]');
    await alice.waitForSelector(".owner-tools form input[name=title]");
    await setValue(alice, ".owner-tools form input[name=title]", "Morning show, edited");
    await setValue(alice, ".owner-tools form textarea[name=description]", "First line\nSecond line\twith a tab");
    await click(alice, ".owner-tools form button[type=submit]");
    await waitText(alice, ".stream-page h1", /Morning show, edited/, 60_000).catch(async (e) => {
      const st = await alice.$$eval(".owner-tools .status", (els) => els.map((el) => el.textContent)).catch(() => []);
      throw new Error(`edit not saved: ${JSON.stringify(st)}; ${e.message}`);
    });
    const description = await alice.$eval(".stream-page .description", (el) => el.textContent);
    if (description !== "First line\nSecond line\twith a tab") throw new Error(`description came back as ${JSON.stringify(description)}`);
    step("alice edited", { description });

    // ...and it appears in bob's list.
    await bob.reload();
    await connectDevnet(bob, "bob");
    await waitText(bob, `.schedule [data-stream-id="${streamId}"] .title`, /Morning show, edited/);
    step("in bob's list");
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
    await waitText(bob, "[data-viewer-state]", /Not subscribed/);
    await shot(bob, "stream-not-subscribed");
    await click(bob, '[data-action="subscribe"]');
    await waitText(bob, '[data-action="subscribe"]', /Unsubscribe/, 60_000).catch(async (e) => {
      throw new Error(`subscribe failed: ${await bob.$eval(".stream-page > .status", (el) => el.textContent)}; ${e.message}`);
    });
    // Subscribed, before alice goes live: not started yet, with a countdown.
    await waitText(bob, "[data-viewer-state]", /^Not started yet: the broadcaster is not on air\. Starts in \d+ min \d\d s\.$/);
    await shot(bob, "stream-not-started");
    await click(bob, '.schedule [data-filter="subs"]');
    await waitText(bob, `.schedule [data-stream-id="${streamId}"] .title`, /Morning show, edited/);
    step("bob subscribed");

    // 3. alice goes live with the fake camera; bob watches.
    await click(alice, '[data-action="start"]');
    await waitText(alice, ".stream-page > .status", /on air|refused|went wrong/i);
    const aliceStatus = await alice.$eval(".stream-page > .status", (el) => el.textContent);
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
    await new Promise((r) => setTimeout(r, 1500));
    const s2 = await videoStats(bob);
    if (!(s2.frames > s1.frames && s2.bytes > s1.bytes)) throw new Error(`video does not flow: ${JSON.stringify({ s1, s2 })}`);
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
    await shot(bob, "stream-watching-screen");
    await click(alice, '[data-action="share"]');
    await waitText(alice, '[data-action="share"][aria-pressed="false"]', /Share screen/);
    if ((await videoLabel()) !== cameraLabel) throw new Error("the camera did not come back after sharing");
    step("bob watches", { s1, s2 });
    await waitText(bob, "[data-viewer-count]", /^1 watching$/);
    await waitText(alice, "[data-viewer-count]", /^1 watching$/);
    await waitText(bob, `.schedule [data-viewers="${streamId}"]`, /1 watching/);
    await shot(bob, "stream-watching");
    await shot(alice, "stream-broadcasting");

    if (BENCH_RUNS > 0) await bench(browser, bob);

    // Carol, not subscribed, is refused with a sentence.
    await click(carol, '[data-action="connect"]');
    await shot(carol, "wallet-menu-375");
    await click(carol, '[data-wallet="devnet:carol"]');
    await carol.waitForSelector("[data-wallet-address]", { timeout: 30_000 });
    await go(carol, `#/stream/${streamId}`);
    await click(carol, '[data-action="watch"]');
    await waitText(carol, ".stream-page > .status", /Subscribe to this broadcaster to watch/);
    await shot(carol, "stream-refused-375");
    step("carol refused");

    // 5. bob unsubscribes through the UI (the account page, in another tab)
    // and is cut off by the server's re-check.
    const bob2 = await newPage(ctxB);
    await bob2.goto(APP_URL);
    await connectDevnet(bob2, "bob");
    await go(bob2, "#/account");
    await waitText(bob2, '[data-table="subscriptions"] tbody', /Alice Liddell/);
    await shot(bob2, "account-subscriptions");
    await click(bob2, '[data-table="subscriptions"] tbody button');
    await waitText(bob2, '[data-table="subscriptions"] .status', /Unsubscribed/, 60_000);
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
    await shot(bob2, "home-after-delete");
    step("deleted");
    summary.ok = true;
  } catch (e) {
    // What each page showed when it failed.
    await reportFailure(pages, shot, "failure-");
    throw e;
  } finally {
    await browser.close();
  }
}

runScript(main, summary);
