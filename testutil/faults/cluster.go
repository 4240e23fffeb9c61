// Package faults runs a real multi-validator streamchain on loopback (the
// homes come from testutil/devnet/multinode.sh, the nodes are streamd
// processes this package starts) and perturbs it the way CometBFT's own e2e
// tests do: kill, pause, restart, partition. The tests beside it check that
// the chain keeps committing, that nodes agree, and that nothing committed is
// lost.
package faults

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// Host is the loopback address the fault tests' nodes listen on. Not
// 127.0.0.1: on a busy machine thousands of client sockets (TIME_WAIT ones
// too) sit on 127.0.0.1's ports in Linux's ephemeral range, where our ports
// are, and would keep a node from binding its port again after a restart.
const Host = "127.0.35.1"

// Ports of node i: BasePort + 10*i + k, as multinode.sh lays them out.
const (
	portRPC = iota
	portP2P
	portGRPC
	portREST
	portABCI
	portsPerNode = 10
)

// Cluster is a chain of validators in one temporary directory.
type Cluster struct {
	t        testing.TB
	Streamd  string
	Home     string // parent of the node homes
	BasePort int
	Host     string // the loopback address the nodes listen on
	ChainID  string
	Nodes    []*Node
}

// Node is one validator process.
type Node struct {
	c      *Cluster
	Index  int
	Home   string
	paused atomic.Bool

	mu   sync.Mutex // the load reads these while a test restarts the node
	cmd  *exec.Cmd
	done chan struct{}
	// netns, when set, is the network namespace the node runs in; host is
	// the address its RPC, gRPC and REST listen on; args go to `start`.
	netns string
	host  string
	args  []string
}

// NewCluster creates the homes of n validators with multinode.sh (1 s
// blocks, demo accounts funded) on free ports from [minPort, maxPort); the
// nodes are not started. Everything it starts is stopped when the test ends.
func NewCluster(t testing.TB, streamd string, n, minPort, maxPort int) *Cluster {
	t.Helper()
	c := &Cluster{t: t, Streamd: streamd, Home: t.TempDir(), ChainID: "streamchain-faults-1", Host: Host}
	c.BasePort = freeBase(t, c.Host, minPort, maxPort, n)
	_, self, _, _ := runtime.Caller(0)
	script := filepath.Join(filepath.Dir(self), "..", "devnet", "multinode.sh")
	cmd := exec.Command(script, "init")
	cmd.Env = append(os.Environ(),
		"VALIDATORS="+fmt.Sprint(n),
		"MULTINODE_HOME="+c.Home,
		"BASE_PORT="+fmt.Sprint(c.BasePort),
		"CHAIN_ID="+c.ChainID,
		"DEVNET_HOST="+c.Host,
		"STREAMD="+streamd,
		"BUILD=0",
		"SIGNALING=0",
	)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("multinode.sh init: %v\n%s", err, out)
	}
	for i := range n {
		c.Nodes = append(c.Nodes, &Node{c: c, Index: i, Home: filepath.Join(c.Home, fmt.Sprintf("node%d", i)), host: c.Host})
	}
	t.Cleanup(c.StopAll)
	return c
}

// freeBase finds a base port such that the ports n nodes and signalingd
// will listen on are free. The range lies inside Linux's ephemeral range, so
// client sockets of any process (TIME_WAIT ones too) take ports here and
// there: look at the ports used, sliding one port at a time.
func freeBase(t testing.TB, host string, minPort, maxPort, n int) int {
	t.Helper()
	span := portsPerNode*n + portsPerNode
	for base := minPort; base+span <= maxPort; base++ {
		free := true
		for _, p := range usedPorts(base, n) {
			ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", host, p))
			if err != nil {
				free = false
				break
			}
			_ = ln.Close()
		}
		if free {
			return base
		}
	}
	t.Fatalf("no free ports for %d nodes in [%d, %d)", n, minPort, maxPort)
	return 0
}

// usedPorts are the listeners of n nodes from base, and signalingd's.
func usedPorts(base, n int) []int {
	var ports []int
	for i := range n {
		for k := portRPC; k <= portABCI; k++ {
			ports = append(ports, base+portsPerNode*i+k)
		}
	}
	return append(ports, signalingPort(base, n))
}

func signalingPort(base, n int) int { return base + portsPerNode*n + 5 }

// SignalingAddr is where a test runs signalingd.
func (c *Cluster) SignalingAddr() string {
	return fmt.Sprintf("%s:%d", c.Host, signalingPort(c.BasePort, len(c.Nodes)))
}

func (n *Node) port(k int) int { return n.c.BasePort + portsPerNode*n.Index + k }

// RPC is the node's CometBFT RPC base URL.
func (n *Node) RPC() string { return fmt.Sprintf("http://%s:%d", n.host, n.port(portRPC)) }

// GRPC is the node's gRPC endpoint.
func (n *Node) GRPC() string { return fmt.Sprintf("%s:%d", n.host, n.port(portGRPC)) }

// REST is the node's REST base URL.
func (n *Node) REST() string { return fmt.Sprintf("http://%s:%d", n.host, n.port(portREST)) }

func (n *Node) String() string { return fmt.Sprintf("node%d", n.Index) }

// Running reports whether the process is there (it may be paused).
func (n *Node) Running() bool {
	n.mu.Lock()
	done := n.done
	n.mu.Unlock()
	if done == nil {
		return false
	}
	select {
	case <-done:
		return false
	default:
		return true
	}
}

