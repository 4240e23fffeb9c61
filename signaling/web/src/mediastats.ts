// What the stream page's stats line says, from the peer connections'
// getStats(): for a viewer, the path its media takes (peer to peer or
// through the media server) and what arrives; for a broadcaster, its
// uploads (one per direct viewer, one to the media server whatever the
// audience there) and what it sends. No DOM here: pages/mediastats.ts
// samples the connections, the unit tests give reports of their own.
import type { Tier } from "./mediatier.ts";

/** The fields of RTCStatsReport entries the line reads. */
export interface RtpReport {
  type: string;
  kind?: string;
  bytesSent?: number;
  bytesReceived?: number;
  framesDecoded?: number;
  frameWidth?: number;
  frameHeight?: number;
}

/** Totals of one moment: bytes of RTP sent and received, video frames decoded, the last frame size. */
export interface RtpTotals {
  bytesSent: number;
  bytesReceived: number;
  framesDecoded: number;
  width: number;
  height: number;
}

export const noTotals: RtpTotals = { bytesSent: 0, bytesReceived: 0, framesDecoded: 0, width: 0, height: 0 };

/** totals adds up the outbound and inbound RTP streams of reports (one connection's, or several). */
export function totals(reports: Iterable<RtpReport>, into: RtpTotals = { ...noTotals }): RtpTotals {
  for (const r of reports) {
    if (r.type === "outbound-rtp") into.bytesSent += r.bytesSent ?? 0;
    if (r.type !== "inbound-rtp") continue;
    into.bytesReceived += r.bytesReceived ?? 0;
    if (r.kind !== "video") continue;
    into.framesDecoded += r.framesDecoded ?? 0;
    if (r.frameWidth) [into.width, into.height] = [r.frameWidth, r.frameHeight ?? 0];
  }
  return into;
}

/** bitrate is the bit rate between two byte counts `ms` apart, as "1.2 Mbit/s" or "640 kbit/s". */
export function bitrate(before: number, after: number, ms: number): string {
  const bps = ms > 0 ? (Math.max(0, after - before) * 8 * 1000) / ms : 0;
  return bps >= 1e6 ? `${(bps / 1e6).toFixed(1)} Mbit/s` : `${Math.round(bps / 1000)} kbit/s`;
}

/** pathText names a viewer's path as a person reads it. */
export function pathText(tier: Tier): string {
  return tier === "sfu" ? "through the media server" : "peer to peer";
}

/** viewerLine: "Path: through the media server · 640×480 · 1.1 Mbit/s · 1234 frames". */
export function viewerLine(tier: Tier, now: RtpTotals, rate: string): string {
  const parts = [`Path: ${pathText(tier)}`];
  if (now.width) parts.push(`${now.width}×${now.height}`);
  if (now.bytesReceived) parts.push(rate, `${now.framesDecoded} frames`);
  return parts.join(" · ");
}

/** Uploads: the broadcaster's connected peer connections, direct and to the media server. */
export interface Uploads {
  direct: number;
  sfu: number;
}

/**
 * broadcasterLine: "Uploads: 1 peer to peer, 1 to the media server ·
 * 1.8 Mbit/s". The media server's copy is one whatever the audience
 * behind it. Without a media server on this signaling server, it says so.
 */
export function broadcasterLine(u: Uploads, rate: string, hasMediaServer: boolean): string {
  const parts: string[] = [];
  if (u.direct) parts.push(`${u.direct} peer to peer`);
  if (u.sfu) parts.push(`${u.sfu} to the media server`);
  let line = `Uploads: ${parts.join(", ") || "none yet"}`;
  if (parts.length) line += ` · ${rate}`;
  if (!hasMediaServer) line += " · no media server here: every viewer watches peer to peer";
  return line;
}
