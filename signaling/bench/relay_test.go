package bench

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// relayCandidate is a typical trickled ICE candidate, as a browser's
// candidate.toJSON() gives it.
const relayCandidate = `{"candidate":"candidate:1 1 udp 2130706431 127.0.0.1 50000 typ host","sdpMid":"0","sdpMLineIndex":0}`

// BenchmarkRelay measures relayed messages per second: pairs broadcasters
// each send perPair candidates to their viewer through the daemon, at most
// window unanswered at a time (below the daemon's send queue, so nothing is
// dropped); beside it, as many connections each send the same bytes to the
// echo server and read them back. Run it once: -benchtime=1x.
func BenchmarkRelay(b *testing.B) {
	const pairs, perPair, window, rounds = 4, 10000, 32, 5
	for range b.N {
		d := startDaemon(b, 4*pairs)
		var daemonFlows []flow
		for range pairs {
			daemonFlows = append(daemonFlows, relayPair(b, d))
		}
		echo := startEcho(b)
		var echoFlows []flow
		for range pairs {
			ec := mustDial(b, echo.URL())
			msg := fmt.Appendf(nil, `{"type":"candidate","to":"Vb1yq0J4S2eT2m8o5rZk3A","candidate":%s}`, relayCandidate)
			echoFlows = append(echoFlows, flow{from: ec, to: ec, msg: msg})
		}

		// Alternate rounds so that both see the same machine; keep the
		// median of each.
		var daemonRate, echoRate []float64
		for range rounds {
			echoRate = append(echoRate, throughput(b, "echo", echoFlows, perPair, window))
			daemonRate = append(daemonRate, throughput(b, "daemon", daemonFlows, perPair, window))
		}
		if st := d.srv.Stats(); st.Connections != 2*pairs || st.Viewers != pairs {
			b.Fatalf("daemon dropped someone while relaying: %+v", st)
		}
		dr, er := median(daemonRate), median(echoRate)
		b.ReportMetric(dr, "daemon-msgs/s")
		b.ReportMetric(er, "echo-msgs/s")
		b.ReportMetric(dr/er, "ratio")
	}
}

func median(xs []float64) float64 {
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[len(s)/2]
}

// flow is one sender and one receiver of the same message, over and over.
type flow struct {
	from, to *websocket.Conn
	msg      []byte
}

// relayPair sets up a broadcaster and a subscribed viewer on a stream of
// one daemon, with the broadcaster's offer delivered so candidates are
// relayed at once.
func relayPair(b *testing.B, d *daemon) flow {
	b.Helper()
	return relayPairOn(b, d.chain, d.URL(), d.URL())
}

// throughput runs every flow at once, n messages each, and returns the
// messages delivered per second.
func throughput(b *testing.B, what string, flows []flow, n, window int) float64 {
	b.Helper()
	var wg sync.WaitGroup
	errs := make(chan error, 2*len(flows))
	start := time.Now()
	for _, f := range flows {
		credit := make(chan struct{}, window)
		wg.Add(2)
		go func() {
			defer wg.Done()
			for range n {
				credit <- struct{}{}
				if err := f.from.WriteMessage(websocket.TextMessage, f.msg); err != nil {
					errs <- err
					return
				}
			}
		}()
		go func() {
			defer wg.Done()
			_ = f.to.SetReadDeadline(time.Now().Add(time.Minute))
			for range n {
				_, data, err := f.to.ReadMessage()
				if err != nil {
					errs <- err
					return
				}
				var m envelope
				if err := json.Unmarshal(data, &m); err != nil || m.Type != "candidate" {
					errs <- fmt.Errorf("expected a candidate, got %s", data)
					return
				}
				<-credit
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	close(errs)
	for err := range errs {
		b.Fatalf("%s: %v", what, err)
	}
	return float64(n*len(flows)) / elapsed.Seconds()
}
