// The broadcaster's direct capacity on the stream page: every
// SAMPLE_MS the upload peer connections' getStats() give a fit
// (src/uplink.ts says how), the reporter decides when to send it, and the
// line shows the capacity the server has in force. "Large audience" sends 0
// when going on air and measures nothing; without a media server there is
// nothing to measure for (every viewer is direct).
import { h } from "../dom.ts";
import { SFU_PEER } from "../mediatier.ts";
import type { Session } from "../signaling.ts";
import { capacityText, fit, Reporter, uploadOf, type Upload, type UplinkReport } from "../uplink.ts";

const SAMPLE_MS = 2000;

export interface CapacityLine {
  el: HTMLElement;
  /** start measures the session's uploads (unless largeAudience) until stop. */
  start(session: Session, largeAudience: boolean): void;
  /** show tells the line the capacity in force (Session's onCapacity). */
  show(n: number): void;
  stop(): void;
}

async function sample(session: Session): Promise<Map<string, Upload>> {
  const out = new Map<string, Upload>();
  for (const [peer, pc] of session.uploads()) {
    if (pc.connectionState !== "connected") continue;
    const reports: UplinkReport[] = [];
    (await pc.getStats()).forEach((r: UplinkReport) => reports.push(r));
    out.set(peer, uploadOf(reports, peer === SFU_PEER));
  }
  return out;
}

export function capacityLine(): CapacityLine {
  // A status: it changes rarely, when the measured uplink moves the capacity.
  const el = h("p", { class: "direct-capacity", role: "status", "data-direct-capacity": "", hidden: true });
  let timer: ReturnType<typeof setInterval> | undefined;
  let session: Session | undefined;
  let large = false;
  let reporter: Reporter | undefined;
  let measured = false;
  const paint = () => {
    const n = session?.capacity;
    // Without a media server every viewer is direct: nothing to say.
    if (!session?.sfu || n === undefined || !Number.isFinite(n)) return;
    el.textContent = capacityText(n, measured, large);
    el.dataset.directCapacity = String(n);
    el.dataset.measured = String(measured);
    el.hidden = false;
  };
  const line: CapacityLine = {
    el,
    start(s, largeAudience) {
      line.stop();
      session = s;
      large = largeAudience;
      if (large) return;
      let last = { at: performance.now(), ups: new Map<string, Upload>() };
      timer = setInterval(() => void (async () => {
        if (!s.sfu || s.capacity === undefined) return;
        const at = performance.now();
        const ups = await sample(s);
        const f = fit(last.ups, ups, at - last.at);
        if (session !== s) return; // stopped meanwhile
        last = { at, ups };
        // The latest measurement, for whoever inspects the page (the browser test does).
        if (f) Object.assign(el.dataset, { uplinkKbps: String(Math.round(f.uplink / 1000)), perViewerKbps: String(Math.round(f.perViewer / 1000)), uplinkFit: String(f.capacity), congested: String(f.congested) });
        reporter ??= new Reporter(s.capacity, s.capacity);
        reporter.inForce = s.capacity;
        const n = reporter.decide(f, at);
        if (n === undefined) return;
        measured = true;
        s.directCapacity(n);
      })().catch(() => undefined), SAMPLE_MS);
    },
    show(n) {
      if (reporter) reporter.inForce = n;
      paint();
    },
    stop() {
      clearInterval(timer);
      timer = session = reporter = undefined;
      measured = large = false;
      el.hidden = true;
      el.textContent = "";
      delete el.dataset.directCapacity;
      for (const k of ["measured", "uplinkKbps", "perViewerKbps", "uplinkFit", "congested"]) delete el.dataset[k];
    },
  };
  return line;
}
