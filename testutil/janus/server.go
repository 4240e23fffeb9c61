package janus

import (
	"errors"
	"fmt"
	"net"
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

// Bin is Debian's janus; .ci/run installs it.
const Bin = "/usr/bin/janus"

// Default RTP range: the ports 32000-32999 set aside for this harness (inside
// a test namespace nothing else binds them; instances sharing a namespace
// share the range, libnice skips ports already taken).
const (
	DefaultRTPPortMin = 32000
	DefaultRTPPortMax = 32999
)

// Options adjust a Server; zero values take the defaults.
type Options struct {
	Name                   string
	RTPPortMin, RTPPortMax int
	SessionTimeout         int // seconds; 0 = Janus's 60
	DebugLevel             int // 0 = 4
	// EventLoops is Config.EventLoops; 0: DefaultEventLoops, as the devnet
	// runs; negative: Janus's thread per PeerConnection.
	EventLoops int
	// NS, when set, is a namespace to share with other instances (to
	// cascade rooms between them); each instance there takes its own ports.
	NS *NetNS
	// APISecret, when set, is the api_secret (instances one application
	// server uses alike share it); empty: a new one.
	APISecret string
}

// Server is a janus process started for one test in its own network
// namespace (see the package comment), from a generated configuration
// folder. It is stopped when the test ends.
type Server struct {
	tb     testing.TB
	Config Config
	NS     *NetNS
	Dir    string // the configuration folder; the log is Dir/janus.log

	mu   sync.Mutex
	cmd  *exec.Cmd
	done chan struct{}
}

// Require skips tb when janus is not installed, except under CI (CI=true),
// where a missing janus fails the test: CI must run the SFU tests.
func Require(tb testing.TB) {
	tb.Helper()
	if _, err := os.Stat(Bin); err == nil {
		if _, err := FindLibDir(); err == nil {
			return
		}
	}
	if os.Getenv("CI") == "true" {
		tb.Fatalf("%s (Debian's janus) is missing under CI: install it (apt-get install janus; .ci/run does)", Bin)
	}
	tb.Skipf("%s not installed (apt-get install janus); skipping the Janus test", Bin)
}

// The API ports inside a test namespace, where nothing else listens.
const (
	nsAPIPort   = 32188
	nsAdminPort = 32189
)

// Start runs a Janus for tb in a new network namespace and waits until its
// API and admin API accept connections.
func Start(tb testing.TB, opt Options) *Server {
	tb.Helper()
	Require(tb)
	exclusive(tb)
	if opt.RTPPortMin == 0 {
		opt.RTPPortMin, opt.RTPPortMax = DefaultRTPPortMin, DefaultRTPPortMax
	}
	ns := opt.NS
	if ns == nil {
		ns = NewNetNS(tb)
	}
	k := int(ns.servers.Add(1) - 1)
	if opt.APISecret == "" {
		opt.APISecret = NewSecret()
	}
	switch {
	case opt.EventLoops == 0:
		opt.EventLoops = DefaultEventLoops()
	case opt.EventLoops < 0:
		opt.EventLoops = 0
	}
	s := &Server{tb: tb, NS: ns, Dir: tb.TempDir(), Config: Config{
		Name:   opt.Name,
		BindIP: ns.NSIP, ICEInterface: ns.NSIf,
		APIPort:   nsAPIPort + 2*k,
		AdminPort: nsAdminPort + 2*k,
		APISecret: opt.APISecret, AdminSecret: NewSecret(),
		RTPPortMin: opt.RTPPortMin, RTPPortMax: opt.RTPPortMax,
		SessionTimeout: opt.SessionTimeout, DebugLevel: opt.DebugLevel, EventLoops: opt.EventLoops,
	}}
	if err := s.Config.Write(s.Dir); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.Stop)
	s.start()
	return s
}