// Start starts the node in its own process group, appending to its log, and
// returns once its RPC answers. The ports lie in Linux's ephemeral range: a
// client socket of any process may sit on one for a while, so a node that
// exits at once for a port in use is started again a few times.
func (n *Node) Start() {
	n.c.t.Helper()
	if err := n.start(); err != nil {
		n.c.t.Fatal(err)
	}
}

func (n *Node) start() error {
	if n.Running() {
		return fmt.Errorf("%s is already running", n)
	}
	logPath := filepath.Join(n.Home, "node.log")
	for attempt := 1; ; attempt++ {
		before := fileSize(logPath)
		if err := n.spawn(); err != nil {
			return err
		}
		if n.awaitRPC(2 * time.Minute) {
			return nil
		}
		tail := readFrom(logPath, before)
		if attempt < 5 && strings.Contains(tail, "address already in use") {
			n.c.t.Logf("%s: a port is taken, starting again in 3 s", n)
			time.Sleep(3 * time.Second)
			continue
		}
		n.Kill()
		return fmt.Errorf("%s did not come up:\n%s", n, tail)
	}
}

// awaitRPC waits for the RPC to answer; false if the process exits first or
// the time runs out.
func (n *Node) awaitRPC(timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if !n.Running() {
			return false
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := n.Height(ctx)
		cancel()
		if err == nil {
			return true
		}
		time.Sleep(200 * time.Millisecond)
	}
	return false
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func readFrom(path string, offset int64) string {
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	return string(b[offset:])
}

func (n *Node) spawn() error {
	log, err := os.OpenFile(filepath.Join(n.Home, "node.log"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	args := append([]string{"start", "--home", n.Home, "--log_no_color"}, n.args...)
	name := n.c.Streamd
	if n.netns != "" {
		args = append([]string{"netns", "exec", n.netns, name}, args...)
		name = "ip"
	}
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = log, log
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		_ = log.Close()
		return fmt.Errorf("start %s: %w", n, err)
	}
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); _ = log.Close(); close(done) }()
	n.mu.Lock()
	n.cmd, n.done = cmd, done
	n.mu.Unlock()
	n.paused.Store(false)
	return nil
}

// signal sends sig to the node's process group.
func (n *Node) signal(sig syscall.Signal) {
	if !n.Running() {
		return
	}
	n.mu.Lock()
	pid := n.cmd.Process.Pid
	n.mu.Unlock()
	_ = syscall.Kill(-pid, sig)
}

func (n *Node) wait() {
	n.mu.Lock()
	done := n.done
	n.mu.Unlock()
	if done != nil {
		<-done
	}
}

// Kill ends the node with SIGKILL (a crash, a power cut) and waits for it.
func (n *Node) Kill() {
	n.signal(syscall.SIGKILL)
	n.wait()
	n.paused.Store(false)
}

// Pause stops the node with SIGSTOP; Resume continues it. The load leaves a
// paused node alone, as clients would after their first timeout.
func (n *Node) Pause() {
	n.paused.Store(true)
	n.signal(syscall.SIGSTOP)
}

func (n *Node) Resume() {
	n.signal(syscall.SIGCONT)
	n.paused.Store(false)
}

// StartAll starts every node that is not running, all at once.
func (c *Cluster) StartAll() {
	c.t.Helper()
	var wg sync.WaitGroup
	errs := make([]error, len(c.Nodes))
	for i, n := range c.Nodes {
		if !n.Running() {
			wg.Go(func() { errs[i] = n.start() })
		}
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		c.t.Fatal(err)
	}
}

// StopAll kills every node; it runs at the end of the test whatever happened.
func (c *Cluster) StopAll() {
	for _, n := range c.Nodes {
		n.Kill()
	}
	if c.t.Failed() {
		for _, n := range c.Nodes {
			c.t.Logf("%s log (tail):\n%s", n, n.LogTail(3000))
		}
	}
}

// LogTail is the end of the node's log.
func (n *Node) LogTail(max int) string {
	b, err := os.ReadFile(filepath.Join(n.Home, "node.log"))
	if err != nil {
		return err.Error()
	}
	s := string(b)
	if len(s) > max {
		s = s[len(s)-max:]
	}
	return s
}

// Live lists the nodes that run and are not paused.
func (c *Cluster) Live() []*Node {
	var out []*Node
	for _, n := range c.Nodes {
		if n.Running() && !n.paused.Load() {
			out = append(out, n)
		}
	}
	return out
}

// WaitHeight waits until every given node has reached height h, up to
// timeout; it returns how long that took.
func (c *Cluster) WaitHeight(ctx context.Context, nodes []*Node, h int64, timeout time.Duration) time.Duration {
	c.t.Helper()
	start := time.Now()
	deadline := start.Add(timeout)
	for _, n := range nodes {
		for {
			got, err := n.Height(ctx)
			if err == nil && got >= h {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("%s did not reach height %d within %s (at %d, err %v)", n, h, timeout, got, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	return time.Since(start)
}

// MaxHeight is the highest height any given node reports.
func MaxHeight(ctx context.Context, nodes []*Node) int64 {
	var max int64
	for _, n := range nodes {
		if h, err := n.Height(ctx); err == nil && h > max {
			max = h
		}
	}
	return max
}

// names lists nodes for messages.
func names(nodes []*Node) string {
	var s []string
	for _, n := range nodes {
		s = append(s, n.String())
	}
	return strings.Join(s, ",")
}
