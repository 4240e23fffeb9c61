// The stream page. Broadcaster: start, mute microphone, camera off, share
// screen (with system audio where the browser allows), stop; edit, delete.
// Viewer: subscribe/unsubscribe, watch, play, volume, fullscreen; the states
// not subscribed / not started yet (countdown) / live / ended.
import * as api from "../api.ts";
import { fill, h, statusLine } from "../dom.ts";
import { explain, reconnected, reconnecting, sessionEnded } from "../errors.ts";
import { countdown, phase, when } from "../format.ts";
import { onAir, onLive, viewers } from "../live.ts";
import { Session } from "../signaling.ts";
import { displayName, refreshMe, state, timeZone } from "../state.ts";
import * as tx from "../txs.ts";
import { streamForm } from "./create.ts";
import { badge } from "./schedule.ts";

type Disposable = HTMLElement & { dispose?: () => void };

export function streamPage(id: string): HTMLElement {
  const root: Disposable = h("section", { class: "stream-page" }, h("p", {}, "Loading…"));
  const cleanups: (() => void)[] = [];
  root.dispose = () => cleanups.forEach((f) => f());
  void api.stream(id).then((s) => {
    if (!s) {
      root.replaceChildren(h("h1", {}, "Stream not found"), h("p", {}, "This stream does not exist or was deleted. ", h("a", { href: "#/" }, "Back to the schedule")));
      return;
    }
    render(root, s, cleanups);
  }, (e) => root.replaceChildren(h("p", { class: "status error" }, explain(e))));
  return root;
}

function render(root: HTMLElement, s: api.Stream, cleanups: (() => void)[]) {
  const start = new Date(s.start_time), end = new Date(s.end_time);
  const mine = state.wallet?.address === s.broadcaster;
  const who = h("span", {}, "");
  void displayName(s.broadcaster).then((n) => (who.textContent = n));
  const badgeSlot = h("span", { class: "badge-slot" }, badge(s, false));
  const count = h("span", { class: "viewer-count", "aria-live": "polite", "data-viewer-count": "" });
  const setCount = (n: number) => (count.textContent = onAir(s.id) || n ? `${n} watching` : "");
  setCount(viewers(s.id));
  cleanups.push(onLive(() => { badgeSlot.replaceChildren(badge(s, false)); setCount(viewers(s.id)); }));

  const video = h("video", { id: "player", playsinline: true, autoplay: true, "aria-label": "Stream video" }) as HTMLVideoElement;
  const stage = h("div", { class: "stage" }, video);
  const status = statusLine();

  fill(root,
    s.img_link ? h("img", { class: "banner", src: s.img_link, alt: "", referrerpolicy: "no-referrer" }) : null,
    h("h1", {}, s.title),
    h("p", { class: "meta" }, badgeSlot, " ", count, " · by ", who),
    h("p", { class: "when" }, when(start, end, timeZone())),
    s.description ? h("p", { class: "description" }, s.description) : null,
    stage,
    mine ? broadcasterControls(s, video, status, setCount, cleanups) : viewerControls(s, video, stage, status, setCount, cleanups),
    status,
    mine ? ownerTools(s) : null,
  );
}