func (s *Server) start() {
	s.tb.Helper()
	log, err := os.Create(filepath.Join(s.Dir, "janus.log"))
	if err != nil {
		s.tb.Fatal(err)
	}
	cmd := s.NS.Command(Bin, "-F", s.Dir, "-C", filepath.Join(s.Dir, "janus.jcfg"))
	cmd.Stdout, cmd.Stderr = log, log
	// A core dump (kernel.core_pattern "core") lands beside the log, not
	// in the package under test.
	cmd.Dir = s.Dir
	// Its own process group: a signal to the test's group does not reach
	// it twice, and Kill is exact.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		log.Close()
		s.tb.Fatalf("starting janus: %v", err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); log.Close(); close(done) }()
	s.mu.Lock()
	s.cmd, s.done = cmd, done
	s.mu.Unlock()
	deadline := time.Now().Add(20 * time.Second)
	for !listening(s.Config.BindIP, s.Config.APIPort) || !listening(s.Config.BindIP, s.Config.AdminPort) {
		select {
		case <-done:
			s.tb.Fatalf("janus exited at start: %s", s.tail())
		default:
		}
		if time.Now().After(deadline) {
			s.tb.Fatalf("janus did not listen on %s:%d and :%d within 20 s: %s", s.Config.BindIP, s.Config.APIPort, s.Config.AdminPort, s.tail())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Restart starts Janus again on the same ports and secrets after Kill or
// Stop (sessions and rooms are gone: Janus keeps them in memory only).
func (s *Server) Restart() {
	s.tb.Helper()
	s.mu.Lock()
	running := s.cmd != nil
	s.mu.Unlock()
	if running {
		s.tb.Fatal("janus: Restart while running")
	}
	s.start()
}

// APIURL is the Janus API's WebSocket URL; AdminURL the admin API's.
func (s *Server) APIURL() string {
	return "ws://" + net.JoinHostPort(s.Config.BindIP, strconv.Itoa(s.Config.APIPort))
}
func (s *Server) AdminURL() string {
	return "ws://" + net.JoinHostPort(s.Config.BindIP, strconv.Itoa(s.Config.AdminPort))
}

// PID is the running process's id (0 when stopped).
func (s *Server) PID() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cmd == nil {
		return 0
	}
	return s.cmd.Process.Pid
}

// Exited reports whether the Janus process started last has ended (a
// crash, or Kill or Stop), with the end of its log when it has.
func (s *Server) Exited() (bool, string) {
	s.mu.Lock()
	done := s.done
	s.mu.Unlock()
	select {
	case <-done:
		return true, s.tail()
	default:
		return false, ""
	}
}

// Kill ends Janus at once (SIGKILL), as a crash would.
func (s *Server) Kill() { s.stop(0) }

// Stop asks Janus to exit (SIGTERM) and kills it if it is still there 5 s
// later.
func (s *Server) Stop() { s.stop(5 * time.Second) }

func (s *Server) stop(grace time.Duration) {
	s.mu.Lock()
	cmd, done := s.cmd, s.done
	s.cmd = nil
	s.mu.Unlock()
	if cmd == nil {
		return
	}
	if grace > 0 {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-done:
			return
		case <-time.After(grace):
		}
	}
	_ = cmd.Process.Kill()
	<-done
}

// Log is what Janus wrote so far.
func (s *Server) Log() string {
	b, _ := os.ReadFile(filepath.Join(s.Dir, "janus.log"))
	return string(b)
}

func (s *Server) tail() string {
	l := s.Log()
	if len(l) > 4000 {
		l = "..." + l[len(l)-4000:]
	}
	return l
}

// CPUTime is the CPU time (user + system) the running Janus has used, from
// /proc/<pid>/stat.
func (s *Server) CPUTime() (time.Duration, error) {
	pid := s.PID()
	if pid == 0 {
		return 0, errors.New("janus is not running")
	}
	return ProcessCPUTime(pid)
}

// ProcessCPUTime reads utime+stime of pid from /proc/<pid>/stat.
func ProcessCPUTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name (field 2) may hold spaces: count from its ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0, errors.New("unexpected /proc stat format")
	}
	f := strings.Fields(string(b)[i+1:])
	if len(f) < 13 {
		return 0, errors.New("unexpected /proc stat format")
	}
	// Fields 14 and 15 (utime, stime) are f[11], f[12] after the name.
	ut, err1 := strconv.ParseInt(f[11], 10, 64)
	st, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, errors.New("unexpected /proc stat format")
	}
	const clockTicks = 100 // USER_HZ on Linux
	return time.Duration(ut+st) * time.Second / clockTicks, nil
}

func listening(ip string, port int) bool {
	c, err := net.DialTimeout("tcp", net.JoinHostPort(ip, strconv.Itoa(port)), 200*time.Millisecond)
	if err != nil {
		return false
	}
	c.Close()
	return true
}
