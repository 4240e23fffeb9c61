package bench

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// BenchmarkAttackFootprint runs the real signalingd binary, with its default
// limits, against the in-process chain fixture, replays each availability
// attack from loopback (bounded in count and time), and reports
// the daemon process's resident set, goroutines and open descriptors before,
// during (attackers still connected) and after (attackers gone). It logs one
// markdown table row per attack for BENCHMARKS.md. Run it once:
// -benchtime=1x.
func BenchmarkAttackFootprint(b *testing.B) {
	for range b.N {
		// SIGNALING_BENCH_DAEMON_BIN replays the attacks against another
		// build (e.g. one of an older commit) for comparison.
		bin := daemonBinary(b)
		chain := signalingtest.NewChain(b)
		d := startDaemonProcess(b, bin, chain.Addr())
		owner := signalingtest.NewWallet()
		now := time.Now()
		chain.AddStream(owner.Address, now.Add(-time.Minute), now.Add(time.Hour))

		b.Logf("| attack | what the attacker got | RSS before → during → after | goroutines | fds |")
		b.Logf("|---|---|---|---|---|")
		attacks := []struct {
			name string
			run  func(hold func()) string
		}{
			{"slow HTTP: 400 requests from one IP, half whose headers and half whose body never finish", func(hold func()) string {
				var open []net.Conn
				for i := range 400 {
					c, err := net.Dial("tcp", d.addr)
					if err != nil {
						continue
					}
					if i%2 == 0 {
						_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: x\r\n")
					} else {
						_, _ = io.WriteString(c, "POST /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n")
					}
					open = append(open, c)
				}
				time.Sleep(time.Second)
				held := 0
				for _, c := range open {
					_ = c.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
					if _, err := c.Read(make([]byte, 1)); isTimeout(err) {
						held++
					}
				}
				hold()
				// Wait up to 15 s for the server to cut them.
				until := time.Now().Add(15 * time.Second)
				survived := 0
				for _, c := range open {
					_ = c.SetReadDeadline(until)
					if _, err := io.Copy(io.Discard, c); isTimeout(err) {
						survived++
					}
				}
				for _, c := range open {
					_ = c.Close()
				}
				return fmt.Sprintf("%d of 400 held open after 1 s; %d still open 16 s after they were sent", held, survived)
			}},
			{"never sign in: 1,300 WebSockets from 65 loopback IPs", func(hold func()) string {
				var open []*websocket.Conn
				refused := 0
				for i := range 1300 {
					ip := net.IPv4(127, 0, 1, byte(1+i%65))
					ws, err := dialFrom(ip, "ws://"+d.addr+"/ws")
					if err != nil {
						refused++
						continue
					}
					open = append(open, ws)
				}
				hold()
				for _, ws := range open {
					_ = ws.Close()
				}
				return fmt.Sprintf("%d open, %d refused (cap 1,000 not signed in)", len(open), refused)
			}},
			{"ping flood: one connection, 2 s", func(hold func()) string {
				ws, err := dial("ws://" + d.addr + "/ws")
				if err != nil {
					b.Fatal(err)
				}
				var pongs atomic.Int64
				ws.SetPongHandler(func(string) error { pongs.Add(1); return nil })
				closeCode := make(chan int, 1)
				go func() {
					for {
						if _, _, err := ws.ReadMessage(); err != nil {
							code := 0
							if ce, ok := err.(*websocket.CloseError); ok {
								code = ce.Code
							}
							closeCode <- code
							return
						}
					}
				}()
				sent := 0
				deadline := time.Now().Add(2 * time.Second)
				for time.Now().Before(deadline) {
					if ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(time.Second)) != nil {
						break
					}
					sent++
				}
				hold()
				_ = ws.Close()
				outcome := "still open after 2 s"
				if code := <-closeCode; code != 0 {
					outcome = fmt.Sprintf("closed by the server with %d", code)
				}
				return fmt.Sprintf("%d pings sent, %d answered; %s", sent, pongs.Load(), outcome)
			}},
			{"unknown stream ids: 10 signed-in connections × 20 watches of one unknown id", func(hold func()) string {
				before := chain.Calls("Stream")
				var wg sync.WaitGroup
				conns := make([]*websocket.Conn, 10)
				for i := range conns {
					ws, err := dial("ws://" + d.addr + "/ws")
					if err != nil {
						b.Fatal(err)
					}
					if _, err := signIn(ws, signalingtest.NewWallet()); err != nil {
						b.Fatal(err)
					}
					conns[i] = ws
					wg.Add(1)
					go func() {
						defer wg.Done()
						for range 20 {
							_ = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"watch","stream_id":"987654"}`))
							if _, _, err := ws.ReadMessage(); err != nil {
								return
							}
						}
					}()
				}
				wg.Wait()
				hold()
				for _, ws := range conns {
					_ = ws.Close()
				}
				return fmt.Sprintf("200 watches reached the node %d times", chain.Calls("Stream")-before)
			}},
		}
		for _, a := range attacks {
			d.waitConnections(b, 0)
			before := d.footprint(b)
			var during footprint
			got := a.run(func() { during = d.footprint(b) })
			d.waitConnections(b, 0)
			time.Sleep(time.Second)
			after := d.footprint(b)
			b.Logf("| %s | %s | %.1f → %.1f → %.1f MB | %d → %d → %d | %d → %d → %d |", a.name, got,
				mb(before.rss), mb(during.rss), mb(after.rss),
				before.goroutines, during.goroutines, after.goroutines, before.fds, during.fds, after.fds)
		}
	}
}

type daemonProcess struct {
	cmd           *exec.Cmd
	addr, metrics string
}

type footprint struct {
	rss             uint64
	goroutines, fds int
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// daemonBinary is the signalingd binary the attacks run against: the one
// named by SIGNALING_BENCH_DAEMON_BIN (e.g. one of an older commit, for
// comparison), else this tree's, built once per run.
func daemonBinary(b *testing.B) string {
	b.Helper()
	if bin := os.Getenv("SIGNALING_BENCH_DAEMON_BIN"); bin != "" {
		return bin
	}
	return signalingtest.BuildSignalingd(b)
}

var daemonFlagsCache sync.Map // binary → its -h text

// hasFlag reports whether bin knows -name (older builds lack newer flags).
func hasFlag(bin, name string) bool {
	help, ok := daemonFlagsCache.Load(bin)
	if !ok {
		out, _ := exec.Command(bin, "-h").CombinedOutput()
		help, _ = daemonFlagsCache.LoadOrStore(bin, string(out))
	}
	return strings.Contains(help.(string), "\n  -"+name+" ")
}

// startDaemonProcess runs bin on a free loopback port against the chain
// fixture at grpcAddr; flags (name → value) are added to or replace the
// harness's own. An empty metrics-listen value means none: the binary's
// behaviour without one.
func startDaemonProcess(b *testing.B, bin, grpcAddr string, flags ...string) *daemonProcess {
	b.Helper()
	d := &daemonProcess{addr: freeAddr(b), metrics: freeAddr(b)}
	set := map[string]string{"listen": d.addr, "metrics-listen": d.metrics, "grpc": grpcAddr,
		"allowed-origins": "*", "public-origin": "http://" + d.addr, "log-level": "error"}
	if hasFlag(bin, "rpc") {
		set["rpc"] = "" // the fixture serves gRPC only
	}
	for i := 0; i+1 < len(flags); i += 2 {
		set[flags[i]] = flags[i+1]
	}
	d.metrics = set["metrics-listen"]
	var args []string
	for name, v := range set {
		args = append(args, "-"+name+"="+v)
	}
	d.cmd = exec.Command(bin, args...)
	d.cmd.Stderr = os.Stderr
	if err := d.cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		_ = d.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = d.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = d.cmd.Process.Kill()
			<-done
		}
	})
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := http.Get("http://" + d.addr + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return d
			}
		}
		if time.Now().After(deadline) {
			b.Fatalf("signalingd not healthy: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func (d *daemonProcess) footprint(b *testing.B) footprint {
	b.Helper()
	pid := d.cmd.Process.Pid
	var f footprint
	if data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid)); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
				kb, _ := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
				f.rss = kb << 10
			}
		}
	}
	if fds, err := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid)); err == nil {
		f.fds = len(fds)
	}
	f.goroutines = int(d.metric(b, "go_goroutines"))
	return f
}

// metric reads one unlabelled sample from the daemon's internal listener.
func (d *daemonProcess) metric(b *testing.B, name string) float64 {
	b.Helper()
	v, err := signalingtest.ReadMetric(d.metrics, name)
	if err != nil {
		b.Fatal(err)
	}
	return v
}

func (d *daemonProcess) waitConnections(b *testing.B, want float64) {
	b.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for d.metric(b, "signaling_connections") != want {
		if time.Now().After(deadline) {
			b.Fatalf("daemon still has %v connections", d.metric(b, "signaling_connections"))
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func freeAddr(b *testing.B) string {
	b.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

func dialFrom(ip net.IP, url string) (*websocket.Conn, error) {
	nd := &net.Dialer{LocalAddr: &net.TCPAddr{IP: ip}, Timeout: 5 * time.Second}
	d := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		return nd.DialContext(ctx, network, addr)
	}, HandshakeTimeout: 5 * time.Second}
	ws, resp, err := d.Dial(url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return ws, err
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout()
}
