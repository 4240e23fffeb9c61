package sfu

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	"github.com/streamchain/streamchain/signaling/internal/janus"
	jt "github.com/streamchain/streamchain/testutil/janus"
)

// noTrickle marks an SDP that carries all its candidates.
var noTrickle = false

// lastStream numbers the tests' streams.
var lastStream atomic.Uint64

func newStream() uint64 { return lastStream.Add(1) }

func testContext(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// backendOf is the tier's configuration for a test Janus; relayIP is where
// it receives cascades ("" for none).
func backendOf(name string, srv *jt.Server, relayIP string) BackendConfig {
	return BackendConfig{Name: name, URL: srv.APIURL(), APISecret: srv.Config.APISecret, RelayIP: relayIP}
}

// startTier runs a tier until the test ends and waits for up instances
// (none: it does not wait).
func startTier(t testing.TB, cfg Config, up int) *Tier {
	t.Helper()
	tier, err := New(cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { tier.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	waitUntil(t, "instances up", 20*time.Second, func() bool { return tier.Up() == up })
	return tier
}

// publish has a pion sender publish through tier, sending 30 frames a
// second of 1000 bytes.
func publish(t testing.TB, tier *Tier, api *webrtc.API) (*Publication, *jt.Sender) {
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
	p, answer, err := tier.Publish(ctx, newStream(), janus.JSEP{Type: "offer", SDP: offer, Trickle: &noTrickle})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if err := jt.Accept(pc, answer.SDP); err != nil {
		t.Fatal(err)
	}
	go snd.Run(ctx, 30, 1000)
	return p, snd
}

// subscribe has a pion receiver subscribe to p.
func subscribe(t testing.TB, p *Publication, api *webrtc.API) (*Subscription, *jt.Receiver) {
	t.Helper()
	s, r, err := trySubscribe(t, p, api)
	if err != nil {
		t.Fatal(err)
	}
	return s, r
}

// trySubscribe is subscribe that returns the placement's error; before,
// if any, runs between the placement and the viewer's answer.
func trySubscribe(t testing.TB, p *Publication, api *webrtc.API, before ...func(*Subscription)) (*Subscription, *jt.Receiver, error) {
	t.Helper()
	ctx := testContext(t)
	s, offer, err := p.Subscribe(ctx)
	if err != nil {
		return nil, nil, err
	}
	t.Cleanup(s.Close)
	for _, f := range before {
		f(s)
	}
	r, err := jt.NewReceiver(api)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	answer, err := r.Answer(ctx, offer.SDP)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(ctx, janus.JSEP{Type: "answer", SDP: answer, Trickle: &noTrickle}); err != nil {
		t.Fatal(err)
	}
	return s, r, nil
}

func waitUntil(t testing.TB, what string, within time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(within)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitPackets waits until r has at least n more RTP packets than from.
func waitPackets(t testing.TB, r *jt.Receiver, n uint64, within time.Duration) {
	t.Helper()
	from := r.Packets.Load()
	waitUntil(t, "RTP packets", within, func() bool { return r.Packets.Load() >= from+n })
}

// lastPacketAfter is how long after `at` r's packets stopped: it waits until
// none has come for quiet and returns when the last one did, relative to
// at (0 if none came after at).
func lastPacketAfter(r *jt.Receiver, at time.Time, quiet time.Duration) time.Duration {
	n, last := r.Packets.Load(), at
	for time.Since(last) < quiet {
		time.Sleep(10 * time.Millisecond)
		if m := r.Packets.Load(); m != n {
			n, last = m, time.Now()
		}
	}
	return last.Sub(at)
}
