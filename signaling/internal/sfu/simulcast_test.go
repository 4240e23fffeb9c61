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
	api, err := jt.SimulcastAPI()
	if err != nil {
		t.Fatal(err)
	}
	snd, err := jt.NewSimulcastSender(api, []string{"h", "m", "l"}, "h", "m")
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
	p, answer, err := tier.Publish(ctx, t.Name(), janus.JSEP{Type: "offer", SDP: offer, Trickle: &noTrickle})
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
	h1, h2 := r1.Bytes.Load(), r2.Bytes.Load()
	time.Sleep(3 * time.Second)
	home, cascaded := float64(r1.Bytes.Load()-h1), float64(r2.Bytes.Load()-h2)
	t.Logf("over 3 s: home subscriber %.0f B, cascade subscriber %.0f B (%.2f×)", home, cascaded, cascaded/home)
	if home == 0 || cascaded < home/2 || cascaded > home*2 {
		t.Fatalf("cascade subscriber got %.0f B while the home subscriber got %.0f B: not the same layer", cascaded, home)
	}
}
