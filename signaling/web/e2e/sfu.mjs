// The media server tier in real headless Chromium (PROTOCOL.md §4.4): alice
// broadcasts, bob, carol and dave watch, in that order, from a signalingd
// whose direct capacity is 1 and which brokers one Janus (sfu_test.go
// starts everything). bob must watch peer to peer, carol and dave through
// Janus, and all three must decode frames (getStats); alice's stats line
// must count one upload to the media server for the two of them, sent as
// simulcast layers (simulcastLayers). Then dave
// unsubscribes on chain from his page, whose peer connections are kept
// open on purpose (close() does nothing there, as on a page that ignores
// `removed`): the server must cut him through Janus, so his video stops
// arriving, while bob and carol keep decoding. Last, Janus is killed
// (SIGKILL; the Go test starts it again at once): alice's page publishes
// again on sfu_publish and carol's answers the new offer from sfu, without
// a reload, and her video comes back; bob's never stops. Then alice goes
// live again as a "Large audience" (direct_capacity 0) and bob, peer to
// peer before, watches through Janus. Env:
//   APP_URL, STREAM_ID, CHROMIUM, ARTIFACTS
//   JANUS_PID      the Janus to kill
//   BENCH_RUNS     > 0: before the kill, carol also leaves and watches
//                  again that many times answering a=setup:passive (the
//                  app) and as many answering a=setup:active (what the
//                  browser does by itself), alternately; the times from the
//                  media server's offer to a connected peer connection and
//                  to the first decoded frame are reported, not asserted
// It prints one JSON summary on stdout; the Go test checks it.
import fs from "node:fs";
import path from "node:path";
import { click, connectDevnet, go, journal, launch, reportFailure, runScript, sleep, waitText, waitUntil } from "./helpers.mjs";

const { APP_URL, STREAM_ID, CHROMIUM, ARTIFACTS, JANUS_PID } = process.env;
const BENCH_RUNS = Number(process.env.BENCH_RUNS ?? 0);
const { summary, step, shot } = journal(ARTIFACTS);

// In the page before its scripts: every RTCPeerConnection with when it was
// made and when it connected, and every message from signalingd.
function record() {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      const rec = { pc: this, createdAt: performance.now(), connectedAt: 0 };
      window.__pcs.push(rec);
      this.addEventListener("connectionstatechange", () => {
        if (this.connectionState === "connected" && !rec.connectedAt) rec.connectedAt = performance.now();
      });
    }
    setLocalDescription(d) {
      // The comparison runs of BENCH_RUNS: undo the app's a=setup:passive.
      if (window.__setupActive && d?.type === "answer" && d.sdp) d = { type: d.type, sdp: d.sdp.replace(/a=setup:passive/g, "a=setup:active") };
      return d === undefined ? super.setLocalDescription() : super.setLocalDescription(d);
    }
  };
  window.__got = [];
  const NativeWS = window.WebSocket;
  window.WebSocket = class extends NativeWS {
    constructor(...args) {
      super(...args);
      this.addEventListener("message", (e) => {
        try {
          const m = JSON.parse(e.data);
          window.__got.push({ type: m.type, from: m.from, reason: m.reason, tier: m.tier, code: m.code, request: m.request, direct_capacity: m.direct_capacity, at: Math.round(performance.now()) });
        } catch { /* not JSON */ }
      });
    }
  };
}

/** video: per peer connection, its state and inbound video (frames decoded, bytes), closed or not. */
function video(page) {
  return page.evaluate(async () => Promise.all(window.__pcs.map(async ({ pc, createdAt, connectedAt }, i) => {
    let frames = 0, bytes = 0, out = 0;
    if (pc.signalingState !== "closed") {
      (await pc.getStats()).forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") { frames += r.framesDecoded ?? 0; bytes += r.bytesReceived ?? 0; }
        if (r.type === "outbound-rtp" && r.kind === "video") out += r.bytesSent ?? 0;
      });
    }
    return { i, state: pc.connectionState, frames, bytes, out, connectMs: connectedAt ? Math.round(connectedAt - createdAt) : 0 };
  })));
}

