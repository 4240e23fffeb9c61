// Unit tests of src/mediatier.ts and src/mediastats.ts: the media server
// tier as the client speaks it (PROTOCOL.md §4.4) and the stats line that
// shows a viewer's path and a broadcaster's uploads.
import assert from "node:assert/strict";
import test from "node:test";
import { addSfuTrack, broadcastMsg, passiveAnswer, QUALITIES, qualityOf, SFU_PEER, SIMULCAST_LAYERS, tierOf } from "../../../build/web-unit/mediatier.js";
import { bitrate, broadcasterLine, totals, viewerLine } from "../../../build/web-unit/mediastats.js";

test("the media server is peer sfu; a tier other than sfu is peer to peer", () => {
  assert.equal(SFU_PEER, "sfu");
  assert.equal(tierOf("sfu"), "sfu");
  for (const v of ["direct", undefined, null, "SFU", 1]) assert.equal(tierOf(v), "direct");
});

test("the qualities are the protocol's three, highest first; anything else reads as high", () => {
  assert.deepEqual(QUALITIES.map((q) => q.value), ["high", "medium", "low"]);
  for (const q of ["medium", "low", "high"]) assert.equal(qualityOf(q), q);
  for (const v of ["MEDIUM", "auto", undefined, null, 1]) assert.equal(qualityOf(v), "high");
});

test("large audience sends direct_capacity 0; otherwise the field is left out", () => {
  assert.deepEqual(broadcastMsg("42", true), { type: "broadcast", stream_id: "42", direct_capacity: 0 });
  assert.deepEqual(broadcastMsg("42", false), { type: "broadcast", stream_id: "42" });
  assert.ok(!("direct_capacity" in broadcastMsg("42", false)));
});

test("passiveAnswer turns the answer's DTLS role to passive, each m-section, and nothing else", () => {
  const sdp = "v=0\r\na=group:BUNDLE 0 1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=setup:active\r\na=mid:0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=setup:active\r\na=mid:1\r\n";
  const out = passiveAnswer(sdp);
  assert.equal(out, sdp.replaceAll("a=setup:active", "a=setup:passive"));
  assert.equal(out.match(/a=setup:passive\r\n/g).length, 2);
  // LF-only SDP, actpass (an offer's) and a text that only contains the words are left alone.
  assert.equal(passiveAnswer("a=setup:active\n"), "a=setup:passive\n");
  assert.equal(passiveAnswer("a=setup:actpass\r\n"), "a=setup:actpass\r\n");
  assert.equal(passiveAnswer("a=x-note:a=setup:active\r\n"), "a=x-note:a=setup:active\r\n");
});

test("totals add outbound bytes, inbound bytes and decoded video frames of every connection", () => {
  const a = [
    { type: "outbound-rtp", kind: "video", bytesSent: 1000 },
    { type: "outbound-rtp", kind: "audio", bytesSent: 200 },
    { type: "inbound-rtp", kind: "video", bytesReceived: 5000, framesDecoded: 30, frameWidth: 640, frameHeight: 480 },
    { type: "inbound-rtp", kind: "audio", bytesReceived: 700 },
    { type: "candidate-pair", bytesSent: 99999 },
  ];
  const t = totals(a);
  assert.deepEqual(t, { bytesSent: 1200, bytesReceived: 5700, framesDecoded: 30, width: 640, height: 480 });
  totals([{ type: "outbound-rtp", kind: "video", bytesSent: 800 }], t);
  assert.equal(t.bytesSent, 2000);
});

test("bitrate reads kbit/s and Mbit/s, never negative", () => {
  assert.equal(bitrate(0, 125_000, 1000), "1.0 Mbit/s");
  assert.equal(bitrate(0, 80_000, 1000), "640 kbit/s");
  assert.equal(bitrate(500, 100, 1000), "0 kbit/s"); // a connection replaced: its bytes started again
  assert.equal(bitrate(0, 100, 0), "0 kbit/s");
});

test("a viewer's line names its path", () => {
  const t = { bytesSent: 0, bytesReceived: 9000, framesDecoded: 120, width: 640, height: 480 };
  assert.equal(viewerLine("sfu", t, "1.1 Mbit/s"), "Path: through the media server · 640×480 · 1.1 Mbit/s · 120 frames");
  assert.equal(viewerLine("direct", { ...t, bytesReceived: 0, width: 0 }, "0 kbit/s"), "Path: peer to peer");
});

test("a broadcaster's line: one upload to the media server, whatever the audience behind it", () => {
  assert.equal(broadcasterLine({ direct: 1, sfu: 1 }, "1.8 Mbit/s", true), "Uploads: 1 peer to peer, 1 to the media server · 1.8 Mbit/s");
  assert.equal(broadcasterLine({ direct: 0, sfu: 1 }, "0.9 Mbit/s", true), "Uploads: 1 to the media server · 0.9 Mbit/s");
  assert.equal(broadcasterLine({ direct: 0, sfu: 0 }, "0 kbit/s", true), "Uploads: none yet");
  assert.match(broadcasterLine({ direct: 2, sfu: 0 }, "2 Mbit/s", false), /no media server here/);
});

/** fakePC records addTransceiver's calls; refuse makes it throw when sendEncodings has several. */
function fakePC(refuse = false) {
  const calls = [];
  return {
    calls,
    addTransceiver(track, init) {
      if (refuse && (init.sendEncodings?.length ?? 0) > 1) throw new DOMException("simulcast not supported", "OperationError");
      calls.push({ kind: track.kind, init });
    },
  };
}

const vp8 = [{ mimeType: "video/VP8" }, { mimeType: "video/rtx" }];
const stream = { id: "media" };

test("the media server gets video as three simulcast layers, highest first, send only", () => {
  const pc = fakePC();
  assert.equal(addSfuTrack(pc, { kind: "video" }, stream, vp8), "simulcast");
  const [{ init }] = pc.calls;
  assert.equal(init.direction, "sendonly");
  assert.deepEqual(init.streams, [stream]);
  assert.deepEqual(init.sendEncodings.map((e) => [e.rid, e.scaleResolutionDownBy ?? 1, e.maxBitrate]), [["h", 1, 1_500_000], ["m", 2, 500_000], ["l", 4, 150_000]]);
  // Copies: the browser may write into them, the constant stays as it is.
  assert.notEqual(init.sendEncodings[0], SIMULCAST_LAYERS[0]);
  assert.equal(addSfuTrack(fakePC(), { kind: "video" }, stream, [{ mimeType: "video/H264" }]), "simulcast");
});

test("audio, a browser that refuses the layers, or one without VP8 and H.264 send one encoding", () => {
  for (const [pc, kind, codecs] of [[fakePC(), "audio", vp8], [fakePC(true), "video", vp8], [fakePC(), "video", [{ mimeType: "video/VP9" }]], [fakePC(), "video", undefined]]) {
    assert.equal(addSfuTrack(pc, { kind }, stream, codecs), "single");
    assert.equal(pc.calls.length, 1);
    assert.deepEqual(pc.calls[0].init, { direction: "sendonly", streams: [stream] });
  }
});
