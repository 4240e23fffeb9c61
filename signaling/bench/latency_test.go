package bench

import (
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
// Beside each join the same bytes make one round trip through the echo
// server (the baseline). A second pass, after the joins, times the same
// exchange through the fan-out floor (startFanout), which writes the
// daemon's own viewer_joined and watching bytes and does nothing else: what
// no server doing two writes per join can beat. It has its own echo samples
// and runs apart, because interleaving it with the joins slowed the joins.
// Run it once: -benchtime=1x.
func BenchmarkJoinToPaired(b *testing.B) {
	const warmup, samples = 100, 2000
	for range b.N {
		d := startDaemon(b, 16)
		p := newJoinPair(b, d.chain, d.URL(), d.URL())
		ec := mustDial(b, startEcho(b).URL())

		var joins, echoes []time.Duration
		var streamCalls, subCalls int
		for i := range warmup + samples {
			if i == warmup {
				streamCalls, subCalls = d.chain.Calls("Stream"), d.chain.Calls("Subscription")
			}
			echo := echoRoundTrip(b, ec, p.watch)
			join := p.join(b)
			if i >= warmup {
				joins, echoes = append(joins, join), append(echoes, echo)
			}
		}
		if d.chain.Calls("Stream") != streamCalls || d.chain.Calls("Subscription") != subCalls {
			b.Fatalf("the chain was queried while measuring: the cache was not warm")
		}

		// The floor, with the bytes of one more join.
		send(b, p.vc, p.watch)
		joined, watching := mustRaw(b, p.bc, "viewer_joined", "viewer_count"), mustRaw(b, p.vc, "watching", "viewer_count")
		floor := startFanout(b, joined, watching)
		fb := mustDial(b, floor.URL()) // the first: the broadcaster's stand-in
		fv := mustDial(b, floor.URL())
		var floors, floorEchoes []time.Duration
		for i := range warmup + samples {
			echo := echoRoundTrip(b, ec, p.watch)
			t0 := time.Now()
			send(b, fv, p.watch)
			must(b, "floor viewer_joined", fb, "viewer_joined")
			must(b, "floor watching", fv, "watching")
			if fl := time.Since(t0); i >= warmup {
				floors, floorEchoes = append(floors, fl), append(floorEchoes, echo)
			}
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
		b.ReportMetric(float64(f50)/float64(percentile(floorEchoes, 50)), "floor-p50-ratio")
	}
}

// echoRoundTrip sends msg to the echo server and reads it back.
func echoRoundTrip(b *testing.B, ec *websocket.Conn, msg []byte) time.Duration {
	b.Helper()
	t0 := time.Now()
	send(b, ec, msg)
	must(b, "echo", ec, "watch")
	return time.Since(t0)
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
