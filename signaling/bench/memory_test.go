package bench

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// clientsEnv makes the test binary a client process instead: "MODE URL N"
// with MODE echo or daemon. Clients live in their own process so that the
// server's process holds only server-side memory and one descriptor per
// connection (10k connections need 20k descriptors on one machine; the
// per-process limit here is 20,000).
const clientsEnv = "SIGNALING_BENCH_CLIENTS"

// heapProfileEnv names a directory to write a heap profile of the server
// process into while the connections are open (MODE-N.heap), for
// `go tool pprof -sample_index=inuse_space`.
const heapProfileEnv = "SIGNALING_BENCH_HEAP_PROFILES"

func writeHeapProfile(b *testing.B, path string) {
	f, err := os.Create(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := pprof.WriteHeapProfile(f); err != nil {
		b.Fatal(err)
	}
}

func TestMain(m *testing.M) {
	raiseFileLimit()
	if spec := os.Getenv(clientsEnv); spec != "" {
		os.Exit(runClients(spec))
	}
	code := m.Run()
	signalingtest.RemoveBuiltSignalingd()
	os.Exit(code)
}

// raiseFileLimit lifts the soft descriptor limit to the hard one (Go does
// this itself at start-up since 1.19; this keeps it explicit).
func raiseFileLimit() {
	var lim syscall.Rlimit
	if syscall.Getrlimit(syscall.RLIMIT_NOFILE, &lim) == nil && lim.Cur < lim.Max {
		lim.Cur = lim.Max
		_ = syscall.Setrlimit(syscall.RLIMIT_NOFILE, &lim)
	}
}

// BenchmarkIdleConnMemory opens 1k and 10k connections from a child process
// and measures what the server's process holds per connection once they are
// idle: live heap plus goroutine stacks after a full GC (of which stacks),
// and resident set size. Daemon connections are signed in (challenge, ADR-036 auth,
// authenticated); echo connections have echoed one message. Run it once:
// -benchtime=1x.
func BenchmarkIdleConnMemory(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("conns=%d", n), func(b *testing.B) {
			for range b.N {
				echo := startEcho(b)
				e := measureIdle(b, "echo", echo.URL(), n, func() int { return int(echo.open.Load()) })
				echo.hs.Close()

				d := startDaemon(b, n)
				s := measureIdle(b, "daemon", d.URL(), n, func() int { return d.srv.Stats().Connections })

				b.ReportMetric(s.live, "daemon-live-B/conn")
				b.ReportMetric(e.live, "echo-live-B/conn")
				b.ReportMetric(s.live/e.live, "live-ratio")
				b.ReportMetric(s.stack, "daemon-stack-B/conn")
				b.ReportMetric(e.stack, "echo-stack-B/conn")
				b.ReportMetric(s.rss, "daemon-rss-B/conn")
				b.ReportMetric(e.rss, "echo-rss-B/conn")
				b.ReportMetric(s.rss/e.rss, "rss-ratio")
				b.ReportMetric(s.goroutines, "daemon-goroutines/conn")
				b.ReportMetric(e.goroutines, "echo-goroutines/conn")
			}
		})
	}
}

type perConn struct{ live, stack, rss, goroutines float64 }

type memSnapshot struct {
	live, stack, rss uint64
	goroutines       int
}

// snapshot collects garbage, returns freed pages to the OS, and reads the
// process's live heap, stacks and resident set.
func snapshot() memSnapshot {
	runtime.GC()
	debug.FreeOSMemory()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return memSnapshot{
		live: ms.HeapAlloc + ms.StackInuse, stack: ms.StackInuse,
		rss: residentBytes(), goroutines: runtime.NumGoroutine(),
	}
}

func residentBytes() uint64 {
	b, err := os.ReadFile("/proc/self/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	pages, _ := strconv.ParseUint(f[1], 10, 64)
	return pages * uint64(os.Getpagesize())
}

// measureIdle runs n clients of mode against url in a child process and
// returns the server process's growth per connection while they are open.
func measureIdle(b *testing.B, mode, url string, n int, open func() int) perConn {
	b.Helper()
	before := snapshot()

	cmd := exec.Command(os.Args[0], "-test.run=^$", "-test.bench=^$")
	cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%s %s %d", clientsEnv, mode, url, n))
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		b.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	stopped := false
	stop := func() {
		if !stopped {
			stopped = true
			_ = stdin.Close() // the clients exit when stdin closes
			_ = cmd.Wait()
		}
	}
	defer stop()

	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if t := sc.Text(); t == "READY" || strings.HasPrefix(t, "ERROR") {
				line <- t
				break
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case l := <-line:
		if l != "READY" {
			b.Fatalf("%s clients: %s", mode, l)
		}
	case <-time.After(3 * time.Minute):
		b.Fatalf("%s clients: not ready after 3 minutes", mode)
	}
	waitOpen(b, mode, open, n)
	after := snapshot()
	if dir := os.Getenv(heapProfileEnv); dir != "" {
		writeHeapProfile(b, filepath.Join(dir, fmt.Sprintf("%s-%d.heap", mode, n)))
	}
	stop()
	waitOpen(b, mode, open, 0)

	per := func(a, b uint64) float64 { return float64(int64(a)-int64(b)) / float64(n) }
	return perConn{
		live:       per(after.live, before.live),
		stack:      per(after.stack, before.stack),
		rss:        per(after.rss, before.rss),
		goroutines: float64(after.goroutines-before.goroutines) / float64(n),
	}
}

// waitOpen waits until the server counts want open connections.
func waitOpen(b *testing.B, mode string, open func() int, want int) {
	b.Helper()
	deadline := time.Now().Add(time.Minute)
	for open() != want {
		if time.Now().After(deadline) {
			b.Fatalf("%s server: %d connections open, want %d", mode, open(), want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// runClients is the child process: n connections, each signed in (daemon)
// or past one echo (echo), then idle, answering pings, until stdin closes.
func runClients(spec string) int {
	var mode, url string
	var n int
	if _, err := fmt.Sscanf(spec, "%s %s %d", &mode, &url, &n); err != nil {
		fmt.Println("ERROR bad spec:", err)
		return 1
	}
	conns := make([]*websocket.Conn, n)
	var next atomic.Int64
	var failed atomic.Value
	var wg sync.WaitGroup
	for range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= n || failed.Load() != nil {
					return
				}
				ws, err := openClient(mode, url)
				if err != nil {
					failed.CompareAndSwap(nil, fmt.Errorf("connection %d: %w", i, err))
					return
				}
				conns[i] = ws
			}
		}()
	}
	wg.Wait()
	if err := failed.Load(); err != nil {
		fmt.Println("ERROR", err)
		return 1
	}
	fmt.Println("READY")
	for _, ws := range conns {
		go func() {
			for {
				if _, _, err := ws.ReadMessage(); err != nil {
					return
				}
			}
		}()
	}
	_, _ = io.Copy(io.Discard, os.Stdin)
	return 0
}

func openClient(mode, url string) (*websocket.Conn, error) {
	ws, err := dial(url)
	if err != nil {
		return nil, err
	}
	switch mode {
	case "daemon":
		_, err = signIn(ws, signalingtest.NewWallet())
	case "echo":
		if err = ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"challenge"}`)); err == nil {
			_, err = read(ws, "challenge")
		}
	default:
		err = fmt.Errorf("unknown mode %q", mode)
	}
	if err != nil {
		_ = ws.Close()
		return nil, err
	}
	return ws, nil
}
