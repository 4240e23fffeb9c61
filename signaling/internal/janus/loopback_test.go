package janus

import (
	"net"
	"strings"
	"testing"
	"time"

	jt "github.com/streamchain/streamchain/testutil/janus"
)

// TestMediaStaysInTestNamespace proves where a test's Janus talks: every ICE
// candidate Janus puts in its SDP answer (publisher) and offer (subscriber),
// the SDPs' connection lines, the "local-ip" it reports, and every socket the
// process holds once media flows are on its namespace's veth address, never
// on the machine's own addresses. (Janus 1.1.2 skips loopback interfaces
// when it gathers, and libnice then falls back to every other interface:
// see testutil/janus.)
func TestMediaStaysInTestNamespace(t *testing.T) {
	f := newFixture(t, jt.Options{})
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(f.srv.Log())
		}
	})
	ctx := testContext(t)
	info, err := f.client.Info(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := f.srv.Config.BindIP
	if !jt.TestNet.Contains(net.ParseIP(want)) {
		t.Fatalf("Janus bound to %s, outside the test range %v", want, jt.TestNet)
	}
	if info.LocalIP != want || !info.APISecret {
		t.Fatalf("info: local-ip %q, api_secret %v; want %s and true", info.LocalIP, info.APISecret, want)
	}
	if _, ok := info.Plugins[VideoRoomPlugin]; !ok || len(info.Plugins) != 1 || len(info.Transports) != 1 {
		t.Fatalf("want only the VideoRoom plugin and one transport, got plugins %v transports %v", keys(info.Plugins), keys(info.Transports))
	}

	api := jt.LocalAPI()
	room := f.newRoom(t)
	_, pubHandle, joined, pubAnswer := f.publish(t, api, room)
	rcv, subHandle, subOffer := f.subscribe(t, api, room, joined.ID)
	waitPackets(t, rcv, 30, 20*time.Second)

	for name, sdp := range map[string]string{"publisher answer": pubAnswer, "subscriber offer": subOffer} {
		cands := jt.Candidates(sdp)
		if len(cands) == 0 {
			t.Fatalf("%s: Janus offered no candidates (half-trickle puts them in the SDP)", name)
		}
		for _, c := range cands {
			if addr := jt.CandidateAddress(c); addr != want {
				t.Errorf("%s: candidate on %q, not %s: %s", name, addr, want, c)
			}
		}
		for _, line := range strings.Split(sdp, "\n") {
			if strings.HasPrefix(line, "c=") && strings.TrimSpace(line) != "c=IN IP4 "+want {
				t.Errorf("%s: connection line %q", name, line)
			}
		}
		t.Logf("%s: %d candidates, all on %s: %v", name, len(cands), want, cands)
	}
	// Full trickle is off, so Janus trickles nothing; should it, the
	// candidates must be loopback too.
	for _, h := range []*VideoRoom{pubHandle, subHandle} {
		drain(t, h, func(ev Event) {
			if ev.Type == "trickle" && !strings.Contains(string(ev.Candidate), " "+want+" ") && !strings.Contains(string(ev.Candidate), "completed") {
				t.Errorf("Janus trickled a non-loopback candidate: %s", ev.Candidate)
			}
		})
	}

	socks, err := jt.Sockets(f.srv.PID())
	if err != nil {
		t.Fatal(err)
	}
	var udp int
	for _, s := range socks {
		if !s.Local.Equal(net.ParseIP(want)) {
			t.Errorf("janus holds a socket not bound to %s: %v", want, s)
		}
		if strings.HasPrefix(s.Proto, "udp") {
			udp++
			if s.Port < jt.DefaultRTPPortMin || s.Port > jt.DefaultRTPPortMax {
				t.Errorf("UDP socket outside the RTP range: %v", s)
			}
		}
	}
	if udp == 0 {
		t.Fatalf("no UDP socket found among janus's sockets %v: the check would prove nothing", socks)
	}
	t.Logf("janus sockets (%d, %d UDP): %v", len(socks), udp, socks)
}

func drain(t *testing.T, h *VideoRoom, fn func(Event)) {
	t.Helper()
	for {
		select {
		case ev := <-h.Events():
			fn(ev)
		default:
			return
		}
	}
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
