package janus

import (
	"context"
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	jt "github.com/streamchain/streamchain/testutil/janus"
)

// TestSessionsAndHandlesAreReleased follows one client's sessions and handles
// through the admin API: attach, detach, destroy, and a closed connection
// all leave nothing behind in Janus, and no goroutine behind in the client.
func TestSessionsAndHandlesAreReleased(t *testing.T) {
	srv := jt.Start(t, jt.Options{})
	ctx := testContext(t)
	admin, err := DialAdmin(ctx, srv.AdminURL(), srv.Config.AdminSecret)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	goroutines := runtime.NumGoroutine()

	cl, err := Dial(ctx, srv.APIURL(), srv.Config.APISecret)
	if err != nil {
		t.Fatal(err)
	}
	s1, err := cl.CreateSession(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := cl.CreateSession(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	h1, err := s1.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	h2, err := s1.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sessions, err := admin.Sessions(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(sessions, s1.ID) || !slices.Contains(sessions, s2.ID) {
		t.Fatalf("admin lists sessions %v, want %d and %d", sessions, s1.ID, s2.ID)
	}
	handles, err := admin.Handles(ctx, s1.ID)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(handles)
	want := []uint64{h1.ID, h2.ID}
	slices.Sort(want)
	if !slices.Equal(handles, want) {
		t.Fatalf("admin lists handles %v, want %v", handles, want)
	}

	if err := h1.Detach(ctx); err != nil {
		t.Fatal(err)
	}
	if handles, _ = admin.Handles(ctx, s1.ID); !slices.Equal(handles, []uint64{h2.ID}) {
		t.Fatalf("after detach: handles %v, want [%d]", handles, h2.ID)
	}
	if err := s1.Destroy(ctx); err != nil {
		t.Fatal(err)
	}
	if !errors.Is(s1.Err(), ErrClosed) {
		t.Fatalf("destroyed session's Err = %v, want ErrClosed", s1.Err())
	}
	if _, err := s1.AttachVideoRoom(ctx); !errors.Is(err, ErrClosed) {
		t.Fatalf("attach on a destroyed session: %v, want ErrClosed", err)
	}
	if _, err := admin.Handles(ctx, s1.ID); !errors.Is(err, ErrSessionGone) {
		t.Fatalf("admin on a destroyed session: %v, want ErrSessionGone", err)
	}

	// Closing the connection: Janus drops the sessions made on it.
	_ = cl.Close()
	<-s2.Done()
	waitFor(t, "Janus to drop the closed connection's session", func() bool {
		sessions, err := admin.Sessions(ctx)
		return err == nil && !slices.Contains(sessions, s2.ID)
	})
	waitFor(t, "the client's goroutines to end", func() bool { return runtime.NumGoroutine() <= goroutines })
}

// TestSessionTimeout: Janus times out a session that sends no keepalive
// (the client's session ends with ErrSessionGone), and keeps one that does.
func TestSessionTimeout(t *testing.T) {
	srv := jt.Start(t, jt.Options{SessionTimeout: 2})
	ctx := testContext(t)
	cl, err := Dial(ctx, srv.APIURL(), srv.Config.APISecret)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	silent, err := cl.CreateSession(ctx, time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	alive, err := cl.CreateSession(ctx, 500*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-silent.Done():
	case <-time.After(15 * time.Second):
		t.Fatal("a session without keepalives did not time out within 15 s (session_timeout 2 s)")
	}
	if !errors.Is(silent.Err(), ErrSessionGone) {
		t.Fatalf("timed-out session's Err = %v, want ErrSessionGone", silent.Err())
	}
	if err := alive.Err(); err != nil {
		t.Fatalf("the session with keepalives ended: %v", err)
	}
	if _, err := alive.AttachVideoRoom(ctx); err != nil {
		t.Fatalf("the session with keepalives is unusable: %v", err)
	}
}

// TestErrorsAreTyped: each failure maps to its class, so a caller can tell an
// unreachable Janus from a rejected request.
func TestErrorsAreTyped(t *testing.T) {
	f := newFixture(t, jt.Options{})
	ctx := testContext(t)

	if _, err := Dial(ctx, "ws://127.0.0.1:1", "x"); !errors.Is(err, ErrUnreachable) {
		t.Errorf("dial to a closed port: %v, want ErrUnreachable", err)
	}
	wrong, err := Dial(ctx, f.srv.APIURL(), "not-the-secret")
	if err != nil {
		t.Fatal(err)
	}
	defer wrong.Close()
	if _, err := wrong.CreateSession(ctx, 0); !errors.Is(err, ErrUnauthorized) || !errors.Is(err, ErrRejected) || errors.Is(err, ErrUnreachable) {
		t.Errorf("create with a wrong api_secret: %v, want ErrUnauthorized (rejected, not unreachable)", err)
	}
	if _, err := DialAdmin(ctx, f.srv.APIURL(), f.srv.Config.AdminSecret); !errors.Is(err, ErrUnreachable) && !errors.Is(err, ErrMalformed) {
		t.Errorf("admin protocol on the API port: %v, want a dial failure", err)
	}

	room := f.newRoom(t)
	if err := f.admin.CreateRoom(ctx, room); !errors.Is(err, ErrRoomExists) {
		t.Errorf("creating a room twice: %v, want ErrRoomExists", err)
	}
	if err := f.admin.DestroyRoom(ctx, room.ID, "wrong"); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("destroy with a wrong room secret: %v, want ErrUnauthorized", err)
	}
	if err := f.admin.Kick(ctx, room.ID, "wrong", 1); !errors.Is(err, ErrUnauthorized) {
		t.Errorf("kick with a wrong room secret: %v, want ErrUnauthorized", err)
	}
	if _, err := f.admin.Participants(ctx, room.ID+1); !errors.Is(err, ErrNoSuchRoom) {
		t.Errorf("participants of a missing room: %v, want ErrNoSuchRoom", err)
	}
	sub, err := f.session.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := sub.Subscribe(ctx, room.ID, 12345); !errors.Is(err, ErrNoSuchFeed) {
		t.Errorf("subscribing to a missing feed: %v, want ErrNoSuchFeed", err)
	}
	pub, err := f.session.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, sdp := range []string{"v=0\r\nthis is not an SDP\r\n", strings.Repeat("a=x\r\n", 100)} {
		_, _, err := pub.Publish(ctx, room.ID, "x", JSEP{Type: "offer", SDP: sdp})
		if !errors.Is(err, ErrInvalidSDP) || !errors.Is(err, ErrRejected) {
			t.Errorf("publishing a malformed SDP: %v, want ErrInvalidSDP", err)
		}
	}
	if _, _, err := pub.Publish(ctx, room.ID, "x", JSEP{Type: "answer", SDP: "v=0"}); !errors.Is(err, ErrInvalidSDP) {
		t.Errorf("publishing an answer: %v, want ErrInvalidSDP", err)
	}
	if err := sub.Start(ctx, JSEP{Type: "offer"}); !errors.Is(err, ErrInvalidSDP) {
		t.Errorf("start with an offer: %v, want ErrInvalidSDP", err)
	}

	// Janus killed: requests fail as unreachable, sessions end.
	f.srv.Kill()
	if _, err := f.admin.Participants(ctx, room.ID); !errors.Is(err, ErrUnreachable) {
		t.Errorf("request to a killed Janus: %v, want ErrUnreachable", err)
	}
	select {
	case <-f.session.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("the session did not end when Janus died")
	}
	if !errors.Is(f.session.Err(), ErrUnreachable) || !errors.Is(f.client.Err(), ErrUnreachable) {
		t.Errorf("after a kill: session %v, client %v; want ErrUnreachable", f.session.Err(), f.client.Err())
	}
	ctxShort, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	if _, err := Dial(ctxShort, f.srv.APIURL(), f.srv.Config.APISecret); !errors.Is(err, ErrUnreachable) {
		t.Errorf("dial to a killed Janus: %v, want ErrUnreachable", err)
	}
}

// TestPublisherLifecycle: participants, configure, unpublish, kick, and a
// publisher whose candidates are trickled rather than in its offer.
func TestPublisherLifecycle(t *testing.T) {
	f := newFixture(t, jt.Options{})
	ctx := testContext(t)
	api := jt.LocalAPI()
	room := f.newRoom(t)

	// A trickling publisher: the offer carries no candidate.
	snd, err := jt.NewSender(api)
	if err != nil {
		t.Fatal(err)
	}
	defer snd.Close()
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	if _, err := pc.AddTrack(snd.Track); err != nil {
		t.Fatal(err)
	}
	h, err := f.session.AttachVideoRoom(ctx)
	if err != nil {
		t.Fatal(err)
	}
	candidates := make(chan *webrtc.ICECandidate, 16)
	pc.OnICECandidate(func(c *webrtc.ICECandidate) { candidates <- c })
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	yes := true
	joined, answer, err := h.Publish(ctx, room.ID, "broadcaster", JSEP{Type: "offer", SDP: offer.SDP, Trickle: &yes})
	if err != nil {
		t.Fatal(err)
	}
	if err := jt.Accept(pc, answer.SDP); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for c := range candidates {
		if c == nil {
			if err := h.TrickleDone(ctx); err != nil {
				t.Fatal(err)
			}
			break
		}
		init := c.ToJSON()
		if err := h.Trickle(ctx, Candidate{Candidate: init.Candidate, SDPMid: init.SDPMid, SDPMLineIndex: init.SDPMLineIndex}); err != nil {
			t.Fatal(err)
		}
		sent++
	}
	if sent == 0 {
		t.Fatal("pion gathered no candidate to trickle")
	}
	go snd.Run(ctx, 30, 1000)
	waitEvent(t, h, "webrtcup")
	rcv, _, _ := f.subscribe(t, api, room, joined.ID)
	waitPackets(t, rcv, 30, 20*time.Second)
	// A second subscriber leaves the room; a third hangs up its
	// PeerConnection but keeps its handle.
	_, leaver, _ := f.subscribe(t, api, room, joined.ID)
	if err := leaver.Leave(ctx); err != nil {
		t.Fatalf("leave: %v", err)
	}
	hanger, hangerHandle, _ := f.subscribe(t, api, room, joined.ID)
	waitPackets(t, hanger, 1, 20*time.Second)
	if err := hangerHandle.Hangup(ctx); err != nil {
		t.Fatalf("hangup: %v", err)
	}
	waitEvent(t, hangerHandle, "hangup")

	ps, err := f.admin.Participants(ctx, room.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 1 || ps[0].ID != joined.ID || !ps[0].Publisher || ps[0].Display != "broadcaster" {
		t.Fatalf("participants %+v, want the one publisher %d", ps, joined.ID)
	}
	if _, err := h.Configure(ctx, 256_000, true, nil); err != nil {
		t.Fatalf("configure: %v", err)
	}

	if err := h.Unpublish(ctx); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the participant to show as not publishing", func() bool {
		ps, err := f.admin.Participants(ctx, room.ID)
		return err == nil && len(ps) == 1 && !ps[0].Publisher
	})
	// The subscriber's stream stops: no more packets after a grace period.
	time.Sleep(500 * time.Millisecond)
	n := rcv.Packets.Load()
	time.Sleep(time.Second)
	if got := rcv.Packets.Load(); got != n {
		t.Errorf("subscriber got %d packets after the publisher unpublished", got-n)
	}

	if err := f.admin.Kick(ctx, room.ID, room.Secret, joined.ID); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the kicked participant to leave", func() bool {
		ps, err := f.admin.Participants(ctx, room.ID)
		return err == nil && len(ps) == 0
	})
	if err := f.admin.DestroyRoom(ctx, room.ID, room.Secret); err != nil {
		t.Fatal(err)
	}
	if ok, err := f.admin.RoomExists(ctx, room.ID); err != nil || ok {
		t.Fatalf("room exists after destroy: %v %v", ok, err)
	}
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
