package janus

import (
	"context"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	jt "github.com/streamchain/streamchain/testutil/janus"
)

// fixture is a Janus started for the test with one client session on it.
type fixture struct {
	srv     *jt.Server
	client  *Client
	session *Session
	admin   *VideoRoom // a handle for room administration
}

func newFixture(t testing.TB, opt jt.Options) *fixture {
	t.Helper()
	f := &fixture{srv: jt.Start(t, opt)}
	f.reconnect(t)
	return f
}

// reconnect opens a new client, session and administration handle (after
// the server was restarted).
func (f *fixture) reconnect(t testing.TB) {
	t.Helper()
	ctx := testContext(t)
	cl, err := Dial(ctx, f.srv.APIURL(), f.srv.Config.APISecret)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cl.Close() })
	s, err := cl.CreateSession(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	vr, err := s.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	f.client, f.session, f.admin = cl, s, vr
}

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// newRoom creates a room with a fresh id and secret.
func (f *fixture) newRoom(t testing.TB) Room {
	t.Helper()
	r := Room{ID: rand.Uint64N(1 << 50), Secret: jt.NewSecret(), Publishers: 1, Description: t.Name(), FIRFreq: 2}
	if err := f.admin.CreateRoom(testContext(t), r); err != nil {
		t.Fatal(err)
	}
	return r
}

// publish connects a Sender to room through a new handle and starts its
// frames (30 fps of 1000 bytes); it returns the handle and the participant.
func (f *fixture) publish(t testing.TB, api *webrtc.API, room Room) (*jt.Sender, *VideoRoom, *Joined, string) {
	t.Helper()
	return f.publishAt(t, api, room, 30, 1000)
}

// publishAt is publish at fps frames a second of frameBytes.
func (f *fixture) publishAt(t testing.TB, api *webrtc.API, room Room, fps, frameBytes int) (*jt.Sender, *VideoRoom, *Joined, string) {
	t.Helper()
	ctx := testContext(t)
	snd, err := jt.NewSender(api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(snd.Close)
	pc, offer, err := snd.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h, err := f.session.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	joined, answer, err := h.Publish(ctx, room.ID, "broadcaster", JSEP{Type: "offer", SDP: offer, Trickle: &noTrickle})
	if err != nil {
		t.Fatal(err)
	}
	if err := jt.Accept(pc, answer.SDP); err != nil {
		t.Fatal(err)
	}
	go snd.Run(ctx, fps, frameBytes)
	// Janus lists a feed for subscribers once its PeerConnection is up.
	waitEvent(t, h, "webrtcup")
	return snd, h, joined, answer.SDP
}

// waitEvent reads h's events until one of type typ (others are dropped).
func waitEvent(t testing.TB, h *VideoRoom, typ string) Event {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case ev := <-h.Events():
			if ev.Type == typ {
				return ev
			}
		case <-h.Session.Done():
			t.Fatalf("session ended waiting for %q: %v", typ, h.Session.Err())
		case <-timeout:
			t.Fatalf("no %q event within 20 s", typ)
		}
	}
}

// subscribe connects a Receiver to feed through a new handle; it returns
// Janus's offer too.
func (f *fixture) subscribe(t testing.TB, api *webrtc.API, room Room, feed uint64) (*jt.Receiver, *VideoRoom, string) {
	t.Helper()
	ctx := testContext(t)
	h, err := f.session.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	offer, err := h.Subscribe(ctx, room.ID, feed)
	if err != nil {
		t.Fatal(err)
	}
	rcv, err := jt.NewReceiver(api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(rcv.Close)
	answer, err := rcv.Answer(ctx, offer.SDP)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Start(ctx, JSEP{Type: "answer", SDP: answer, Trickle: &noTrickle}); err != nil {
		t.Fatal(err)
	}
	return rcv, h, offer.SDP
}

// noTrickle marks an SDP that carries all its candidates: Janus then does
// not wait for trickled ones.
var noTrickle = false

// waitPackets waits until r has at least n RTP packets.
func waitPackets(t testing.TB, r *jt.Receiver, n uint64, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for r.Packets.Load() < n {
		if time.Now().After(deadline) {
			t.Fatalf("receiver got %d RTP packets, want >= %d within %v", r.Packets.Load(), n, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
