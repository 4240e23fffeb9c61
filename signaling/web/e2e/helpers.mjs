// Helpers shared by the browser tests (browser.mjs, failover.mjs).
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import puppeteer from "puppeteer-core";

// axe-core as package-lock.json pins it, injected into the page under test.
const axeSource = fs.readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/**
 * axeAudit runs axe-core's default rules (WCAG 2.x A/AA and best practices)
 * on the page as it is now: the rules broken, each with the elements that
 * break it, and how many rules found something to check and passed.
 */
export async function axeAudit(page) {
  // Through DevTools, as page scripts are not: the app's Content-Security-Policy stays on.
  if (!(await page.evaluate(() => typeof window.axe === "object"))) await page.evaluate(`${axeSource}\n;0`);
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    const violations = r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.slice(0, 4).map((n) => ({ target: n.target.join(" "), html: n.html.slice(0, 160), why: (n.failureSummary ?? "").slice(0, 300) })),
    }));
    return { violations, passed: r.passes.length };
  });
}

/** Records the type of every message the page sends to signalingd (auth, resume, watch, ...). */
export function recordSignalingSends() {
  window.__sent = [];
  const send = WebSocket.prototype.send;
  WebSocket.prototype.send = function (data) {
    try {
      window.__sent.push(JSON.parse(data).type);
    } catch {
      window.__sent.push("?");
    }
    return send.call(this, data);
  };
}

// Chromium's flags: fake camera and microphone, no prompts, autoplay; and
// the caller's own (extra).
export function launch(executablePath, extra = []) {
  return puppeteer.launch({
    executablePath,
    headless: true,
    args: ["--no-sandbox", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
      "--autoplay-policy=no-user-gesture-required", "--disable-background-networking", "--disable-component-update",
      "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
      // Share screen: Chromium's fake screen (and fake system audio), no picker.
      "--auto-select-desktop-capture-source=Entire screen", ...extra],
  });
}

// Records every RTCPeerConnection, so the test can read getStats().
export function recordPeerConnections() {
  const Native = window.RTCPeerConnection;
  window.__pcs = [];
  window.RTCPeerConnection = class extends Native {
    constructor(...args) {
      super(...args);
      window.__pcs.push(this);
    }
  };
}

export async function waitText(page, selector, re, timeout = 30_000) {
  try {
    await page.waitForFunction((sel, src) => {
      const re = new RegExp(src);
      return [...document.querySelectorAll(sel)].some((el) => re.test(el.textContent ?? ""));
    }, { timeout, polling: 100 }, selector, re.source);
  } catch (e) {
    const seen = await page.$$eval(selector, (els) => els.map((el) => el.textContent)).catch(() => []);
    throw new Error(`waiting for ${selector} ~ ${re}: ${e.message}; seen: ${JSON.stringify(seen).slice(0, 600)}`);
  }
}

export async function click(page, selector) {
  await page.waitForSelector(selector, { visible: true, timeout: 30_000 });
  await page.$eval(selector, (el) => el.scrollIntoView({ block: "center" }));
  await page.click(selector);
}

export async function go(page, hash) {
  await page.evaluate((h) => { location.hash = h; }, hash);
}

export async function connectDevnet(page, name) {
  await click(page, '[data-action="connect"]');
  await click(page, `[data-wallet="devnet:${name}"]`);
  await page.waitForSelector("[data-wallet-address]", { timeout: 30_000 });
}

/** videoStats: frames decoded and bytes received of the viewer's inbound video. */
export async function videoStats(page) {
  return page.evaluate(async () => {
    let frames = 0, bytes = 0, width = 0;
    for (const pc of window.__pcs ?? []) {
      if (pc.connectionState === "closed") continue;
      const stats = await pc.getStats();
      stats.forEach((r) => {
        if (r.type === "inbound-rtp" && r.kind === "video") {
          frames += r.framesDecoded ?? 0;
          bytes += r.bytesReceived ?? 0;
          width = r.frameWidth ?? width;
        }
      });
    }
    return { frames, bytes, width };
  });
}

/** reportFailure logs what each page showed when the test failed, with a screenshot. */
export async function reportFailure(pages, shot, prefix) {
  for (const [i, p] of pages.entries()) {
    const texts = await p.$$eval(".notice, .status, [data-viewer-state]", (els) => els.map((el) => el.textContent).filter(Boolean)).catch(() => []);
    process.stderr.write(`page ${i} ${p.url()}: ${JSON.stringify(texts)}\n`);
    await shot(p, `${prefix}page${i}`).catch(() => undefined);
  }
}

/** runScript runs main and prints the one JSON summary the Go test reads. */
export function runScript(main, summary) {
  main().catch((e) => {
    summary.error = String(e?.stack ?? e);
  }).finally(() => {
    process.stdout.write(JSON.stringify(summary) + "\n");
    process.exit(summary.ok ? 0 : 1);
  });
}

/**
 * journal is a script's summary (printed by runScript) with its step log
 * and its screenshots into `artifacts`.
 */
export function journal(artifacts) {
  const summary = { ok: false, steps: [], screenshots: [], figures: {} };
  const step = (name, detail = {}) => {
    summary.steps.push({ name, ...detail });
    process.stderr.write(`step: ${name} ${JSON.stringify(detail)}\n`);
  };
  const shot = async (page, name) => {
    const file = path.join(artifacts, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    summary.screenshots.push(file);
  };
  return { summary, step, shot };
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** waitUntil polls fn every `every` ms until it returns something true, or fails after `timeout` ms. */
export async function waitUntil(what, fn, timeout, every = 100) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`no ${what} within ${timeout} ms`);
    await sleep(every);
  }
}
