package bench

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// BenchmarkAttackClasses replays, against the real signalingd binary (this
// tree's, or SIGNALING_BENCH_DAEMON_BIN's), the availability classes
// that AttackFootprint does not, each as a black-box check that
// uses only the v1 wire protocol and flags both old and new builds have:
// it logs one markdown row per class with what the attacker got, and fails
// when a class is not held. Against the build before the hardening (a54683b) every
// class fails; that is what it is for. Run it once: -benchtime=1x.
func BenchmarkAttackClasses(b *testing.B) {
	for range b.N {
		bin := daemonBinary(b)
		b.Logf("| class | what the attacker got | held? |")
		b.Logf("|---|---|---|")
		for _, c := range attackClasses {
			got, held := c.run(b, bin)
			verdict := "yes"
			if !held {
				verdict = "**no**"
				b.Errorf("%s: not held: %s", c.name, got)
			}
			b.Logf("| %s | %s | %s |", c.name, got, verdict)
		}
	}
}

var attackClasses = []struct {
	name string
	run  func(b *testing.B, bin string) (got string, held bool)
}{
	{"one account takes every viewer seat (4 seats)", seatsAttack},
	{"a viewer gets its paused broadcaster dropped with large candidates at the permitted rate", dropBroadcasterAttack},
	{"early candidates held by bytes (before any offer)", earlyCandidatesAttack},
	{"bursts of 55 messages every 300 ms, under the 200/s limit on average", unforgivingRateAttack},
	{"/metrics and counts on the public listener (no metrics listener configured)", publicMetricsAttack},
	{"spoofed X-Forwarded-For from an untrusted client (30 connections, 20 allowed per IP)", spoofedIPAttack},
	{"shutdown (drain timeout 100 ms) while the node hangs in a re-check", hangingDrainAttack},
}

// classDaemon is a chain fixture with one stream of owner, and bin on it.
type classDaemon struct {
	*daemonProcess
	chain *signalingtest.Chain
	owner *signalingtest.Wallet
	id    uint64
}

func startClassDaemon(b *testing.B, bin string, flags ...string) *classDaemon {
	b.Helper()
	chain := signalingtest.NewChain(b)
	owner := signalingtest.NewWallet()
	now := time.Now()
	id := chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))
	return &classDaemon{daemonProcess: startDaemonProcess(b, bin, chain.Addr(), flags...), chain: chain, owner: owner, id: id}
}

func (d *classDaemon) url() string { return "ws://" + d.addr + "/ws" }

// viewerOf is a fresh account subscribed to the stream's owner.
func (d *classDaemon) viewerOf() *signalingtest.Wallet {
	w := signalingtest.NewWallet()
	d.chain.Subscribe(w.Address, d.owner.Address)
	return w
}

// signedIn is a connection of w, signed in; closed at the end.
func (d *classDaemon) signedIn(b *testing.B, w *signalingtest.Wallet) (*websocket.Conn, string) {
	b.Helper()
	ws, err := dial(d.url())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ws.Close() })
	peer, err := signIn(ws, w)
	if err != nil {
		b.Fatal(err)
	}
	return ws, peer
}

func (d *classDaemon) join(b *testing.B, ws *websocket.Conn, typ string) (envelope, error) {
	b.Helper()
	send(b, ws, fmt.Appendf(nil, `{"type":%q,"stream_id":"%d"}`, typ, d.id))
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer func() { _ = ws.SetReadDeadline(time.Time{}) }()
	want := map[string]string{"watch": "watching", "broadcast": "broadcasting"}[typ]
	for {
		m, err := readEnvelope(ws)
		if err != nil || m.Type == want || m.Type == "error" {
			return m, err
		}
	}
}

// session is the owner broadcasting (on bc, or a new connection when nil)
// and a subscriber watching (vc, peer id vpeer).
func (d *classDaemon) session(b *testing.B, bc *websocket.Conn) (_, vc *websocket.Conn, vpeer string) {
	b.Helper()
	if bc == nil {
		bc, _ = d.signedIn(b, d.owner)
	} else if _, err := signIn(bc, d.owner); err != nil {
		b.Fatal(err)
	}
	if m, err := d.join(b, bc, "broadcast"); err != nil || m.Type != "broadcasting" {
		b.Fatalf("broadcast: %+v %v", m, err)
	}
	vc, vpeer = d.signedIn(b, d.viewerOf())
	if m, err := d.join(b, vc, "watch"); err != nil || m.Type != "watching" {
		b.Fatalf("watch: %+v %v", m, err)
	}
	return bc, vc, vpeer
}

