// The signaling client (signaling/PROTOCOL.md): sign in with the wallet, then
// broadcast (one RTCPeerConnection per viewer) or watch.
import { SignalingRefusal } from "./errors.ts";
import type { Wallet } from "./wallet.ts";

type Msg = { type: string; [k: string]: unknown };

export interface SessionEvents {
  /** viewer_count from the server. */
  onCount?(n: number): void;
  /** The session is over: stream_ended / removed reason, or "disconnected". */
  onEnded?(reason: string): void;
  /** A refusal of broadcast/watch or of a later message. */
  onRefused?(err: SignalingRefusal): void;
  /** Viewer: the broadcaster's media arrived. */
  onTrack?(stream: MediaStream): void;
  /** Viewer: waiting for the broadcaster to connect. */
  onWaiting?(): void;
}

function wsURL(): string {
  return `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`;
}

/** Session is one signed-in WebSocket with at most one broadcast or watch. */
export class Session {
  private ws!: WebSocket;
  private ice: RTCIceServer[] = [];
  private peers = new Map<string, RTCPeerConnection>();
  private pending = new Map<string, RTCIceCandidateInit[]>();
  private broadcasterPeer = "";
  private closed = false;
  /** The viewer's peer connection, for getStats(). */
  pc: RTCPeerConnection | undefined;

  private constructor(private wallet: Wallet, private ev: SessionEvents) {}

  /** open connects and signs in; it resolves once the server says authenticated. */
  static open(wallet: Wallet, ev: SessionEvents): Promise<Session> {
    const s = new Session(wallet, ev);
    return new Promise((resolve, reject) => {
      s.ws = new WebSocket(wsURL());
      let signedIn = false;
      s.ws.onmessage = async (e) => {
        const m = JSON.parse(String(e.data)) as Msg;
        if (!signedIn) {
          if (m.type === "challenge") {
            try {
              const signature = await wallet.signIn(String(m.message));
              s.ws.send(JSON.stringify({ type: "auth", address: wallet.address, message: m.message, signature }));
            } catch (err) {
              s.close();
              reject(err);
            }
          } else if (m.type === "authenticated") {
            signedIn = true;
            resolve(s);
          } else if (m.type === "error") {
            s.close();
            reject(new SignalingRefusal(String(m.code), String(m.message), m.request as string | undefined));
          }
          return;
        }
        s.handle(m);
      };
      s.ws.onclose = (e) => {
        if (!signedIn) reject(new SignalingRefusal(e.code === 4001 ? "auth_bad_signature" : "internal", `connection closed (${e.code})`));
        else if (!s.closed) s.ev.onEnded?.(e.code === 4000 ? "taken_over" : "disconnected");
        s.teardown();
      };
    });
  }

  private sendMsg(m: Msg) {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  private media: MediaStream | undefined;

  /** broadcast goes on air with `media`; viewers join as they come. */
  broadcast(streamId: string, media: MediaStream) {
    this.media = media;
    this.sendMsg({ type: "broadcast", stream_id: streamId });
  }

  /** watch joins as a viewer. */
  watch(streamId: string) {
    this.sendMsg({ type: "watch", stream_id: streamId });
  }

  /** replaceTrack swaps a track of this kind on every viewer's connection (screen sharing). */
  async replaceTrack(kind: "audio" | "video", track: MediaStreamTrack | null) {
    for (const pc of this.peers.values()) {
      for (const sender of pc.getSenders()) if (sender.track?.kind === kind || (!sender.track && track?.kind === kind)) await sender.replaceTrack(track);
    }
  }

  /** The current media (for viewers joining after a replaceTrack). */
  setMedia(media: MediaStream) {
    this.media = media;
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.sendMsg({ type: "leave" });
    this.ws.close(1000);
    this.teardown();
  }

  private teardown() {
    for (const pc of this.peers.values()) pc.close();
    this.peers.clear();
    this.pc = undefined;
  }

  private newPeer(peer: string): RTCPeerConnection {
    this.peers.get(peer)?.close();
    const pc = new RTCPeerConnection({ iceServers: this.ice });
    pc.onicecandidate = (e) => {
      if (e.candidate) this.sendMsg({ type: "candidate", to: peer, candidate: e.candidate.toJSON() });
    };
    this.peers.set(peer, pc);
    return pc;
  }

  private async flushCandidates(peer: string, pc: RTCPeerConnection) {
    for (const c of this.pending.get(peer) ?? []) await pc.addIceCandidate(c).catch(() => undefined);
    this.pending.delete(peer);
  }

  private async handle(m: Msg) {
    switch (m.type) {
      case "broadcasting":
      case "watching":
        this.ice = (m.ice_servers as RTCIceServer[]) ?? [];
        this.ev.onCount?.(Number(m.viewer_count ?? 0));
        if (m.type === "watching") {
          this.broadcasterPeer = String(m.broadcaster_peer_id ?? "");
          if (!this.broadcasterPeer) this.ev.onWaiting?.();
        }
        break;
      case "viewer_joined": {
        const peer = String(m.peer_id);
        const pc = this.newPeer(peer);
        for (const t of this.media?.getTracks() ?? []) pc.addTrack(t, this.media!);
        await pc.setLocalDescription(await pc.createOffer());
        this.sendMsg({ type: "offer", to: peer, sdp: pc.localDescription!.toJSON() });
        break;
      }
      case "viewer_left":
        this.peers.get(String(m.peer_id))?.close();
        this.peers.delete(String(m.peer_id));
        break;
      case "viewer_count":
        this.ev.onCount?.(Number(m.count));
        break;
      case "broadcaster_joined":
        this.peers.get(this.broadcasterPeer)?.close();
        this.peers.delete(this.broadcasterPeer);
        this.broadcasterPeer = String(m.peer_id);
        break;
      case "offer": {
        const from = String(m.from);
        this.broadcasterPeer = from;
        const pc = this.newPeer(from);
        this.pc = pc;
        pc.ontrack = (e) => this.ev.onTrack?.(e.streams[0] ?? new MediaStream([e.track]));
        await pc.setRemoteDescription(m.sdp as RTCSessionDescriptionInit);
        await this.flushCandidates(from, pc);
        await pc.setLocalDescription(await pc.createAnswer());
        this.sendMsg({ type: "answer", to: from, sdp: pc.localDescription!.toJSON() });
        break;
      }
      case "answer": {
        const from = String(m.from);
        const pc = this.peers.get(from);
        if (!pc) break;
        await pc.setRemoteDescription(m.sdp as RTCSessionDescriptionInit);
        await this.flushCandidates(from, pc);
        break;
      }
      case "candidate": {
        const from = String(m.from);
        const pc = this.peers.get(from);
        const c = m.candidate as RTCIceCandidateInit;
        if (pc?.remoteDescription) await pc.addIceCandidate(c).catch(() => undefined);
        else this.pending.set(from, [...(this.pending.get(from) ?? []), c]);
        break;
      }
      case "stream_ended":
      case "removed":
        this.closed = true;
        this.teardown();
        this.ev.onEnded?.(String(m.reason));
        this.ws.close(1000);
        break;
      case "error":
        this.ev.onRefused?.(new SignalingRefusal(String(m.code), String(m.message), m.request as string | undefined));
        break;
    }
  }
}
