package sfu

import (
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/streamchain/streamchain/signaling/internal/janus"
	jt "github.com/streamchain/streamchain/testutil/janus"
)

// TestFanOutAndRevocation: a publisher and three subscribers through one
// instance; every subscriber receives; closing one (a revocation) stops its
// media within the bound while the others go on; closing the publication
// ends the rest and removes its room from Janus.
func TestFanOutAndRevocation(t *testing.T) {
	srv := jt.Start(t, jt.Options{})
	tier := startTier(t, Config{Backends: []BackendConfig{backendOf("a", srv, "")}}, 1)
	api := jt.LocalAPI()
	p, _ := publish(t, tier, api)
	var subs []*Subscription
	var rcvs []*jt.Receiver
	for range 3 {
		s, r := subscribe(t, p, api)
		subs, rcvs = append(subs, s), append(rcvs, r)
	}
	for _, r := range rcvs {
		waitPackets(t, r, 30, 20*time.Second)
	}
	if st := tier.Status()[0]; !st.Up || st.Rooms != 1 || st.Subscribers != 3 {
		t.Fatalf("status %+v, want up with 1 room and 3 subscribers", st)
	}

	at := time.Now()
	subs[0].Close()
	cut := lastPacketAfter(rcvs[0], at, time.Second)
	t.Logf("revoked subscriber's last packet %v after Close", cut)
	if cut > 2*time.Second {
		t.Errorf("media went on %v after the subscription was closed, want <= 2 s", cut)
	}
	<-subs[0].Done()
	if !errors.Is(subs[0].Err(), ErrClosed) {
		t.Errorf("closed subscription's error %v, want ErrClosed", subs[0].Err())
	}
	waitPackets(t, rcvs[1], 30, 10*time.Second) // the others go on
	if st := tier.Status()[0]; st.Subscribers != 2 {
		t.Fatalf("status %+v after one subscription closed, want 2 subscribers", st)
	}

	room := p.room.ID
	p.Close()
	for _, s := range subs[1:] {
		select {
		case <-s.Done():
		case <-time.After(5 * time.Second):
			t.Fatal("a subscription outlived its publication")
		}
	}
	if _, _, err := p.Subscribe(testContext(t)); !errors.Is(err, ErrClosed) {
		t.Errorf("subscribing to a closed publication: %v, want ErrClosed", err)
	}
	g, err := tier.backends[0].current()
	if err != nil {
		t.Fatal(err)
	}
	if exists, err := g.admin.RoomExists(testContext(t), room); err != nil || exists {
		t.Errorf("room %d exists=%v (%v) after the publication closed", room, exists, err)
	}
	if st := tier.Status()[0]; st.Rooms != 0 || st.Subscribers != 0 {
		t.Errorf("status %+v after the publication closed, want nothing placed", st)
	}
}

