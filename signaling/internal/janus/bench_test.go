package janus

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pion/webrtc/v4"

	jt "github.com/streamchain/streamchain/testutil/janus"
)

// BenchmarkSFU measures the SFU tier against the direct path in one run
// (`make bench-sfu`; one iteration, -benchtime 1x):
//   - the stream: 30 fps of SFU_BENCH_FRAME bytes (default 2000: 480 kbit/s;
//     7300 is LiveKit's 720p, ~1.75 Mbit/s);
//   - the broadcaster's upload (bytes/s at the ICE transport) against N
//     viewers: direct (one pion PeerConnection per viewer) and through a
//     Janus VideoRoom, for N in SFU_BENCH_N (default 1,2,5,10,50,100); viewers
//     are added to the same stream from one N to the next, each point is a
//     SFU_BENCH_WINDOW (default 3 s) window;
//   - Janus's CPU (utime+stime from /proc) over the largest N's window, per
//     viewer;
//   - join → first RTP packet, p50/p95 over SFU_BENCH_JOINS (default 20)
//     sequential joins each way, alternating;
//   - failover: a publisher and a viewer on Janus A; A is SIGKILLed; the
//     harness notices (the client's connection ends), re-publishes on Janus B
//     and re-subscribes the viewer there; time from the kill to the viewer's
//     first packet from B, over 3 rounds.
//
// The figures go to SFU_FIGURES (a Markdown file) and the benchmark's
// metrics.
func BenchmarkSFU(b *testing.B) {
	for range b.N {
		runSFUBench(b)
	}
}

type benchSettings struct {
	ns                []int
	window            time.Duration
	joins, fps, frame int
}

func sfuSettings(b *testing.B) benchSettings {
	s := benchSettings{ns: []int{1, 2, 5, 10, 50, 100}, window: 3 * time.Second, joins: 20, fps: 30, frame: 2000}
	if v := os.Getenv("SFU_BENCH_N"); v != "" {
		s.ns = nil
		for _, f := range strings.Split(v, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				b.Fatalf("SFU_BENCH_N: bad count %q", f)
			}
			s.ns = append(s.ns, n)
		}
		slices.Sort(s.ns)
	}
	if v := os.Getenv("SFU_BENCH_WINDOW"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatal(err)
		}
		s.window = d
	}
	if v := os.Getenv("SFU_BENCH_JOINS"); v != "" {
		s.joins, _ = strconv.Atoi(v)
	}
	if v := os.Getenv("SFU_BENCH_FRAME"); v != "" {
		s.frame, _ = strconv.Atoi(v)
	}
	if s.joins < 1 || s.frame < 100 {
		b.Fatalf("SFU_BENCH_JOINS must be >= 1 and SFU_BENCH_FRAME >= 100 bytes")
	}
	return s
}

type uploadPoint struct {
	n                     int
	direct, sfu           float64 // bytes/s
	directPerFr, sfuPerFr float64 // bytes sent per frame written
	directOK, sfuOK       int     // viewers that received in the window
	directConn, sfuConn   int     // viewers connected (first packet within the bound)
	janusCPU, elapsed     time.Duration
}

