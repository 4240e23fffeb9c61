package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// BenchmarkSharedJoinAndRelay compares, in one run on one machine, the
// single-process daemon with two instances sharing a real redis-server:
// join→paired (a viewer's watch until it has watching and the broadcaster
// has viewer_joined) and relayed candidates per second, for a pair on one
// instance and for a broadcaster on A with its viewer on B. Samples
// alternate between the three so all see the same machine. Run it once:
// -benchtime=1x.
func BenchmarkSharedJoinAndRelay(b *testing.B) {
	const warmup, samples = 50, 1000
	const perPair, window, rounds = 5000, 32, 5
	for range b.N {
		single := startDaemon(b, 16)
		chain := signalingtest.NewChain(b)
		rd := signalingtest.StartRedis(b)
		a := startShared(b, chain, rd, "a")
		bb := startShared(b, chain, rd, "b")

		cases := []struct {
			name       string
			chain      *signalingtest.Chain
			bURL, vURL string
			joins      []time.Duration
			relayRates []float64
			joinPair   joinPair
			relay      flow
		}{
			{name: "single", chain: single.chain, bURL: single.URL(), vURL: single.URL()},
			{name: "shared-same", chain: chain, bURL: a, vURL: a},
			{name: "shared-cross", chain: chain, bURL: a, vURL: bb},
		}
		for i := range cases {
			c := &cases[i]
			c.joinPair = newJoinPair(b, c.chain, c.bURL, c.vURL)
			c.relay = relayPairOn(b, c.chain, c.bURL, c.vURL)
		}
		for i := range warmup + samples {
			for j := range cases {
				d := cases[j].joinPair.join(b)
				if i >= warmup {
					cases[j].joins = append(cases[j].joins, d)
				}
			}
		}
		for range rounds {
			for j := range cases {
				cases[j].relayRates = append(cases[j].relayRates, throughput(b, cases[j].name, []flow{cases[j].relay}, perPair, window))
			}
		}
		same50 := percentile(cases[1].joins, 50)
		for _, c := range cases {
			p50, p99 := percentile(c.joins, 50), percentile(c.joins, 99)
			b.ReportMetric(micros(p50), c.name+"-join-p50-µs")
			b.ReportMetric(micros(p99), c.name+"-join-p99-µs")
			b.ReportMetric(median(c.relayRates), c.name+"-relay-msgs/s")
		}
		b.ReportMetric(float64(percentile(cases[2].joins, 50))/float64(same50), "cross/same-join-p50")
		b.ReportMetric(median(cases[2].relayRates)/median(cases[1].relayRates), "cross/same-relay")
	}
}

// startShared runs one shared-mode instance in process (default liveness
// timing) and returns its WebSocket URL.
func startShared(tb testing.TB, chain *signalingtest.Chain, rd *signalingtest.Redis, id string) string {
	tb.Helper()
	sc := rd.SharedConfig(tb, id)
	sc.InstanceTTL, sc.RefreshInterval, sc.OpTimeout = 3*time.Second, time.Second, time.Second
	cfg := daemonConfig(16)
	cfg.MaxViewersPerAccount = 1000
	srv, err := signaling.New(cfg, signalingtest.DialChain(tb, chain.Addr()),
		signaling.WithLogger(signalingtest.Logger()), signaling.WithRegistry(prometheus.NewRegistry()), signaling.WithShared(sc))
	if err != nil {
		tb.Fatal(err)
	}
	return signalingtest.WSURL(signalingtest.Serve(tb, srv, nil).URL)
}

// joinPair is a broadcaster and a viewer that watches, leaves, and watches
// again.
type joinPair struct {
	bc, vc       *websocket.Conn
	watch, leave []byte
}

func newJoinPair(b *testing.B, chain *signalingtest.Chain, bURL, vURL string) joinPair {
	b.Helper()
	owner, viewer := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	id := chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
	chain.Subscribe(viewer.Address, owner.Address)
	bc := mustSignIn(b, bURL, owner)
	send(b, bc, fmt.Appendf(nil, `{"type":"broadcast","stream_id":"%d"}`, id))
	must(b, "broadcasting", bc, "broadcasting")
	return joinPair{bc: bc, vc: mustSignIn(b, vURL, viewer),
		watch: fmt.Appendf(nil, `{"type":"watch","stream_id":"%d"}`, id), leave: []byte(`{"type":"leave"}`)}
}

func (p joinPair) join(b *testing.B) time.Duration {
	b.Helper()
	t0 := time.Now()
	send(b, p.vc, p.watch)
	must(b, "viewer_joined", p.bc, "viewer_joined", "viewer_count")
	must(b, "watching", p.vc, "watching", "viewer_count")
	d := time.Since(t0)
	send(b, p.vc, p.leave)
	must(b, "left", p.vc, "left", "viewer_count")
	must(b, "viewer_left", p.bc, "viewer_left", "viewer_count")
	return d
}

