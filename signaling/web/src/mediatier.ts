// The media server tier as the client sees it (signaling/PROTOCOL.md §4.4):
// the media server is the peer "sfu"; a viewer's tier comes in `watching`;
// a broadcaster may ask for "large audience" (direct_capacity 0); the
// answer to the media server's offer asks to be the DTLS server. No DOM
// here: the session uses it, the unit tests call it alone.

/** The media server's peer id in offer, answer and candidate. */
export const SFU_PEER = "sfu";

/** The path a viewer's media takes: peer to peer, or through the media server. */
export type Tier = "direct" | "sfu";

/** tierOf reads `watching`'s tier; a server without the field is peer to peer only. */
export function tierOf(v: unknown): Tier {
  return v === "sfu" ? "sfu" : "direct";
}

/** The simulcast layer a viewer through the media server receives (`sfu_quality`). */
export type Quality = "high" | "medium" | "low";

/** The qualities a viewer may choose, highest first, with the words the page shows. */
export const QUALITIES: readonly { value: Quality; label: string }[] = [
  { value: "high", label: "High" },
  { value: "medium", label: "Medium" },
  { value: "low", label: "Low" },
];

/** qualityOf reads the server's `sfu_quality`; anything else is the default, high. */
export function qualityOf(v: unknown): Quality {
  return v === "medium" || v === "low" ? v : "high";
}

/** broadcastMsg is the `broadcast` request; "large audience" sends every viewer through the media server. */
export function broadcastMsg(streamId: string, largeAudience: boolean): { type: "broadcast"; stream_id: string; direct_capacity?: number } {
  return largeAudience ? { type: "broadcast", stream_id: streamId, direct_capacity: 0 } : { type: "broadcast", stream_id: streamId };
}

/**
 * passiveAnswer makes an answer's DTLS role passive (the answerer is the
 * DTLS server, the media server the client): Janus then starts the
 * handshake as soon as ICE connects, instead of waiting for the browser's
 * first flight. Only an answer's `active` is changed; an SDP without a
 * setup line is returned as it is.
 */
export function passiveAnswer(sdp: string): string {
  return sdp.replace(/^a=setup:active(\r?)$/gm, "a=setup:passive$1");
}

/**
 * The broadcaster's simulcast layers to the media server, highest first
 * (Janus's default rid order, "hml"): full, half and quarter resolution,
 * capped for a 720p source at 1.5 Mbit/s, 500 kbit/s and 150 kbit/s. The
 * browser leaves out layers it finds too small: Chromium sends two of the
 * app's 640×480 camera, 640×480 and 320×240. Janus sends
 * each viewer the highest layer it receives and falls back to a lower one
 * when that stops arriving, so a weak uplink still serves every viewer.
 */
export const SIMULCAST_LAYERS: readonly RTCRtpEncodingParameters[] = [
  { rid: "h", maxBitrate: 1_500_000 },
  { rid: "m", maxBitrate: 500_000, scaleResolutionDownBy: 2 },
  { rid: "l", maxBitrate: 150_000, scaleResolutionDownBy: 4 },
];

/** The part of RTCPeerConnection addSfuTrack uses (the unit tests pass their own). */
export type TransceiverAdder = Pick<RTCPeerConnection, "addTransceiver">;

/**
 * addSfuTrack adds a track to the peer connection publishing to the media
 * server, send only. Video goes as the simulcast layers when the browser
 * can send VP8 or H.264 (the codecs Janus's VideoRoom takes simulcast in,
 * `videoCodecs` from RTCRtpSender.getCapabilities) and accepts the
 * encodings; otherwise, and for audio, as one encoding. It says which.
 */
export function addSfuTrack(pc: TransceiverAdder, track: MediaStreamTrack, stream: MediaStream, videoCodecs: readonly { mimeType: string }[] | undefined): "simulcast" | "single" {
  const init: RTCRtpTransceiverInit = { direction: "sendonly", streams: [stream] };
  if (track.kind === "video" && videoCodecs?.some((c) => /^video\/(VP8|H264)$/i.test(c.mimeType))) {
    try {
      pc.addTransceiver(track, { ...init, sendEncodings: SIMULCAST_LAYERS.map((l) => ({ ...l })) });
      return "simulcast";
    } catch {
      // The browser refuses several encodings: one is enough to publish.
    }
  }
  pc.addTransceiver(track, init);
  return "single";
}