func runSFUBench(b *testing.B) {
	set := sfuSettings(b)
	// SFU_BENCH_EVENT_LOOPS: unset, one event loop per CPU (as the devnet
	// runs); -1, Janus's thread per PeerConnection; n, n loops.
	loops, _ := strconv.Atoi(os.Getenv("SFU_BENCH_EVENT_LOOPS"))
	f := newFixture(b, jt.Options{DebugLevel: 3, EventLoops: loops})
	api := jt.LocalAPI()
	ctx := testContext(b)
	var out strings.Builder
	fmt.Fprintf(&out, "# SFU tier figures (Janus %s VideoRoom vs direct pion peers)\n\n", janusVersion(ctx, f))
	fmt.Fprintf(&out, "Run %s on %s, %d CPUs; Janus event_loops %d (0: a thread per PeerConnection); stream: synthetic VP8, %d fps x %d B (%.0f kbit/s payload); window %v per point.\n\n",
		time.Now().UTC().Format(time.RFC3339), cpuModel(), runtime.NumCPU(), f.srv.Config.EventLoops, set.fps, set.frame, float64(set.fps*set.frame*8)/1000, set.window)

	// Upload against N, both ways, viewers added point by point.
	room := f.newRoom(b)
	sfuSender, _, joined := benchPublish(b, f, room, set)
	directSender, err := jt.NewSender(api)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(directSender.Close)
	go directSender.Run(ctx, set.fps, set.frame)
	var sfuViewers, directViewers []*jt.Receiver
	var points []uploadPoint
	for _, n := range set.ns {
		for len(sfuViewers) < n {
			r, _ := benchSubscribe(b, f, jt.LocalAPI(), room, joined.ID)
			sfuViewers = append(sfuViewers, r)
			directViewers = append(directViewers, benchDirect(b, directSender))
		}
		p := uploadPoint{n: n, sfuConn: connected(sfuViewers), directConn: connected(directViewers)}
		cpu0, _ := f.srv.CPUTime()
		sb0, db0, t0 := sfuSender.BytesSent(), directSender.BytesSent(), time.Now()
		sf0, df0 := sfuSender.Frames.Load(), directSender.Frames.Load()
		rs0, rd0 := received(sfuViewers), received(directViewers)
		time.Sleep(set.window)
		cpu1, _ := f.srv.CPUTime()
		p.elapsed = time.Since(t0)
		p.sfu = float64(sfuSender.BytesSent()-sb0) / p.elapsed.Seconds()
		p.direct = float64(directSender.BytesSent()-db0) / p.elapsed.Seconds()
		p.sfuPerFr = float64(sfuSender.BytesSent()-sb0) / float64(max(sfuSender.Frames.Load()-sf0, 1))
		p.directPerFr = float64(directSender.BytesSent()-db0) / float64(max(directSender.Frames.Load()-df0, 1))
		p.janusCPU = cpu1 - cpu0
		p.sfuOK, p.directOK = grew(rs0, received(sfuViewers)), grew(rd0, received(directViewers))
		points = append(points, p)
		b.Logf("N=%d: direct %.0f B/s (%.0f B/frame), SFU %.0f B/s (%.0f B/frame), Janus CPU %v over %v; viewers connected %d/%d direct, %d/%d SFU; receiving %d, %d",
			n, p.direct, p.directPerFr, p.sfu, p.sfuPerFr, p.janusCPU, p.elapsed.Round(time.Millisecond),
			p.directConn, n, p.sfuConn, n, p.directOK, p.sfuOK)
	}
	for _, r := range append(sfuViewers, directViewers...) {
		r.Close()
	}
	directSender.Close()

	base := points[0]
	fmt.Fprintf(&out, "## Broadcaster upload against N viewers\n\n")
	fmt.Fprintf(&out, "Upload per frame written (bytes sent at the ICE transport / frames the broadcaster wrote) is the figure that\n"+
		"does not depend on how often a loaded machine ran the sender; bytes/s are as measured.\n\n")
	fmt.Fprintf(&out, "| N | direct B/frame | direct / N=1 | SFU B/frame | SFU / N=1 | direct B/s | SFU B/s | viewers receiving (direct, SFU) |\n|---|---|---|---|---|---|---|---|\n")
	for _, p := range points {
		fmt.Fprintf(&out, "| %d | %.0f | %.2fx | %.0f | %.2fx | %.0f | %.0f | %d/%d, %d/%d |\n", p.n, p.directPerFr, p.directPerFr/base.directPerFr,
			p.sfuPerFr, p.sfuPerFr/base.sfuPerFr, p.direct, p.sfu, p.directOK, p.n, p.sfuOK, p.n)
	}
	last := points[len(points)-1]
	cores := last.janusCPU.Seconds() / last.elapsed.Seconds()
	fmt.Fprintf(&out, "\n## Janus CPU at N=%d\n\n%.3f cores over the window (%v CPU in %v): %.2f ms CPU per viewer per second, %.0f viewers per core at this bitrate (LiveKit publishes ~190 per core).\n\n",
		last.n, cores, last.janusCPU, last.elapsed.Round(time.Millisecond), 1000*cores/float64(last.n), float64(last.n)/max(cores, 1e-9))
	b.ReportMetric(last.sfuPerFr/base.sfuPerFr, "sfu-upload-ratio")
	b.ReportMetric(last.directPerFr/base.directPerFr, "direct-upload-ratio")
	b.ReportMetric(float64(last.n)/max(cores, 1e-9), "viewers-per-janus-core")

	// Join → first frame.
	sfuJoins, passiveJoins, directJoins := joinLatencies(b, f, room, joined.ID, sfuSender, set.joins)
	s50, s95 := pct(sfuJoins, 50), pct(sfuJoins, 95)
	p50, p95 := pct(passiveJoins, 50), pct(passiveJoins, 95)
	d50, d95 := pct(directJoins, 50), pct(directJoins, 95)
	fmt.Fprintf(&out, "## Join → first RTP packet (%d joins each, in turn)\n\n| path | p50 | p95 | p50 / direct | p95 / direct |\n|---|---|---|---|---|\n"+
		"| SFU, viewer answers as DTLS client | %v | %v | %.2fx | %.2fx |\n| SFU, viewer answers as DTLS server | %v | %v | %.2fx | %.2fx |\n| direct | %v | %v | | |\n\n",
		len(sfuJoins), s50, s95, s50.Seconds()/d50.Seconds(), s95.Seconds()/d95.Seconds(),
		p50, p95, p50.Seconds()/d50.Seconds(), p95.Seconds()/d95.Seconds(), d50, d95)
	b.ReportMetric(float64(s50.Milliseconds()), "sfu-join-p50-ms")
	b.ReportMetric(float64(p50.Milliseconds()), "sfu-passive-join-p50-ms")
	b.ReportMetric(float64(d50.Milliseconds()), "direct-join-p50-ms")

	// Failover between two instances.
	fo := failover(b, set, 3)
	slices.Sort(fo)
	fmt.Fprintf(&out, "## Failover (SIGKILL of the viewer's Janus → first packet from the other)\n\nRounds: %v; median %v.\n", fo, fo[len(fo)/2])
	b.ReportMetric(float64(fo[len(fo)/2].Milliseconds()), "failover-median-ms")

	b.Log("\n" + out.String())
	if path := os.Getenv("SFU_FIGURES"); path != "" {
		if err := os.WriteFile(path, []byte(out.String()), 0o644); err != nil {
			b.Fatal(err)
		}
	}
}