// relayPairOn sets up a broadcaster on bURL and a subscribed viewer on
// vURL, with the broadcaster's offer delivered so candidates are relayed at
// once.
func relayPairOn(b *testing.B, chain *signalingtest.Chain, bURL, vURL string) flow {
	b.Helper()
	owner, viewer := signalingtest.NewWallet(), signalingtest.NewWallet()
	now := time.Now()
	id := chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
	chain.Subscribe(viewer.Address, owner.Address)
	bc := mustSignIn(b, bURL, owner)
	send(b, bc, fmt.Appendf(nil, `{"type":"broadcast","stream_id":"%d"}`, id))
	must(b, "broadcasting", bc, "broadcasting")
	vc := mustSignIn(b, vURL, viewer)
	send(b, vc, fmt.Appendf(nil, `{"type":"watch","stream_id":"%d"}`, id))
	must(b, "watching", vc, "watching")
	joined := must(b, "viewer_joined", bc, "viewer_joined")
	send(b, bc, fmt.Appendf(nil, `{"type":"offer","to":%q,"sdp":{"type":"offer","sdp":"v=0\r\n"}}`, joined.PeerID))
	must(b, "offer", vc, "offer", "viewer_count")
	return flow{from: bc, to: vc, msg: fmt.Appendf(nil, `{"type":"candidate","to":%q,"candidate":%s}`, joined.PeerID, relayCandidate)}
}

// BenchmarkSharedResumeAfterKill measures time to resume: two signalingd
// processes with the default liveness (3 s TTL, refreshed every 1 s); the
// stream's home A is killed with SIGKILL while its broadcaster streams to a
// viewer on B. The broadcaster reconnects to B at once and retries its
// broadcast until B takes the stream; the viewer watches again when told
// instance_lost. Resumed is when the viewer is paired again (watching and
// broadcaster_joined, the broadcaster viewer_joined). Run it once:
// -benchtime=1x; it repeats the kill `kills` times.
func BenchmarkSharedResumeAfterKill(b *testing.B) {
	const kills = 5
	bin := signalingtest.BuildSignalingd(b)
	for range b.N {
		chain := signalingtest.NewChain(b)
		rd := signalingtest.StartRedis(b)
		args := func(id string) []string {
			return []string{"-redis", rd.URL(), "-instance-id", id, "-allowed-origins", "*", "-public-origin", benchOrigin, "-log-level", "error"}
		}
		var resumes, told []time.Duration
		for k := range kills {
			a := signalingtest.StartSignalingd(b, bin, chain.Addr(), args(fmt.Sprintf("a%d", k))...)
			v := signalingtest.StartSignalingd(b, bin, chain.Addr(), args(fmt.Sprintf("b%d", k))...)
			waitTwo(b, v.URL())
			owner, viewer := signalingtest.NewWallet(), signalingtest.NewWallet()
			now := time.Now()
			id := chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
			chain.Subscribe(viewer.Address, owner.Address)
			broadcast := fmt.Appendf(nil, `{"type":"broadcast","stream_id":"%d"}`, id)
			watch := fmt.Appendf(nil, `{"type":"watch","stream_id":"%d"}`, id)

			bc := mustSignIn(b, signalingtest.WSURL(a.URL()), owner)
			send(b, bc, broadcast)
			must(b, "broadcasting", bc, "broadcasting")
			vc := mustSignIn(b, signalingtest.WSURL(v.URL()), viewer)
			send(b, vc, watch)
			must(b, "watching", vc, "watching")
			must(b, "viewer_joined", bc, "viewer_joined")

			killed := time.Now()
			a.Kill()
			bc2 := mustSignIn(b, signalingtest.WSURL(v.URL()), owner)
			for {
				send(b, bc2, broadcast)
				m := next(b, bc2)
				if m["type"] == "broadcasting" {
					break
				}
				if m["code"] != "shared_state_unavailable" {
					b.Fatalf("broadcast on b: %v", m)
				}
				time.Sleep(50 * time.Millisecond)
			}
			must(b, "stream_ended", vc, "stream_ended", "viewer_count", "broadcaster_joined")
			told = append(told, time.Since(killed))
			send(b, vc, watch)
			var w map[string]any
			for w = next(b, vc); w["type"] == "viewer_count"; w = next(b, vc) {
			}
			if w["type"] != "watching" {
				b.Fatalf("watch on b: %v", w)
			}
			if w["broadcaster_peer_id"] == "" {
				must(b, "broadcaster_joined", vc, "broadcaster_joined", "viewer_count")
			}
			must(b, "viewer_joined", bc2, "viewer_joined", "viewer_count")
			resumes = append(resumes, time.Since(killed))
			v.Stop()
		}
		b.ReportMetric(float64(percentile(resumes, 50))/float64(time.Millisecond), "resume-p50-ms")
		b.ReportMetric(float64(slicesMax(resumes))/float64(time.Millisecond), "resume-max-ms")
		b.ReportMetric(float64(percentile(told, 50))/float64(time.Millisecond), "told-instance_lost-p50-ms")
	}
}

// next is the next message on ws, whatever it is.
func next(b *testing.B, ws *websocket.Conn) map[string]any {
	b.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(20 * time.Second))
	_, data, err := ws.ReadMessage()
	if err != nil {
		b.Fatal(err)
	}
	m := map[string]any{}
	if err := json.Unmarshal(data, &m); err != nil {
		b.Fatal(err)
	}
	return m
}

func slicesMax(ds []time.Duration) time.Duration {
	m := ds[0]
	for _, d := range ds {
		m = max(m, d)
	}
	return m
}

func waitTwo(b *testing.B, url string) {
	b.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url + "/instances.json")
		if err != nil {
			b.Fatal(err)
		}
		var list signaling.InstancesList
		err = json.NewDecoder(resp.Body).Decode(&list)
		_ = resp.Body.Close()
		if err == nil && len(list.Instances) == 2 {
			return
		}
		if time.Now().After(deadline) {
			b.Fatalf("instances never saw each other: %v", list.Instances)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