function broadcasterControls(s: api.Stream, video: HTMLVideoElement, status: ReturnType<typeof statusLine>, setCount: (n: number) => void, cleanups: (() => void)[]): HTMLElement {
  const w = state.wallet!;
  let session: Session | undefined;
  let camera: MediaStream | undefined;
  let screen: MediaStream | undefined;
  let audioCtx: AudioContext | undefined;
  const startBtn = h("button", { type: "button", "data-action": "start" }, "Start");
  const mic = h("button", { type: "button", class: "secondary", "aria-pressed": "false", disabled: true, "data-action": "mute" }, "Mute microphone");
  const cam = h("button", { type: "button", class: "secondary", "aria-pressed": "false", disabled: true, "data-action": "camera" }, "Camera off");
  const share = h("button", { type: "button", class: "secondary", "aria-pressed": "false", disabled: true, "data-action": "share" }, "Share screen");
  const stopBtn = h("button", { type: "button", class: "danger", disabled: true, "data-action": "stop" }, "Stop");
  video.muted = true; // no echo of one's own microphone

  const stop = () => {
    session?.close();
    session = undefined;
    for (const m of [camera, screen]) m?.getTracks().forEach((t) => t.stop());
    void audioCtx?.close();
    camera = screen = audioCtx = undefined;
    video.srcObject = null;
    for (const b of [mic, cam, share, stopBtn]) b.disabled = true;
    startBtn.disabled = false;
  };
  cleanups.push(stop);

  startBtn.onclick = async () => {
    startBtn.disabled = true;
    try {
      status.busy("Opening camera and microphone…");
      camera = await navigator.mediaDevices.getUserMedia({ video: { width: 640, height: 480 }, audio: true });
      video.srcObject = camera;
      status.busy("Signing in to the signaling server…");
      session = await Session.open(w, {
        onCount: setCount,
        onEnded: (reason) => { status.fail(sessionEnded(reason)); stop(); },
        onRefused: (err) => {
          status.fail(explain(err));
          // shared_state_unavailable: the session moves on by itself (signaling.ts).
          if (err.request === "broadcast" && err.code !== "shared_state_unavailable") stop();
        },
        // The camera stream is kept: the session sends it again on the new instance.
        onReconnecting: (why, attempt) => status.busy(reconnecting(why, attempt)),
        onReconnected: (instance) => status.ok(`${reconnected(instance)} You are on air.`),
      });
      session.broadcast(s.id, camera);
      for (const b of [mic, cam, share, stopBtn]) b.disabled = false;
      status.ok("You are on air. Viewers who subscribe to you can watch now.");
    } catch (e) {
      status.fail(explain(e));
      stop();
    }
  };
  stopBtn.onclick = () => { stop(); status.ok("You stopped the stream."); };
  mic.onclick = () => {
    const t = camera?.getAudioTracks()[0];
    if (!t) return;
    t.enabled = !t.enabled;
    mic.setAttribute("aria-pressed", String(!t.enabled));
    mic.textContent = t.enabled ? "Mute microphone" : "Unmute microphone";
  };
  cam.onclick = () => {
    const t = camera?.getVideoTracks()[0];
    if (!t) return;
    t.enabled = !t.enabled;
    cam.setAttribute("aria-pressed", String(!t.enabled));
    cam.textContent = t.enabled ? "Camera off" : "Camera on";
  };
  share.onclick = async () => {
    if (!session || !camera) return;
    if (screen) {
      screen.getTracks().forEach((t) => t.stop());
      screen = undefined;
      await session.replaceTrack("video", camera.getVideoTracks()[0] ?? null);
      await session.replaceTrack("audio", camera.getAudioTracks()[0] ?? null);
      session.setMedia(camera);
      video.srcObject = camera;
      share.setAttribute("aria-pressed", "false");
      share.textContent = "Share screen";
      return;
    }
    try {
      screen = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: true });
      const v = screen.getVideoTracks()[0];
      let audio = camera.getAudioTracks()[0] ?? null;
      // System audio, where the browser offers it, is mixed with the microphone.
      if (screen.getAudioTracks().length && audio) {
        audioCtx = new AudioContext();
        const dest = audioCtx.createMediaStreamDestination();
        audioCtx.createMediaStreamSource(new MediaStream([audio])).connect(dest);
        audioCtx.createMediaStreamSource(new MediaStream(screen.getAudioTracks())).connect(dest);
        audio = dest.stream.getAudioTracks()[0];
      }
      await session.replaceTrack("video", v);
      await session.replaceTrack("audio", audio);
      session.setMedia(new MediaStream([v, ...(audio ? [audio] : [])]));
      video.srcObject = screen;
      share.setAttribute("aria-pressed", "true");
      share.textContent = "Stop sharing";
      v.onended = () => { if (screen) share.click(); };
    } catch (e) {
      screen = undefined;
      status.fail(explain(e));
    }
  };
  return h("div", { class: "controls", role: "group", "aria-label": "Broadcast controls" }, startBtn, mic, cam, share, stopBtn);
}

