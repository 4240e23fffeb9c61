package bench

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// BenchmarkJoinToPaired measures join→paired: from a signed-in viewer
// sending watch until both the broadcaster has viewer_joined and the viewer
// has watching, with the chain's answers cached (the fake chain must see no
// query while samples are taken). The viewer then leaves and joins again.
// Beside each join, in the same loop: the same bytes make one round trip
// through the echo server (the baseline), and the same exchange goes through
// the fan-out floor (startFanout), which writes the daemon's own
// viewer_joined and watching bytes and does nothing else: what no server
// doing two writes per join can beat. Run it once: -benchtime=1x.
func BenchmarkJoinToPaired(b *testing.B) {
	const warmup, samples = 100, 2000
	for range b.N {
		d := startDaemon(b, 16)
		owner, viewer := signalingtest.NewWallet(), signalingtest.NewWallet()
		now := time.Now()
		id := d.chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
		d.chain.Subscribe(viewer.Address, owner.Address)

		bc := mustSignIn(b, d.URL(), owner)
		send(b, bc, fmt.Appendf(nil, `{"type":"broadcast","stream_id":"%d"}`, id))
		must(b, "broadcasting", bc, "broadcasting")
		vc := mustSignIn(b, d.URL(), viewer)
		ec := mustDial(b, startEcho(b).URL())

		watch := fmt.Appendf(nil, `{"type":"watch","stream_id":"%d"}`, id)
		leave := []byte(`{"type":"leave"}`)
		// One join first, for the bytes the floor writes.
		send(b, vc, watch)
		joined, watching := mustRaw(b, bc, "viewer_joined", "viewer_count"), mustRaw(b, vc, "watching", "viewer_count")
		send(b, vc, leave)
		must(b, "left", vc, "left", "viewer_count")
		must(b, "viewer_left", bc, "viewer_left", "viewer_count")
		floor := startFanout(b, joined, watching)
		fb := mustDial(b, floor.URL()) // the first: the broadcaster's stand-in
		fv := mustDial(b, floor.URL())

		var joins, echoes, floors []time.Duration
		var streamCalls, subCalls int
		for i := range warmup + samples {
			if i == warmup {
				streamCalls, subCalls = d.chain.Calls("Stream"), d.chain.Calls("Subscription")
			}
			t0 := time.Now()
			send(b, ec, watch)
			must(b, "echo", ec, "watch")
			echo := time.Since(t0)

			t0 = time.Now()
			send(b, vc, watch)
			must(b, "viewer_joined", bc, "viewer_joined", "viewer_count")
			must(b, "watching", vc, "watching", "viewer_count")
			join := time.Since(t0)

			send(b, vc, leave)
			must(b, "left", vc, "left", "viewer_count")
			must(b, "viewer_left", bc, "viewer_left", "viewer_count")

			t0 = time.Now()
			send(b, fv, watch)
			must(b, "floor viewer_joined", fb, "viewer_joined")
			must(b, "floor watching", fv, "watching")
			fl := time.Since(t0)
			if i >= warmup {
				joins, echoes, floors = append(joins, join), append(echoes, echo), append(floors, fl)
			}
		}
		if d.chain.Calls("Stream") != streamCalls || d.chain.Calls("Subscription") != subCalls {
			b.Fatalf("the chain was queried while measuring: the cache was not warm")
		}

		j50, j99 := percentile(joins, 50), percentile(joins, 99)
		e50, e99 := percentile(echoes, 50), percentile(echoes, 99)
		f50 := percentile(floors, 50)
		b.ReportMetric(micros(j50), "daemon-p50-µs")
		b.ReportMetric(micros(j99), "daemon-p99-µs")
		b.ReportMetric(micros(e50), "echo-p50-µs")
		b.ReportMetric(micros(e99), "echo-p99-µs")
		b.ReportMetric(micros(f50), "floor-p50-µs")
		b.ReportMetric(float64(j50)/float64(e50), "p50-ratio")
		b.ReportMetric(float64(j99)/float64(e99), "p99-ratio")
		b.ReportMetric(float64(f50)/float64(e50), "floor-p50-ratio")
	}
}

func percentile(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100]
}

func micros(d time.Duration) float64 { return float64(d) / float64(time.Microsecond) }

func mustDial(b *testing.B, url string) *websocket.Conn {
	b.Helper()
	ws, err := dial(url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ws.Close() })
	return ws
}

func mustSignIn(b *testing.B, url string, w *signalingtest.Wallet) *websocket.Conn {
	b.Helper()
	ws := mustDial(b, url)
	if _, err := signIn(ws, w); err != nil {
		b.Fatal(err)
	}
	return ws
}

func send(b *testing.B, ws *websocket.Conn, msg []byte) {
	b.Helper()
	if err := ws.WriteMessage(websocket.TextMessage, msg); err != nil {
		b.Fatal(err)
	}
}

func mustRaw(b *testing.B, ws *websocket.Conn, typ string, skip ...string) []byte {
	b.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	_, data, err := readRaw(ws, typ, skip...)
	if err != nil {
		b.Fatalf("%s: %v", typ, err)
	}
	return data
}

func must(b *testing.B, what string, ws *websocket.Conn, typ string, skip ...string) envelope {
	b.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	m, err := read(ws, typ, skip...)
	if err != nil {
		b.Fatalf("%s: %v", what, err)
	}
	return m
}
