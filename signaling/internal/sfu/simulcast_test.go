package sfu

import (
	"strings"
	"testing"
	"time"

	"github.com/streamchain/streamchain/signaling/internal/janus"
	jt "github.com/streamchain/streamchain/testutil/janus"
)

// TestSimulcastReachesCascades: a publisher offers three simulcast layers
// and sends the two highest, as Chromium does from a 640×480 camera. A
// subscriber on the home instance and one on a cascade both get the
// highest layer: the cascade is told the video is simulcast, so it takes
// every layer the relay forwards, not only the lowest (which never comes).
func TestSimulcastReachesCascades(t *testing.T) {
	ns := jt.NewNetNS(t)
	a := jt.Start(t, jt.Options{NS: ns, Name: "janus-a"})
	b := jt.Start(t, jt.Options{NS: ns, Name: "janus-b"})
	tier := startTier(t, Config{
		Backends:              []BackendConfig{backendOf("a", a, ns.NSIP), backendOf("b", b, ns.NSIP)},
		SubscribersPerBackend: 1,
	}, 2)
	ctx := testContext(t)
	p := publishSimulcast(t, tier, "h", "m")
	viewers := jt.LocalAPI()
	s1, r1 := subscribe(t, p, viewers)
	waitPackets(t, r1, 30, 20*time.Second)
	s2, r2 := subscribe(t, p, viewers)
	if s1.Cascaded() || !s2.Cascaded() {
		t.Fatalf("placement: first cascaded %v, second cascaded %v; want home then cascade", s1.Cascaded(), s2.Cascaded())
	}
	waitPackets(t, r2, 30, 20*time.Second)

	// Both get the highest layer sent: the same bytes over the same
	// time, where the next layer down would be a quarter.
	home, cascaded := bytesOver(3*time.Second, r1, r2)
	t.Logf("over 3 s: home subscriber %.0f B, cascade subscriber %.0f B (%.2f×)", home, cascaded, cascaded/home)
	if home == 0 || cascaded < home/2 || cascaded > home*2 {
		t.Fatalf("cascade subscriber got %.0f B while the home subscriber got %.0f B: not the same layer", cascaded, home)
	}

	// Quality: the cascade's viewer asks for the medium layer and gets a
	// quarter of the bytes; asking for the low layer, which the publisher
	// does not send, leaves the home's viewer on the lowest layer sent;
	// back to high, the same bytes again.
	if err := s2.SetQuality(ctx, QualityMedium); err != nil {
		t.Fatal(err)
	}
	if err := s1.SetQuality(ctx, QualityLow); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second) // the switch waits for a keyframe of the new layer
	home, cascaded = bytesOver(3*time.Second, r1, r2)
	t.Logf("asked low and medium: home %.0f B, cascade %.0f B", home, cascaded)
	if ratio := cascaded / home; home == 0 || ratio < 0.5 || ratio > 2 {
		t.Fatalf("asked for low (not sent) and medium, the viewers got %.0f and %.0f B: want both on the medium layer", home, cascaded)
	}
	if err := s2.SetQuality(ctx, QualityHigh); err != nil {
		t.Fatal(err)
	}
	time.Sleep(time.Second)
	low, high := bytesOver(3*time.Second, r1, r2)
	t.Logf("medium beside high: %.0f B vs %.0f B (%.2f×)", low, high, low/high)
	if high == 0 || low/high > 0.5 {
		t.Fatalf("the medium layer (%.0f B) is not a fraction of the high one (%.0f B)", low, high)
	}
}

// TestQualityChosenBeforeTheAnswer: a viewer that chooses its quality
// before answering the media server's offer gets that layer from the
// start.
func TestQualityChosenBeforeTheAnswer(t *testing.T) {
	ns := jt.NewNetNS(t)
	a := jt.Start(t, jt.Options{NS: ns, Name: "janus-a"})
	tier := startTier(t, Config{Backends: []BackendConfig{backendOf("a", a, "")}}, 1)
	p := publishSimulcast(t, tier, "h", "m", "l")
	viewers := jt.LocalAPI()
	_, high := subscribe(t, p, viewers)
	_, low, err := trySubscribe(t, p, viewers, func(s *Subscription) {
		if err := s.SetQuality(testContext(t), QualityLow); err != nil {
			t.Fatal(err)
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	waitPackets(t, low, 30, 20*time.Second)
	waitPackets(t, high, 30, 20*time.Second)
	h, l := bytesOver(3*time.Second, high, low)
	t.Logf("low beside high: %.0f B vs %.0f B (%.3f×)", l, h, l/h)
	if h == 0 || l/h > 0.2 {
		t.Fatalf("asked for the low layer before answering, the viewer got %.0f B beside %.0f B for the high one", l, h)
	}
}

// publishSimulcast publishes through tier a pion sender offering the
// layers h, m and l and sending those in sent, 30 frames a second of 4000
// bytes on h, a quarter of that on each layer below.
func publishSimulcast(t testing.TB, tier *Tier, sent ...string) *Publication {
	t.Helper()
	ctx := testContext(t)
	api, err := jt.SimulcastAPI()
	if err != nil {
		t.Fatal(err)
	}
	snd, err := jt.NewSimulcastSender(api, []string{"h", "m", "l"}, sent...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(snd.Close)
	pc, offer, err := snd.Offer(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(offer, "a=simulcast:send h;m;l") {
		t.Fatalf("the publisher's offer has no simulcast layers:\n%s", offer)
	}
	p, answer, err := tier.Publish(ctx, newStream(), janus.JSEP{Type: "offer", SDP: offer, Trickle: &noTrickle})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(p.Close)
	if !strings.Contains(answer.SDP, "a=simulcast:recv") {
		t.Fatalf("Janus did not take the layers:\n%s", answer.SDP)
	}
	if err := jt.Accept(pc, answer.SDP); err != nil {
		t.Fatal(err)
	}
	go snd.Run(ctx, 30, 4000)
	return p
}

// bytesOver is how many payload bytes each receiver got during d.
func bytesOver(d time.Duration, rs ...*jt.Receiver) (float64, float64) {
	b0 := make([]uint64, len(rs))
	for i, r := range rs {
		b0[i] = r.Bytes.Load()
	}
	time.Sleep(d)
	return float64(rs[0].Bytes.Load() - b0[0]), float64(rs[1].Bytes.Load() - b0[1])
}
