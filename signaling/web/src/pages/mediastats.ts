// The stream page's stats line: every second, the session's peer
// connections' getStats() summed into one line (src/mediastats.ts says
// what it reads). A viewer's line names the path its media takes; a
// broadcaster's counts its uploads, direct and to the media server.
import { h } from "../dom.ts";
import { bitrate, broadcasterLine, noTotals, totals, viewerLine, type RtpReport, type RtpTotals, type Uploads } from "../mediastats.ts";
import { SFU_PEER } from "../mediatier.ts";
import type { Session } from "../signaling.ts";

const EVERY_MS = 1000;

export interface StatsLine {
  el: HTMLElement;
  /** start follows the session's connections until stop. */
  start(session: Session, role: "broadcaster" | "viewer"): void;
  stop(): void;
}

async function sample(pcs: RTCPeerConnection[]): Promise<RtpTotals> {
  const t = { ...noTotals };
  for (const pc of pcs) {
    if (pc.connectionState === "closed") continue;
    const reports: RtpReport[] = [];
    (await pc.getStats()).forEach((r: RtpReport) => reports.push(r));
    totals(reports, t);
  }
  return t;
}

export function statsLine(): StatsLine {
  // Not a live region: a line that changes every second is not announced.
  const el = h("p", { class: "media-stats", "data-media-stats": "", hidden: true });
  let timer: ReturnType<typeof setInterval> | undefined;
  const line: StatsLine = {
    el,
    start(session, role) {
      line.stop();
      let last = { at: performance.now(), t: noTotals };
      const tick = async () => {
        const at = performance.now();
        let text: string;
        let now: RtpTotals;
        if (role === "viewer") {
          now = await sample(session.pc ? [session.pc] : []);
          text = viewerLine(session.tier, now, bitrate(last.t.bytesReceived, now.bytesReceived, at - last.at));
          el.dataset.mediaPath = session.tier;
        } else {
          const ups = session.uploads().filter(([, pc]) => pc.connectionState === "connected");
          const u: Uploads = { direct: ups.filter(([p]) => p !== SFU_PEER).length, sfu: ups.filter(([p]) => p === SFU_PEER).length };
          now = await sample(ups.map(([, pc]) => pc));
          text = broadcasterLine(u, bitrate(last.t.bytesSent, now.bytesSent, at - last.at), session.sfu);
          el.dataset.uploadsDirect = String(u.direct);
          el.dataset.uploadsSfu = String(u.sfu);
        }
        last = { at, t: now };
        if (timer !== undefined) {
          el.textContent = text;
          el.hidden = false;
        }
      };
      timer = setInterval(() => void tick().catch(() => undefined), EVERY_MS);
    },
    stop() {
      clearInterval(timer);
      timer = undefined;
      el.hidden = true;
      el.textContent = "";
      delete el.dataset.mediaPath;
      delete el.dataset.uploadsDirect;
      delete el.dataset.uploadsSfu;
    },
  };
  return line;
}