func readEnvelope(ws *websocket.Conn) (envelope, error) {
	_, data, err := ws.ReadMessage()
	if err != nil {
		return envelope{}, err
	}
	var m envelope
	err = json.Unmarshal(data, &m)
	return m, err
}

// seatsAttack: one account opens as many viewer connections as the stream
// has seats; then another subscriber tries to watch.
func seatsAttack(b *testing.B, bin string) (string, bool) {
	const seats = 4
	d := startClassDaemon(b, bin, "max-viewers-per-stream", fmt.Sprint(seats))
	attacker := d.viewerOf()
	taken, lastRefusal := 0, ""
	for range seats {
		ws, _ := d.signedIn(b, attacker)
		m, err := d.join(b, ws, "watch")
		if err != nil {
			b.Fatal(err)
		}
		if m.Type == "watching" {
			taken++
		} else {
			lastRefusal = m.Code
		}
	}
	ws, _ := d.signedIn(b, d.viewerOf())
	m, err := d.join(b, ws, "watch")
	if err != nil {
		b.Fatal(err)
	}
	other := m.Type
	if m.Type == "error" {
		other = m.Code
	}
	got := fmt.Sprintf("the account took %d of %d seats", taken, seats)
	if lastRefusal != "" {
		got += " (then `" + lastRefusal + "`)"
	}
	got += "; another subscriber's watch got `" + other + "`"
	return got, m.Type == "watching"
}

// dropBroadcasterAttack: a broadcaster on a slow link (small receive
// buffer, not reading for 8 s) and a viewer that answered its offer and
// then sends 60 kB candidates as fast as the message rate lets it (default
// limits). The broadcaster must still be connected afterwards.
func dropBroadcasterAttack(b *testing.B, bin string) (string, bool) {
	d := startClassDaemon(b, bin)
	bc, vc, vpeer := d.session(b, dialSmallReceiveBuffer(b, d.url()))
	must(b, "viewer_joined", bc, "viewer_joined", "viewer_count")
	send(b, bc, fmt.Appendf(nil, `{"type":"offer","to":%q,"sdp":{"type":"offer","sdp":"v=0\r\n"}}`, vpeer))
	bpeer := readFrom(b, vc, "offer")
	send(b, vc, fmt.Appendf(nil, `{"type":"answer","to":%q,"sdp":{"type":"answer","sdp":"v=0\r\n"}}`, bpeer))
	must(b, "answer", bc, "answer", "viewer_count")

	var refused atomic.Int64
	go func() { // the viewer reads its refusals
		for {
			m, err := readEnvelope(vc)
			if err != nil {
				return
			}
			if m.Type == "error" {
				refused.Add(1)
			}
		}
	}()
	big := fmt.Appendf(nil, `{"type":"candidate","to":%q,"candidate":{"candidate":"%s","sdpMid":"0","sdpMLineIndex":0}}`,
		bpeer, strings.Repeat("a", 60000))
	sent := 0
	deadline := time.Now().Add(8 * time.Second)
	for time.Now().Before(deadline) {
		if vc.WriteMessage(websocket.TextMessage, big) != nil {
			break
		}
		sent++
		if sent > 50 { // past the default burst: the default 20/s
			time.Sleep(50 * time.Millisecond)
		}
	}
	// The broadcaster reads again: everything queued for it, then silence
	// (still connected) or the end of its connection.
	outcome := "still connected"
	held := true
	for {
		_ = bc.SetReadDeadline(time.Now().Add(2 * time.Second))
		_, _, err := bc.ReadMessage()
		if err == nil {
			continue
		}
		if !isTimeout(err) {
			held = false
			outcome = "dropped: " + closeText(err)
		}
		break
	}
	return fmt.Sprintf("viewer sent %d candidates of 60 kB in 8 s (%d refused); the broadcaster was %s", sent, refused.Load(), outcome), held
}