// benchPublish publishes a Sender at the benchmark's rate.
func benchPublish(b testing.TB, f *fixture, room Room, set benchSettings) (*jt.Sender, *VideoRoom, *Joined) {
	b.Helper()
	snd, h, joined, _ := f.publishAt(b, jt.LocalAPI(), room, set.fps, set.frame)
	return snd, h, joined
}

func benchSubscribe(b testing.TB, f *fixture, api *webrtc.API, room Room, feed uint64) (*jt.Receiver, *VideoRoom) {
	b.Helper()
	r, h, _ := f.subscribe(b, api, room, feed)
	return r, h
}

// benchDirect connects a new viewer straight to snd.
func benchDirect(b testing.TB, snd *jt.Sender) *jt.Receiver {
	b.Helper()
	ctx := testContext(b)
	pc, offer, err := snd.Offer(ctx)
	if err != nil {
		b.Fatal(err)
	}
	r, err := jt.NewReceiver(jt.LocalAPI())
	if err != nil {
		b.Fatal(err)
	}
	answer, err := r.Answer(ctx, offer)
	if err != nil {
		b.Fatal(err)
	}
	if err := jt.Accept(pc, answer); err != nil {
		b.Fatal(err)
	}
	return r
}

// connected waits (up to 60 s in all) for every viewer's first packet and
// counts those that got one: on a loaded machine a few may not, and the
// table says so rather than the run failing.
func connected(rs []*jt.Receiver) int {
	deadline := time.Now().Add(60 * time.Second)
	n := 0
	for _, r := range rs {
		t := time.NewTimer(max(time.Until(deadline), time.Millisecond))
		select {
		case <-r.FirstPacket():
			n++
		case <-t.C:
		}
		t.Stop()
	}
	return n
}