/** inboundWidth is the width of the video the page's latest open peer connection receives (0: none yet). */
function inboundWidth(page) {
  return page.evaluate(async () => {
    const open = window.__pcs.filter(({ pc }) => pc.signalingState !== "closed");
    let w = 0;
    if (open.length) (await open[open.length - 1].pc.getStats()).forEach((r) => { if (r.type === "inbound-rtp" && r.kind === "video") w = r.frameWidth ?? 0; });
    return w;
  });
}

const decoded = async (page) => (await video(page)).reduce((n, s) => n + s.frames, 0);

/** decoding fails unless the page decodes new frames within `ms` (a loaded machine: generous). */
async function decoding(page, who, ms = 5000) {
  const a = await decoded(page);
  await waitUntil(`new frames at ${who} (had ${a})`, async () => (await decoded(page)) > a, ms);
}

/**
 * simulcastLayers waits until alice's upload to the media server (the peer
 * connection with send-only transceivers) sends VP8 simulcast: its video
 * sender has the app's encodings h, m and l, all active, Janus's answer
 * accepts the three (a=simulcast), and getStats has outbound-rtp reports
 * with frames encoded for h and at least one lower layer, each narrower
 * than the one above. Chromium leaves out the layers it finds too small for
 * the capture (of the app's 640×480 camera it sends h and m, 320×240); the
 * ratios are not asserted either (it lowers resolutions when the CPU is
 * short). It returns the layers as seen and the rids sent.
 */
