package coturn

import (
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/pion/stun/v3"
)

// Bin is Debian's turnserver; .ci/run installs it (package coturn).
const Bin = "/usr/bin/turnserver"

// Require skips tb when turnserver is not installed, except under CI
// (CI=true), where that fails the test.
func Require(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(Bin); err == nil {
		return
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s (Debian's coturn) is missing under CI: install it (apt-get install coturn; .ci/run does)", Bin)
	}
	tb.Skipf("%s not installed (apt-get install coturn); skipping", Bin)
}

// Server is a turnserver started for one test; it is stopped when the test
// ends.
type Server struct {
	Config Config
	cmd    *exec.Cmd
}

// Start writes c (in a temporary folder unless c.Dir is set) and runs
// turnserver from it, waiting until it answers a STUN binding request.
func Start(tb testing.TB, c Config) *Server {
	tb.Helper()
	Require(tb)
	if c.Dir == "" {
		c.Dir = tb.TempDir()
	}
	conf, err := c.Write()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(Bin, "-c", conf)
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	s := &Server{Config: c, cmd: cmd}
	tb.Cleanup(s.stop)
	addr := net.JoinHostPort(c.ListenIP, strconv.Itoa(c.Port))
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := Ping(addr)
		if err == nil {
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(c.Dir + "/turnserver.log")
			tb.Fatalf("turnserver on %s did not answer: %v\n%s", addr, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// URL is the turn: URL clients use (UDP).
func (s *Server) URL() string {
	return fmt.Sprintf("turn:%s:%d?transport=udp", s.Config.ListenIP, s.Config.Port)
}

func (s *Server) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

// Ping sends one STUN binding request over UDP to addr and waits up to a
// second for the success response.
func Ping(addr string) error {
	c, err := net.Dial("udp", addr)
	if err != nil {
		return err
	}
	defer c.Close()
	req := stun.MustBuild(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if _, err := c.Write(req.Raw); err != nil {
		return err
	}
	_ = c.SetReadDeadline(time.Now().Add(time.Second))
	buf := make([]byte, 1500)
	n, err := c.Read(buf)
	if err != nil {
		return err
	}
	res := &stun.Message{Raw: buf[:n]}
	if err := res.Decode(); err != nil {
		return err
	}
	if res.Type != stun.BindingSuccess || res.TransactionID != req.TransactionID {
		return errors.New("not a binding success for our request: " + res.Type.String())
	}
	return nil
}