// TestCascadePastTheLimitAndFailover: with one subscriber per instance, the
// second subscriber is placed on a cascade to the second instance; both
// receive; a third finds the tier full. When the cascade's instance is
// SIGKILLed its subscriber's subscription ends as unavailable; once a
// place is free on the home, subscribing again brings frames back.
func TestCascadePastTheLimitAndFailover(t *testing.T) {
	ns := jt.NewNetNS(t)
	a := jt.Start(t, jt.Options{NS: ns, Name: "janus-a"})
	b := jt.Start(t, jt.Options{NS: ns, Name: "janus-b"})
	tier := startTier(t, Config{
		Backends:              []BackendConfig{backendOf("a", a, ns.NSIP), backendOf("b", b, ns.NSIP)},
		SubscribersPerBackend: 1,
	}, 2)
	api := jt.LocalAPI()
	p, snd := publish(t, tier, api)
	home := p.Backend()
	s1, r1 := subscribe(t, p, api)
	waitPackets(t, r1, 30, 20*time.Second)
	s2, r2 := subscribe(t, p, api)
	waitPackets(t, r2, 30, 20*time.Second)
	if s1.Cascaded() || s1.Backend() != home || !s2.Cascaded() || s2.Backend() == home {
		t.Fatalf("placement: first on %s (cascaded %v), second on %s (cascaded %v); home %s",
			s1.Backend(), s1.Cascaded(), s2.Backend(), s2.Cascaded(), home)
	}
	if _, _, err := p.Subscribe(testContext(t)); !errors.Is(err, ErrFull) {
		t.Fatalf("third subscriber with two instances of one place each: %v, want ErrFull", err)
	}
	b0, t0 := snd.BytesSent(), time.Now()
	time.Sleep(2 * time.Second)
	t.Logf("publisher upload with one subscriber on each instance: %.0f B/s", float64(snd.BytesSent()-b0)/time.Since(t0).Seconds())

	killed := a
	if home == "a" {
		killed = b
	}
	at := time.Now()
	killed.Kill()
	select {
	case <-s2.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the cascaded subscription did not end when its instance died")
	}
	if !errors.Is(s2.Err(), ErrUnavailable) {
		t.Errorf("cascaded subscription's error %v, want ErrUnavailable", s2.Err())
	}
	s1.Close() // a place on the home frees up
	_, r3 := subscribe(t, p, api)
	waitPackets(t, r3, 30, 20*time.Second)
	t.Logf("failover: frames again %v after the cascade's instance was killed", time.Since(at))
	if r2.PC == nil {
		t.Fatal("unreachable")
	}
}

// TestUnavailableAndRecovery: with the only instance down, publishing is
// ErrUnavailable and the status says why; when it is back the tier
// reconnects by itself and publishing works; killed mid-stream, the
// publication and its subscriptions end as unavailable.
func TestUnavailableAndRecovery(t *testing.T) {
	srv := jt.Start(t, jt.Options{})
	srv.Kill()
	tier := startTier(t, Config{Backends: []BackendConfig{backendOf("a", srv, "")}, Timeout: 2 * time.Second}, 0)

	if _, _, err := tier.Publish(testContext(t), newStream(), janus.JSEP{Type: "offer", SDP: "v=0"}); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("publish with the instance down: %v, want ErrUnavailable", err)
	}
	if st := tier.Status()[0]; st.Up || st.Error == "" {
		t.Fatalf("status with the instance down: %+v, want down with a reason", st)
	}

	srv.Restart()
	waitUntil(t, "reconnected", 20*time.Second, func() bool { return tier.Up() == 1 })
	api := jt.LocalAPI()
	p, _ := publish(t, tier, api)
	s, r := subscribe(t, p, api)
	waitPackets(t, r, 30, 20*time.Second)

	srv.Kill()
	for what, ch := range map[string]<-chan struct{}{"publication": p.Done(), "subscription": s.Done()} {
		select {
		case <-ch:
		case <-time.After(20 * time.Second):
			t.Fatalf("the %s did not end when its instance died", what)
		}
	}
	if !errors.Is(p.Err(), ErrUnavailable) || !errors.Is(s.Err(), ErrUnavailable) {
		t.Errorf("errors after the instance died: publication %v, subscription %v; want ErrUnavailable", p.Err(), s.Err())
	}
}

// TestBadSDP: offers and answers Janus cannot use are refused with
// ErrInvalidSDP, and nothing is left placed.
func TestBadSDP(t *testing.T) {
	srv := jt.Start(t, jt.Options{})
	tier := startTier(t, Config{Backends: []BackendConfig{backendOf("a", srv, "")}}, 1)
	ctx := testContext(t)
	for _, offer := range []janus.JSEP{
		{Type: "offer", SDP: "not sdp"},
		{Type: "offer", SDP: ""},
		{Type: "answer", SDP: "v=0\r\n"},
		{Type: "offer", SDP: "v=0\r\no=- 1 1 IN IP4 0.0.0.0\r\ns=-\r\nt=0 0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n"},
	} {
		if _, _, err := tier.Publish(ctx, newStream(), offer); err == nil || !errors.Is(err, ErrInvalidSDP) && !errors.Is(err, janus.ErrRejected) {
			t.Errorf("publish %q: %v, want a refusal", offer.SDP, err)
		}
	}
	if st := tier.Status()[0]; st.Rooms != 0 || st.Subscribers != 0 {
		t.Errorf("status after refused offers %+v, want nothing placed", st)
	}
	api := jt.LocalAPI()
	p, _ := publish(t, tier, api)
	s, _, err := p.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Start(ctx, janus.JSEP{Type: "answer", SDP: "garbage"}); err == nil {
		t.Error("a garbage answer was accepted")
	}
}

