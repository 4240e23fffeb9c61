package signalingtest

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// BuildSignalingd builds cmd/signalingd once per test binary and returns its
// path (SIGNALINGD_BIN, when set, is used instead).
func BuildSignalingd(tb testing.TB) string {
	tb.Helper()
	if bin := os.Getenv("SIGNALINGD_BIN"); bin != "" {
		return bin
	}
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "signalingd-")
		if err != nil {
			buildErr = err
			return
		}
		builtBin = filepath.Join(dir, "signalingd")
		out, err := exec.Command("go", "build", "-o", builtBin, "github.com/streamchain/streamchain/cmd/signalingd").CombinedOutput()
		if err != nil {
			buildErr = &buildError{err: err, out: string(out)}
		}
	})
	if buildErr != nil {
		tb.Fatalf("building signalingd: %v", buildErr)
	}
	return builtBin
}

// RemoveBuiltSignalingd deletes the binary BuildSignalingd built; for a
// package's TestMain, after the tests ran.
func RemoveBuiltSignalingd() {
	if builtBin != "" {
		_ = os.RemoveAll(filepath.Dir(builtBin))
	}
}

var (
	buildOnce sync.Once
	builtBin  string
	buildErr  error
)

type buildError struct {
	err error
	out string
}

func (e *buildError) Error() string { return e.err.Error() + ": " + e.out }

// Process is a signalingd running as its own process, on free loopback
// ports, stopped (SIGINT, then SIGKILL) when the test ends.
type Process struct {
	tb            testing.TB
	cmd           *exec.Cmd
	done          chan struct{}
	Addr, Metrics string
}

// StartSignalingd runs bin against the gRPC endpoint grpcAddr with extra
// flags, and waits until it answers /instances.json.
func StartSignalingd(tb testing.TB, bin, grpcAddr string, extra ...string) *Process {
	tb.Helper()
	p := &Process{tb: tb, Addr: "127.0.0.1:" + strconv.Itoa(freePort(tb)), Metrics: "127.0.0.1:" + strconv.Itoa(freePort(tb)), done: make(chan struct{})}
	args := append([]string{"-listen", p.Addr, "-metrics-listen", p.Metrics, "-grpc", grpcAddr, "-rpc=", "-log-level", "warn"}, extra...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stderr = os.Stderr
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { _ = p.cmd.Wait(); close(p.done) }()
	tb.Cleanup(p.Stop)
	deadline := time.Now().Add(15 * time.Second)
	for {
		resp, err := http.Get(p.URL() + "/instances.json")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return p
			}
		}
		select {
		case <-p.done:
			tb.Fatalf("signalingd exited at start: %v", p.cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("signalingd on %s never answered: %v", p.Addr, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// URL is the process's public base URL.
func (p *Process) URL() string { return "http://" + p.Addr }

// Kill ends the process with SIGKILL: no drain, nothing said to anyone.
func (p *Process) Kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done
}

// Stop drains the process (SIGINT) and kills it if it does not exit.
func (p *Process) Stop() {
	select {
	case <-p.done:
		return
	default:
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	select {
	case <-p.done:
	case <-time.After(15 * time.Second):
		p.Kill()
	}
}

// ReadMetric reads one unlabelled sample from the Prometheus listener at
// addr; -1 when the sample is absent.
func ReadMetric(addr, name string) (float64, error) {
	resp, err := http.Get("http://" + addr + "/metrics")
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f, nil
		}
	}
	return -1, nil
}