function viewerControls(s: api.Stream, video: HTMLVideoElement, stage: HTMLElement, status: ReturnType<typeof statusLine>, setCount: (n: number) => void, cleanups: (() => void)[]): HTMLElement {
  const w = state.wallet;
  let session: Session | undefined;
  const start = new Date(s.start_time), end = new Date(s.end_time);
  const stateLine = h("p", { class: "viewer-state", "data-viewer-state": "" });
  const sub = h("button", { type: "button", class: "secondary", "data-action": "subscribe" }, "Subscribe");
  const watch = h("button", { type: "button", "data-action": "watch" }, "Watch");
  const play = h("button", { type: "button", class: "secondary", disabled: true }, "Pause");
  const volume = h("input", { type: "range", min: 0, max: 1, step: 0.05, value: 1, "aria-label": "Volume", disabled: true }) as HTMLInputElement;
  const full = h("button", { type: "button", class: "secondary", disabled: true }, "Fullscreen");

  const subscribed = () => !!w && state.subs.has(s.broadcaster);
  const paint = () => {
    const p = phase(start, end, new Date(), onAir(s.id));
    sub.hidden = !w;
    sub.textContent = subscribed() ? "Unsubscribe" : "Subscribe";
    if (session) return;
    let text: string;
    if (!w) text = "Connect a wallet and subscribe to watch.";
    else if (!subscribed()) text = "Not subscribed: subscribe to this broadcaster to watch.";
    else if (p === "ended") text = "This stream has ended.";
    else if (p === "live") text = "Live now: press Watch.";
    else if (p === "open") text = `Not started yet: the broadcaster is not on air. Starts ${countdown(start, new Date())}.`;
    else text = `Not started yet. Starts ${countdown(start, new Date())}.`;
    stateLine.textContent = text;
    watch.disabled = !w || p === "ended";
  };
  paint();
  const timer = setInterval(paint, 1000);
  cleanups.push(() => clearInterval(timer));
  cleanups.push(onLive(paint));

  const leave = () => {
    session?.close();
    session = undefined;
    video.srcObject = null;
    play.disabled = full.disabled = volume.disabled = true;
    watch.textContent = "Watch";
  };
  cleanups.push(leave);

  sub.onclick = async () => {
    if (!w) return;
    sub.disabled = true;
    const was = subscribed();
    status.busy(was ? "Unsubscribing…" : "Subscribing…");
    try {
      if (was) await tx.unsubscribe(w, s.broadcaster);
      else await tx.subscribe(w, s.broadcaster);
      await refreshMe();
      status.ok(was ? "Unsubscribed." : "Subscribed: you can watch this broadcaster's streams.");
    } catch (e) {
      status.fail(explain(e));
    } finally {
      sub.disabled = false;
      paint();
    }
  };
  watch.onclick = async () => {
    if (session) { leave(); paint(); return; }
    if (!w) return;
    watch.disabled = true;
    status.busy("Signing in to the signaling server…");
    try {
      const sess = await Session.open(w, {
        onCount: setCount,
        onWaiting: () => { stateLine.textContent = "Waiting for the broadcaster to go on air…"; },
        onTrack: (m) => {
          video.srcObject = m;
          void video.play().catch(() => undefined);
          play.disabled = full.disabled = volume.disabled = false;
          stateLine.textContent = "Live.";
          // Keep "Reconnected to …" and refusals; only the progress line goes.
          if (status.classList.contains("busy")) status.clear();
        },
        onEnded: (reason) => { leave(); status.fail(sessionEnded(reason)); paint(); },
        onRefused: (err) => {
          status.fail(explain(err));
          if (err.request === "watch" && err.code !== "shared_state_unavailable") { leave(); paint(); }
        },
        onReconnecting: (why, attempt) => status.busy(reconnecting(why, attempt)),
        onReconnected: (instance) => status.ok(reconnected(instance)),
      });
      session = sess;
      sess.watch(s.id);
      watch.textContent = "Leave";
      status.busy("Connecting to the broadcaster…");
    } catch (e) {
      status.fail(explain(e));
    } finally {
      watch.disabled = false;
    }
  };
  play.onclick = () => {
    if (video.paused) { void video.play(); play.textContent = "Pause"; } else { video.pause(); play.textContent = "Play"; }
  };
  volume.oninput = () => { video.volume = Number(volume.value); video.muted = video.volume === 0; };
  full.onclick = () => void stage.requestFullscreen?.().catch(() => undefined);
  return h("div", {}, stateLine, h("div", { class: "controls", role: "group", "aria-label": "Player controls" }, watch, sub, play, h("label", { class: "volume" }, "Volume ", volume), full));
}

function ownerTools(s: api.Stream): HTMLElement {
  const w = state.wallet!;
  const status = statusLine();
  const slot = h("div");
  const edit = h("button", { type: "button", class: "secondary", "data-action": "edit", onclick: () => {
    slot.replaceChildren(streamForm(s, () => { location.hash = `#/stream/${s.id}?t=${Date.now()}`; }));
  } }, "Edit stream");
  const confirm = h("button", { type: "button", class: "danger", hidden: true, "data-action": "confirm-delete" }, "Yes, delete it");
  const del = h("button", { type: "button", class: "danger", "data-action": "delete", onclick: () => {
    confirm.hidden = false;
    status.busy("Deleting cannot be undone: viewers are cut off and the stream leaves every list.");
    confirm.focus();
  } }, "Delete stream");
  confirm.onclick = async () => {
    confirm.disabled = true;
    status.busy("Deleting…");
    try {
      await tx.deleteStream(w, s.id);
      await refreshMe();
      location.hash = "#/";
    } catch (e) {
      status.fail(explain(e));
      confirm.disabled = false;
    }
  };
  return h("section", { class: "card owner-tools", "aria-label": "Manage this stream" }, h("div", { class: "controls" }, edit, del, confirm), status, slot);
}