// TestTrickledCandidates: a publisher and a viewer that send their SDP
// before gathering (as browsers do) and trickle their candidates after it
// through the tier: Janus accepts every trickled candidate and media flows.
// (Janus would also learn a peer's address from the peer's own checks, as
// a peer-reflexive candidate; the test holds the tier to accepting the
// trickle, which browsers behind NATs need.)
func TestTrickledCandidates(t *testing.T) {
	srv := jt.Start(t, jt.Options{})
	tier := startTier(t, Config{Backends: []BackendConfig{backendOf("a", srv, "")}}, 1)
	api := jt.LocalAPI()
	ctx := testContext(t)
	trickle := true

	snd, err := jt.NewSender(api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(snd.Close)
	pc, err := api.NewPeerConnection(webrtc.Configuration{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = pc.Close() })
	if _, err := pc.AddTrack(snd.Track); err != nil {
		t.Fatal(err)
	}
	var pending []webrtc.ICECandidateInit
	var pub *Publication
	var mu sync.Mutex
	pc.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c == nil {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		if pub == nil {
			pending = append(pending, c.ToJSON())
			return
		}
		if err := pub.Trickle(ctx, candidate(c.ToJSON())); err != nil {
			t.Errorf("publisher trickle: %v", err)
		}
	})
	offer, err := pc.CreateOffer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := pc.SetLocalDescription(offer); err != nil {
		t.Fatal(err)
	}
	if n := len(jt.Candidates(offer.SDP)); n != 0 {
		t.Fatalf("the offer already holds %d candidates", n)
	}
	p, answer, err := tier.Publish(ctx, newStream(), janus.JSEP{Type: "offer", SDP: offer.SDP, Trickle: &trickle})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	mu.Lock()
	pub = p
	for _, c := range pending {
		if err := p.Trickle(ctx, candidate(c)); err != nil {
			t.Fatalf("publisher trickle: %v", err)
		}
	}
	mu.Unlock()
	if err := pc.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeAnswer, SDP: answer.SDP}); err != nil {
		t.Fatal(err)
	}
	go snd.Run(ctx, 30, 1000)

	s, joffer, err := p.Subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	r, err := jt.NewReceiver(api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	r.PC.OnICECandidate(func(c *webrtc.ICECandidate) {
		if c != nil {
			if err := s.Trickle(ctx, candidate(c.ToJSON())); err != nil {
				t.Errorf("viewer trickle: %v", err)
			}
		}
	})
	if err := r.PC.SetRemoteDescription(webrtc.SessionDescription{Type: webrtc.SDPTypeOffer, SDP: joffer.SDP}); err != nil {
		t.Fatal(err)
	}
	ans, err := r.PC.CreateAnswer(nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.PC.SetLocalDescription(ans); err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx, janus.JSEP{Type: "answer", SDP: ans.SDP, Trickle: &trickle}); err != nil {
		t.Fatal(err)
	}
	waitPackets(t, r, 30, 20*time.Second)
}

// candidate is pion's candidate in Janus's trickle shape (the browser's
// RTCIceCandidateInit).
func candidate(c webrtc.ICECandidateInit) janus.Candidate {
	return janus.Candidate{Candidate: c.Candidate, SDPMid: c.SDPMid, SDPMLineIndex: c.SDPMLineIndex}
}