async function simulcastLayers(alice) {
  const seen = () => alice.evaluate(async () => {
    const rec = window.__pcs.find(({ pc }) => pc.connectionState !== "closed" && pc.getTransceivers().some((t) => t.direction === "sendonly"));
    if (!rec) return null;
    const sender = rec.pc.getSenders().find((s) => s.track?.kind === "video");
    const layers = {};
    (await rec.pc.getStats()).forEach((r) => {
      if (r.type === "outbound-rtp" && r.kind === "video" && r.rid) layers[r.rid] = { width: r.frameWidth ?? 0, height: r.frameHeight ?? 0, framesEncoded: r.framesEncoded ?? 0, bytesSent: r.bytesSent ?? 0, active: r.active };
    });
    return {
      vp8: (RTCRtpSender.getCapabilities("video")?.codecs ?? []).some((c) => c.mimeType === "video/VP8"),
      encodings: sender?.getParameters().encodings.map((e) => ({ rid: e.rid, active: e.active, scale: e.scaleResolutionDownBy, maxBitrate: e.maxBitrate })) ?? [],
      answer: rec.pc.remoteDescription?.sdp.match(/^a=simulcast:.*$/m)?.[0]?.trim() ?? "",
      offerCodec: rec.pc.localDescription?.sdp.match(/^a=rtpmap:\d+ (VP8|H264|VP9|AV1)\//m)?.[1] ?? "",
      layers,
    };
  });
  let last;
  try {
    return await waitUntil("alice sending simulcast layers to the media server", async () => {
      last = await seen();
      if (!last?.vp8) return last && { ...last, unsupported: true };
      const { encodings: e, layers: l } = last;
      const sent = ["h", "m", "l"].filter((r) => l[r]?.framesEncoded > 0);
      const widths = sent.map((r) => l[r].width);
      const ok = last.offerCodec === "VP8" && e.map((x) => x.rid).join() === "h,m,l" && e.every((x) => x.active !== false) && /^a=simulcast:\s*recv (rid=)?h;m;l$/.test(last.answer) &&
        sent.length >= 2 && sent[0] === "h" && widths.every((w, i) => w > 0 && (i === 0 || w < widths[i - 1]));
      return ok && { ...last, sent };
    }, 60_000, 500);
  } catch (e) {
    throw new Error(`${e.message}: ${JSON.stringify(last)}`);
  }
}

/**
 * setupBench: carol leaves and watches again, 2×BENCH_RUNS times,
 * answering the media server's offer alternately with a=setup:passive (the
 * app) and a=setup:active (the browser's own choice); per run, the time
 * from the peer connection's creation (the offer's arrival) to connected,
 * and to the first decoded frame. Medians and samples go to the summary.
 */
async function setupBench(carol) {
  const samples = { passive: { connect: [], frame: [] }, active: { connect: [], frame: [] } };
  for (let i = 0; i < 2 * BENCH_RUNS; i++) {
    const mode = i % 2 ? "active" : "passive";
    await carol.evaluate((a) => { window.__setupActive = a; }, mode === "active");
    await click(carol, '[data-action="watch"]'); // Leave
    await waitText(carol, '[data-action="watch"]', /^Watch$/);
    const n = (await video(carol)).length;
    await click(carol, '[data-action="watch"]');
    const first = await waitUntil(`a frame at carol (${mode})`, async () => (await video(carol)).slice(n).find((s) => s.frames > 0), 60_000, 10);
    const frameMs = await carol.evaluate((i) => Math.round(performance.now() - window.__pcs[i].createdAt), first.i);
    const answer = await carol.evaluate((i) => window.__pcs[i].pc.localDescription?.sdp.match(/a=setup:\w+/)?.[0], first.i);
    if (answer !== `a=setup:${mode}`) throw new Error(`carol answered ${answer} in a ${mode} run`);
    samples[mode].connect.push(first.connectMs);
    samples[mode].frame.push(frameMs);
  }
  await carol.evaluate(() => { window.__setupActive = false; });
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  for (const mode of ["passive", "active"]) {
    summary.figures[`sfu_offer_to_connected_ms_${mode}_median`] = median(samples[mode].connect);
    summary.figures[`sfu_offer_to_first_frame_ms_${mode}_median`] = median(samples[mode].frame);
  }
  summary.bench = { passive_connect: samples.passive.connect, active_connect: samples.active.connect, passive_frame: samples.passive.frame, active_frame: samples.active.frame };
  step("a=setup:passive against a=setup:active", summary.bench);
}

async function main() {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  // Janus ignores mDNS (.local) candidates: the pages give it their addresses.
  const browser = await launch(CHROMIUM, ["--disable-features=WebRtcHideLocalIpsWithMdns"]);
  const pages = [];
  try {
    const newPage = async (who) => {
      const ctx = await browser.createBrowserContext();
      const p = await ctx.newPage();
      await p.setViewport({ width: 1280, height: 900 });
      await p.evaluateOnNewDocument(record);
      p.on("pageerror", (e) => process.stderr.write(`${who} page error: ${e.message}\n`));
      p.on("console", (m) => { if (m.type() === "error") process.stderr.write(`${who} console: ${m.text()}\n`); });
      await p.goto(APP_URL);
      pages.push(p);
      await connectDevnet(p, who);
      await go(p, `#/stream/${STREAM_ID}`);
      return p;
    };

    const alice = await newPage("alice");
    await click(alice, '[data-action="start"]');
    await waitText(alice, ".stream-page > .status", /on air|refused|went wrong/i);
    const aliceStatus = await alice.$eval(".stream-page > .status", (el) => el.textContent);
    if (!/on air/i.test(aliceStatus)) throw new Error(`alice not on air: ${aliceStatus}`);

    // One after another, so the first is the one direct viewer.
    const viewers = {};
    for (const [who, tier] of [["bob", "direct"], ["carol", "sfu"], ["dave", "sfu"]]) {
      const p = await newPage(who);
      const at = Date.now();
      await click(p, '[data-action="watch"]');
      await waitText(p, "[data-media-stats]", /^Path: /, 60_000);
      const shown = await p.$eval("[data-media-stats]", (el) => ({ path: el.dataset.mediaPath, text: el.textContent }));
      const watching = await p.evaluate(() => window.__got.find((m) => m.type === "watching"));
      if (shown.path !== tier || watching?.tier !== tier) throw new Error(`${who}: tier ${watching?.tier}, page path ${shown.path}; want ${tier}`);
      await waitUntil(`a decoded frame at ${who}`, async () => (await decoded(p)) > 0, 60_000);
      const ms = Date.now() - at;
      const offers = await p.evaluate(() => window.__got.filter((m) => m.type === "offer").map((m) => m.from));
      if (tier === "sfu" && !offers.every((f) => f === "sfu")) throw new Error(`${who} got offers from ${offers}`);
      const connectMs = (await video(p)).find((s) => s.frames > 0)?.connectMs;
      summary.figures[`watch_to_first_frame_ms_${who}_${tier}`] = ms;
      summary.figures[`pc_created_to_connected_ms_${who}_${tier}`] = connectMs;
      step(`${who} watches`, { tier, offers_from: offers, watch_to_first_frame_ms: ms, pc_created_to_connected_ms: connectMs });
      viewers[who] = p;
    }
    const { bob, carol, dave } = viewers;
    for (const [who, p] of Object.entries(viewers)) await decoding(p, who);
    // Each viewer's stats line names its path.
    for (const [who, p] of Object.entries(viewers)) {
      const want = who === "bob" ? /^Path: peer to peer · \d+×\d+ · / : /^Path: through the media server · \d+×\d+ · /;
      await waitText(p, "[data-media-stats]", want, 10_000);
    }

    // alice uploads twice: to bob, and once to the media server for carol and dave.
    await waitText(alice, "[data-viewer-count]", /^3 watching$/, 30_000);
    await waitText(alice, "[data-media-stats]", /^Uploads: 1 peer to peer, 1 to the media server · /, 30_000);
    const uploads = await alice.evaluate(() => ({
      direct: document.querySelector("[data-media-stats]").dataset.uploadsDirect,
      sfu: document.querySelector("[data-media-stats]").dataset.uploadsSfu,
      pcs: window.__pcs.length,
      sent: window.__got.filter((m) => m.type === "sfu_publish").length,
    }));
    if (uploads.direct !== "1" || uploads.sfu !== "1" || uploads.pcs !== 2 || uploads.sent !== 1) throw new Error(`alice's uploads: ${JSON.stringify(uploads)}`);
    step("three viewers decode; alice uploads 1 peer to peer and 1 to the media server", {
      frames: { bob: await decoded(bob), carol: await decoded(carol), dave: await decoded(dave) },
      alice: await alice.$eval("[data-media-stats]", (el) => el.textContent),
    });
    // Chromium sends VP8 simulcast: the check must not pass by falling back.
    const layers = await simulcastLayers(alice);
    if (layers.unsupported) throw new Error(`this Chromium has no VP8: ${JSON.stringify(layers)}`);
    summary.figures.simulcast_layers_sent = layers.sent.length;
    for (const rid of layers.sent) summary.figures[`simulcast_width_${rid}`] = layers.layers[rid].width;
    step("alice sends the media server simulcast layers; carol and dave decode through Janus", {
      ...layers,
      viewers: { carol: await carol.$eval("[data-media-stats]", (el) => el.textContent), dave: await dave.$eval("[data-media-stats]", (el) => el.textContent) },
    });
    await decoding(carol, "carol, simulcast");
    await decoding(dave, "dave, simulcast");
    await shot(alice, "sfu-alice");
    await shot(carol, "sfu-carol");

    // alice's page measures her uplink from getStats (PROTOCOL.md §4.4) and
    // shows the capacity in force; a clear loopback uplink lowers nothing.
    const uplink = await waitUntil("an uplink estimate at alice", () => alice.$eval("[data-direct-capacity]", (el) => el.dataset.uplinkKbps && { ...el.dataset, text: el.textContent }), 20_000, 200);
    if (!/^Direct viewers: up to 1 viewer /.test(uplink.text) || uplink.directCapacity !== "1") throw new Error(`alice's capacity line: ${JSON.stringify(uplink)}`);
    const reports = await alice.evaluate(() => window.__got.filter((m) => m.type === "direct_capacity").length);
    if (reports !== 0) throw new Error(`alice's page lowered its direct capacity on a clear uplink: ${reports} answers`);
    step("alice's measured uplink", uplink);

    // carol chooses Medium: the media server sends her a narrower layer;
    // back to High, the widest again. A direct viewer has no choice.
    if (!(await bob.$eval('[data-action="quality"]', (el) => el.closest("label").hidden))) throw new Error("bob watches peer to peer but is offered a quality");
    const wide = await inboundWidth(carol);
    await carol.select('[data-action="quality"]', "medium");
    await waitUntil("sfu_quality at carol", () => carol.evaluate(() => window.__got.find((m) => m.type === "sfu_quality")), 30_000, 200);
    const narrow = await waitUntil(`carol receiving a layer narrower than ${wide}`, async () => { const w = await inboundWidth(carol); return w > 0 && w < wide ? w : 0; }, 30_000, 250);
    await decoding(carol, "carol, medium quality");
    await carol.select('[data-action="quality"]', "high");
    const wideAgain = await waitUntil(`carol receiving a layer wider than ${narrow} again`, async () => { const w = await inboundWidth(carol); return w > narrow ? w : 0; }, 30_000, 250);
    summary.figures.quality_high_width = wide;
    summary.figures.quality_medium_width = narrow;
    step("carol chooses Medium, then High: the media server switches her layer", { wide, narrow, wideAgain });

    // dave's page keeps its peer connections whatever it is told: only the
    // server, through Janus, can stop his video.
    await dave.evaluate(() => {
      window.__closes = 0;
      RTCPeerConnection.prototype.close = function () { window.__closes++; };
    });
    await waitText(dave, '[data-action="subscribe"]', /^Unsubscribe$/);
    await click(dave, '[data-action="subscribe"]');
    const removed = await waitUntil("removed at dave", () => dave.evaluate(() => window.__got.find((m) => m.type === "removed")), 60_000, 200);
    if (removed.reason !== "not_subscribed") throw new Error(`dave removed for ${removed.reason}`);
    const removedAt = Date.now();
    // The video stops arriving: no new bytes over two seconds.
    const bytes = async () => (await video(dave)).reduce((n, s) => n + s.bytes, 0);
    let last = await bytes();
    await waitUntil("dave's video to stop arriving", async () => {
      await sleep(2000);
      const now = await bytes();
      const still = now === last;
      last = now;
      return still;
    }, 30_000, 0);
    summary.figures.removed_to_media_stopped_ms_upper_bound = Date.now() - removedAt;
    const daveAfter = { pcs: await video(dave), closes: await dave.evaluate(() => window.__closes), status: await dave.$eval(".stream-page > .status", (el) => el.textContent) };
    if (!daveAfter.closes) throw new Error("dave's page never tried to close its peer connection: the check proves nothing");
    step("dave removed: his video stopped arriving though his page kept the connection", daveAfter);
    await sleep(1000);
    const frozen = await decoded(dave);
    await sleep(1500);
    if ((await decoded(dave)) !== frozen) throw new Error("dave still decodes new frames");

    // bob and carol keep decoding; alice still uploads once to the media server.
    await decoding(bob, "bob");
    await decoding(carol, "carol");
    await waitText(alice, "[data-viewer-count]", /^2 watching$/, 30_000);
    await waitText(alice, "[data-media-stats]", /^Uploads: 1 peer to peer, 1 to the media server · /, 10_000);
    step("bob and carol still decode", { bob: await decoded(bob), carol: await decoded(carol) });

    if (BENCH_RUNS > 0) await setupBench(carol);

    // Janus dies: alice publishes again, carol gets a new offer from sfu
    // and her video comes back on a new peer connection, in the same pages.
    const before = {
      carolPcs: (await video(carol)).length, alicePcs: (await video(alice)).length,
      loads: await Promise.all([alice, carol].map((p) => p.evaluate(() => performance.timeOrigin))),
      publishes: await alice.evaluate(() => window.__got.filter((m) => m.type === "sfu_publish").length),
    };
    const killedAt = Date.now();
    process.kill(Number(JANUS_PID), "SIGKILL");
    step("killed Janus", { pid: Number(JANUS_PID) });
    const back = await waitUntil("a decoded frame on a new peer connection at carol", async () => (await video(carol)).slice(before.carolPcs).find((s) => s.frames > 0), 90_000, 200);
    summary.figures.janus_kill_to_frames_again_ms = Date.now() - killedAt;
    await decoding(carol, "carol, after the media server came back");
    await decoding(bob, "bob, after the media server came back");
    const after = {
      carol: await video(carol), alice: await video(alice),
      loads: await Promise.all([alice, carol].map((p) => p.evaluate(() => performance.timeOrigin))),
      publishes: await alice.evaluate(() => window.__got.filter((m) => m.type === "sfu_publish").length),
      carolGot: await carol.evaluate(() => window.__got.filter((m) => ["offer", "removed", "stream_ended", "watching"].includes(m.type)).map((m) => `${m.type}:${m.from ?? m.reason ?? m.tier}`)),
    };
    if (after.loads.some((l, i) => l !== before.loads[i])) throw new Error("a page reloaded");
    if (after.publishes <= before.publishes) throw new Error(`alice got no new sfu_publish: ${JSON.stringify(after)}`);
    if (after.carol[before.carolPcs - 1].state !== "closed") throw new Error(`carol's old peer connection is ${after.carol[before.carolPcs - 1].state}`);
    if (after.carolGot.filter((g) => g === "offer:sfu").length < 2 || after.carolGot.some((g) => /^(removed|stream_ended)/.test(g))) throw new Error(`carol got ${after.carolGot}`);
    await waitText(carol, "[data-media-stats]", /^Path: through the media server · /, 10_000);
    await waitText(alice, "[data-media-stats]", /^Uploads: 1 peer to peer, 1 to the media server · /, 30_000);
    await waitText(alice, ".stream-page > .status", /on air/i, 30_000);
    step("the media server came back: carol's video on a new peer connection, no reload", {
      back, kill_to_frames_again_ms: summary.figures.janus_kill_to_frames_again_ms, sfu_publish: after.publishes, carol_got: after.carolGot,
      alice_pcs: after.alice.map((s) => s.state), alice: await alice.$eval(".stream-page > .status", (el) => el.textContent),
    });

    // "Large audience": alice goes live again with a direct capacity of 0;
    // she is asked to publish before anyone watches, and bob, direct
    // before, now watches through the media server.
    await click(alice, '[data-action="stop"]');
    await waitText(bob, '[data-action="watch"]', /^Watch$/, 30_000);
    const n = await alice.evaluate(() => window.__got.length);
    await click(alice, '[data-option="large-audience"]');
    await click(alice, '[data-action="start"]');
    const asked = await waitUntil("sfu_publish after a large-audience broadcast", () => alice.evaluate((n) => {
      const got = window.__got.slice(n);
      const b = got.find((m) => m.type === "broadcasting");
      return b && got.some((m) => m.type === "sfu_publish") && b;
    }, n), 30_000, 200);
    if (asked.direct_capacity !== 0) throw new Error(`broadcasting says direct_capacity ${asked.direct_capacity}`);
    await waitText(alice, "[data-media-stats]", /^Uploads: 1 to the media server · /, 30_000);
    await waitText(alice, "[data-direct-capacity]", /^Direct viewers: none, /, 10_000);
    await waitUntil("Watch enabled at bob", () => bob.$eval('[data-action="watch"]', (el) => !el.disabled), 30_000, 200);
    const m = (await video(bob)).length;
    await click(bob, '[data-action="watch"]');
    await waitText(bob, "[data-media-stats]", /^Path: through the media server/, 60_000);
    await waitUntil("a decoded frame at bob through the media server", async () => (await video(bob)).slice(m).find((s) => s.frames > 0), 60_000);
    await decoding(bob, "bob, large audience");
    await simulcastLayers(alice);
    step("large audience: bob through the media server", { alice: await alice.$eval("[data-media-stats]", (el) => el.textContent), bob: await bob.$eval("[data-media-stats]", (el) => el.textContent) });
    summary.ok = true;
  } catch (e) {
    await reportFailure(pages, shot, "sfu-failure-");
    // What each page got from signalingd, last first.
    for (const [i, p] of pages.entries()) {
      const got = await p.evaluate(() => window.__got.slice(-30).reverse()).catch(() => []);
      process.stderr.write(`page ${i} got: ${JSON.stringify(got)}\n`);
    }
    throw e;
  } finally {
    await browser.close();
  }
}

runScript(main, summary);