// readFrom reads up to the next message of type typ and returns its
// sender ("from"), skipping viewer counts.
func readFrom(b *testing.B, ws *websocket.Conn, typ string) string {
	b.Helper()
	_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
	defer func() { _ = ws.SetReadDeadline(time.Time{}) }()
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			b.Fatalf("waiting for %s: %v", typ, err)
		}
		var m struct {
			Type string `json:"type"`
			From string `json:"from"`
		}
		if err := json.Unmarshal(data, &m); err != nil {
			b.Fatal(err)
		}
		if m.Type == typ {
			return m.From
		}
		if m.Type != "viewer_count" {
			b.Fatalf("waiting for %s, got %s", typ, data)
		}
	}
}

func closeText(err error) string {
	if ce, ok := err.(*websocket.CloseError); ok {
		return fmt.Sprintf("close %d %q", ce.Code, ce.Text)
	}
	return err.Error()
}

// dialSmallReceiveBuffer connects with a 4 KiB socket receive buffer: a
// client on a slow link, whose unread bytes back up into the daemon.
func dialSmallReceiveBuffer(b *testing.B, url string) *websocket.Conn {
	b.Helper()
	nd := &net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) { serr = syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 4096) })
		if err != nil {
			return err
		}
		return serr
	}}
	dl := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nd.DialContext(ctx, network, addr)
	}, HandshakeTimeout: 5 * time.Second}
	ws, resp, err := dl.Dial(url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = ws.Close() })
	return ws
}

// earlyCandidatesAttack: the broadcaster sends candidates to a viewer
// before any offer, 40 of 32 kB then 40 of 1.5 kB, paced under the message
// rate; whatever is not refused is held by the daemon for that viewer.
func earlyCandidatesAttack(b *testing.B, bin string) (string, bool) {
	d := startClassDaemon(b, bin)
	bc, _, vpeer := d.session(b, nil)
	must(b, "viewer_joined", bc, "viewer_joined", "viewer_count")
	heldBytes, heldCount := 0, 0
	for _, size := range []int{32 << 10, 1536} {
		msg := fmt.Appendf(nil, `{"type":"candidate","to":%q,"candidate":{"candidate":"%s","sdpMid":"0","sdpMLineIndex":0}}`,
			vpeer, strings.Repeat("a", size))
		const n = 40
		for range n {
			send(b, bc, msg)
			time.Sleep(60 * time.Millisecond) // under the default 20/s
		}
		// A sentinel with a known answer: every refusal is read before it.
		send(b, bc, []byte(`{"type":"challenge"}`))
		refused := 0
		_ = bc.SetReadDeadline(time.Now().Add(10 * time.Second))
		for {
			m, err := readEnvelope(bc)
			if err != nil {
				b.Fatal(err)
			}
			if m.Type != "error" {
				continue
			}
			if m.Code == "already_authenticated" {
				break
			}
			refused++
		}
		heldCount += n - refused
		heldBytes += (n - refused) * len(msg)
	}
	const bound = 64 << 10
	return fmt.Sprintf("%d candidates held, %.0f kB, for one viewer (bound checked: %d kB)", heldCount, float64(heldBytes)/1000, bound>>10),
		heldBytes <= bound
}