func received(rs []*jt.Receiver) []uint64 {
	out := make([]uint64, len(rs))
	for i, r := range rs {
		out[i] = r.Packets.Load()
	}
	return out
}

func grew(before, after []uint64) int {
	n := 0
	for i := range before {
		if after[i] > before[i] {
			n++
		}
	}
	return n
}

// joinLatencies times n joins each way, in turn: SFU (Subscribe → first
// packet) with the viewer as DTLS client (as browsers answer), the same
// with the viewer as DTLS server (jt.PassiveAnswerer), and direct (offer →
// first packet); each closed after.
func joinLatencies(b testing.TB, f *fixture, room Room, feed uint64, _ *jt.Sender, n int) (sfu, sfuPassive, direct []time.Duration) {
	b.Helper()
	api, passive := jt.LocalAPI(), jt.LocalAPI(jt.PassiveAnswerer)
	directSender, err := jt.NewSender(api)
	if err != nil {
		b.Fatal(err)
	}
	defer directSender.Close()
	ctx, cancel := context.WithCancel(testContext(b))
	defer cancel()
	go directSender.Run(ctx, 30, 2000)
	for range n {
		t0 := time.Now()
		r, h := benchSubscribe(b, f, api, room, feed)
		waitPackets(b, r, 1, 30*time.Second)
		sfu = append(sfu, r.FirstPacketAt().Sub(t0))
		r.Close()
		_ = h.Detach(ctx)

		t0 = time.Now()
		r, h = benchSubscribe(b, f, passive, room, feed)
		waitPackets(b, r, 1, 30*time.Second)
		sfuPassive = append(sfuPassive, r.FirstPacketAt().Sub(t0))
		r.Close()
		_ = h.Detach(ctx)

		t0 = time.Now()
		d := benchDirect(b, directSender)
		waitPackets(b, d, 1, 30*time.Second)
		direct = append(direct, d.FirstPacketAt().Sub(t0))
		d.Close()
	}
	return sfu, sfuPassive, direct
}

// failover runs rounds of: publisher and viewer on one of two Janus
// instances, SIGKILL it, re-publish and re-subscribe on the other; it
// returns the times from the kill to the viewer's first packet there.
func failover(b testing.TB, set benchSettings, rounds int) []time.Duration {
	b.Helper()
	a, c := newFixture(b, jt.Options{DebugLevel: 3}), newFixture(b, jt.Options{DebugLevel: 3})
	api := jt.LocalAPI()
	var out []time.Duration
	active, standby := a, c
	for range rounds {
		room := active.newRoom(b)
		_, _, joined, _ := active.publishAt(b, api, room, set.fps, set.frame)
		r, _, _ := active.subscribe(b, api, room, joined.ID)
		waitPackets(b, r, 10, 30*time.Second)

		killed := time.Now()
		active.srv.Kill()
		<-active.client.Done() // the harness learns of the loss from its connection
		r.Close()
		room2 := standby.newRoom(b)
		_, _, joined2, _ := standby.publishAt(b, api, room2, set.fps, set.frame)
		r2, _, _ := standby.subscribe(b, api, room2, joined2.ID)
		waitPackets(b, r2, 1, 30*time.Second)
		out = append(out, r2.FirstPacketAt().Sub(killed))
		r2.Close()

		// Bring the killed one back as the next round's standby.
		active.srv.Restart()
		active.reconnect(b)
		active, standby = standby, active
	}
	return out
}

func pct(ds []time.Duration, p int) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[(len(s)-1)*p/100].Round(100 * time.Microsecond)
}

func janusVersion(ctx context.Context, f *fixture) string {
	info, err := f.client.Info(ctx)
	if err != nil {
		return "?"
	}
	return info.VersionString
}

func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(line, "model name") {
			if _, v, ok := strings.Cut(line, ":"); ok {
				return strings.TrimSpace(v)
			}
		}
	}
	return "unknown CPU"
}
