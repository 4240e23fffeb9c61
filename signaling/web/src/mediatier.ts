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