// unforgivingRateAttack: with a limit of 200 messages/s and a burst of 50,
// a signed-in client sends 20 bursts of 55 messages 300 ms apart (about
// 190/s on average; the figure is measured and printed): a few of each
// burst are refused, and it must not be closed.
func unforgivingRateAttack(b *testing.B, bin string) (string, bool) {
	d := startClassDaemon(b, bin, "messages-per-second", "200", "message-burst", "50")
	ws, _ := d.signedIn(b, signalingtest.NewWallet())
	var refused atomic.Int64
	closed := make(chan error, 1)
	go func() {
		for {
			m, err := readEnvelope(ws)
			if err != nil {
				closed <- err
				return
			}
			if m.Code == "rate_limited" {
				refused.Add(1)
			}
		}
	}()
	start := time.Now()
	sent := 0
	const bursts = 20
	var closeErr error
	var lastBurstEnd time.Time
bursting:
	for i := range bursts {
		for range 55 {
			if ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"leave"}`)) != nil {
				break
			}
			sent++
		}
		lastBurstEnd = time.Now()
		select {
		case closeErr = <-closed:
			break bursting
		case <-time.After(300 * time.Millisecond):
		}
		if i == bursts-1 {
			select {
			case closeErr = <-closed:
			case <-time.After(time.Second):
			}
		}
	}
	// The average over whole cycles: each burst and the pause after it.
	cycles := lastBurstEnd.Sub(start) + 300*time.Millisecond
	outcome := "still open after 20 bursts"
	if closeErr != nil {
		outcome = fmt.Sprintf("closed after %.1f s (%s)", time.Since(start).Seconds(), closeText(closeErr))
	}
	return fmt.Sprintf("%d messages sent (%.0f/s on average over the bursts and their pauses), %d refused; %s", sent,
		float64(sent)/cycles.Seconds(), refused.Load(), outcome), closeErr == nil
}

// publicMetricsAttack: an outsider asks the public listener for /metrics
// and /healthz.
func publicMetricsAttack(b *testing.B, bin string) (string, bool) {
	d := startClassDaemon(b, bin, "metrics-listen", "")
	get := func(path string) (int, string) {
		resp, err := http.Get("http://" + d.addr + path)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		return resp.StatusCode, string(body)
	}
	mStatus, mBody := get("/metrics")
	_, hBody := get("/healthz")
	exposed := mStatus == http.StatusOK && strings.Contains(mBody, "signaling_connections")
	var counts []string
	for _, k := range []string{`"connections"`, `"viewers"`, `"nonces"`, `"pending_candidates"`} {
		if strings.Contains(hBody, k) {
			counts = append(counts, strings.Trim(k, `"`))
		}
	}
	got := fmt.Sprintf("public /metrics: HTTP %d", mStatus)
	if exposed {
		got += " with the daemon's metrics"
	}
	got += fmt.Sprintf("; public /healthz: %s", strings.TrimSpace(hBody))
	return got, !exposed && len(counts) == 0
}

// spoofedIPAttack: the daemon is told to read the client IP from
// X-Forwarded-For (behind a proxy at 192.0.2.0/24, where the build has
// -trusted-proxies); a client on 127.0.0.1 sends a different address in
// each request.
func spoofedIPAttack(b *testing.B, bin string) (string, bool) {
	flags := []string{"real-ip-header", "X-Forwarded-For"}
	if hasFlag(bin, "trusted-proxies") {
		flags = append(flags, "trusted-proxies", "192.0.2.0/24")
	}
	d := startClassDaemon(b, bin, flags...)
	open := 0
	for i := range 30 {
		h := http.Header{}
		h.Set("X-Forwarded-For", fmt.Sprintf("10.9.0.%d", i+1))
		ws, resp, err := websocket.DefaultDialer.Dial(d.url(), h)
		if resp != nil && resp.Body != nil {
			_ = resp.Body.Close()
		}
		if err != nil {
			continue
		}
		open++
		b.Cleanup(func() { _ = ws.Close() })
	}
	return fmt.Sprintf("%d of 30 connections open from one IP", open), open <= 20
}

// hangingDrainAttack: a live session, a re-check round every second, then
// the node stops answering (a query waits up to the 10 s chain timeout) and
// the daemon gets SIGINT with a 100 ms drain timeout.
func hangingDrainAttack(b *testing.B, bin string) (string, bool) {
	d := startClassDaemon(b, bin, "drain-timeout", "100ms", "recheck-interval", "1s", "cache-ttl", "500ms", "chain-timeout", "10s")
	d.session(b, nil)
	d.chain.Hang()
	defer d.chain.Resume()
	time.Sleep(1500 * time.Millisecond) // a re-check round is now waiting on the node
	start := time.Now()
	if err := d.cmd.Process.Signal(os.Interrupt); err != nil {
		b.Fatal(err)
	}
	exited := make(chan struct{})
	go func() { _ = d.cmd.Wait(); close(exited) }()
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		_ = d.cmd.Process.Kill()
		<-exited
	}
	took := time.Since(start)
	return fmt.Sprintf("exited %.1f s after SIGINT", took.Seconds()), took <= 3*time.Second
}
