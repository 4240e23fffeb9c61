// Package devnet tests the devnet scripts beside it: they are run as a user
// runs them (through bash, with the real streamd and signalingd), then their
// node is killed and the test checks what is left behind.
package devnet

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"net"
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

	"github.com/streamchain/streamchain/testutil/coturn"
	"github.com/streamchain/streamchain/testutil/syncbuf"
	"github.com/stretchr/testify/require"
)

// Ports: this package takes its ports from [36000, 36900).
const (
	minPort = 36000
	maxPort = 36900
)

// script runs one of the devnet scripts in its own process group, so the
// test can end everything it started even when the script misbehaves.
type script struct {
	cmd  *exec.Cmd
	done chan struct{}
	err  error

	out syncbuf.Buffer
}

func (s *script) Write(p []byte) (int, error) { return s.out.Write(p) }

func (s *script) output() string { return s.out.String() }

func startScript(t *testing.T, name string, env ...string) *script {
	t.Helper()
	s := &script{done: make(chan struct{})}
	s.cmd = exec.Command("bash", name)
	s.cmd.Dir = "."
	s.cmd.Env = append(os.Environ(), env...)
	s.cmd.Stdout, s.cmd.Stderr = s, s
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	require.NoError(t, s.cmd.Start())
	go func() { s.err = s.cmd.Wait(); close(s.done) }()
	t.Cleanup(func() {
		// Whatever is left of the group goes.
		_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		<-s.done
		if t.Failed() {
			t.Logf("%s output (tail):\n%s", name, tail(s.output(), 4000))
		}
	})
	return s
}

// waitFor waits until the output contains want.
func (s *script) waitFor(t *testing.T, want string, timeout time.Duration) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !strings.Contains(s.output(), want) {
		select {
		case <-s.done:
			t.Fatalf("script exited (%v) before printing %q", s.err, want)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("no %q within %s", want, timeout)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// exited waits for the script to end and returns its exit code.
func (s *script) exited(t *testing.T, timeout time.Duration) int {
	t.Helper()
	select {
	case <-s.done:
	case <-time.After(timeout):
		t.Fatalf("script still running %s after its node died", timeout)
	}
	var exit *exec.ExitError
	if s.err == nil {
		return 0
	}
	require.ErrorAs(t, s.err, &exit)
	return exit.ExitCode()
}

// processesWith lists the PIDs whose command line contains s.
func processesWith(t *testing.T, s string) []int {
	t.Helper()
	entries, err := os.ReadDir("/proc")
	require.NoError(t, err)
	var pids []int
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", e.Name(), "cmdline"))
		if err != nil {
			continue
		}
		if strings.Contains(strings.ReplaceAll(string(cmdline), "\x00", " "), s) {
			pids = append(pids, pid)
		}
	}
	return pids
}

// listening reports whether something accepts connections on host:port.
func listening(host string, port int) bool {
	c, err := net.DialTimeout("tcp", fmt.Sprintf("%s:%d", host, port), time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// freeBase finds count consecutive ports in this package's range that host
// can bind, sliding one port at a time: client sockets of other processes
// sit on ports here and there in this range (Linux's ephemeral one).
func freeBase(t *testing.T, host string, count int) int {
	t.Helper()
	for base := minPort; base+count <= maxPort; base++ {
		ok := true
		for p := base; p < base+count && ok; p++ {
			ln, err := net.Listen("tcp", fmt.Sprintf("%s:%d", host, p))
			if ok = err == nil; ok {
				_ = ln.Close()
			}
		}
		if ok {
			return base
		}
	}
	t.Fatalf("no %d free ports in [%d, %d)", count, minPort, maxPort)
	return 0
}

// binaries are streamd and signalingd, built once for the package's tests.
var binaries struct {
	once sync.Once
	dir  string
	env  []string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if binaries.dir != "" {
		_ = os.RemoveAll(binaries.dir)
	}
	os.Exit(code)
}

// buildBinaries returns the environment that makes the scripts use them.
func buildBinaries(t *testing.T) []string {
	t.Helper()
	binaries.once.Do(func() {
		if binaries.dir, binaries.err = os.MkdirTemp("", "devnet-bin"); binaries.err != nil {
			return
		}
		for _, cmd := range []string{"streamd", "signalingd"} {
			// pebbledb as `make build`: the devnet runs on the databases
			// `streamd init` writes then (pebble for CometBFT's).
			out, err := exec.Command("go", "build", "-tags", "pebbledb", "-o", filepath.Join(binaries.dir, cmd), "github.com/streamchain/streamchain/cmd/"+cmd).CombinedOutput()
			if err != nil {
				binaries.err = fmt.Errorf("build %s: %v\n%s", cmd, err, out)
				return
			}
		}
		binaries.env = []string{"STREAMD=" + filepath.Join(binaries.dir, "streamd"), "SIGNALINGD=" + filepath.Join(binaries.dir, "signalingd"), "BUILD=0", "LOG_LEVEL=info"}
	})
	require.NoError(t, binaries.err)
	return append([]string(nil), binaries.env...)
}

// TestDevnetStopsSignalingWhenTheNodeDies: devnet.sh's node is killed with
// SIGKILL; the script must stop the signaling daemon it started, its TURN
// relay and its media server (and the media server's network namespace)
// and exit, so that `make devnet-resume` finds every port free, and it
// does. The first run has the default SFU tier (one Janus, which
// signalingd reports up); the resumed one runs with SFU=0, and signalingd
// has no SFU tier.
func TestDevnetStopsSignalingWhenTheNodeDies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet")
	}
	bins := buildBinaries(t)
	home := t.TempDir()
	// Node ports base..base+4, signalingd base+5 (metrics base+6), the
	// TURN relay base+7.
	base := freeBase(t, "127.0.0.1", 8)
	turn := base + 7
	env := append(bins, "DEVNET_HOME="+home,
		"RPC_PORT="+strconv.Itoa(base), "P2P_PORT="+strconv.Itoa(base+1), "GRPC_PORT="+strconv.Itoa(base+2),
		"API_PORT="+strconv.Itoa(base+3), "ABCI_PORT="+strconv.Itoa(base+4), "SIGNALING_PORT="+strconv.Itoa(base+5),
		"TURN_PORT="+strconv.Itoa(turn))

	removeSFULeftovers(t, base+5)
	s := startScript(t, "devnet.sh", env...)
	s.waitFor(t, `"chain reachable"`, 3*time.Minute)
	require.True(t, listening("127.0.0.1", base+5), "signalingd is not listening")
	withTURN := coturnInstalled(t)
	if withTURN {
		require.Contains(t, s.output(), fmt.Sprintf("TURN relay turn:127.0.0.1:%d (udp, tcp)", turn))
		require.NoError(t, coturn.Ping(fmt.Sprintf("127.0.0.1:%d", turn)), "the devnet's TURN relay answers STUN")
		require.Len(t, processesWith(t, filepath.Join(home, "turn", "turnserver.conf")), 1, "one turnserver")
	}
	requireSFUTier(t, s, home, base+5, 1, base+6)

	nodes := processesWith(t, "start --home "+home)
	require.Len(t, nodes, 1, "the node's process")
	require.NoError(t, syscall.Kill(nodes[0], syscall.SIGKILL))

	require.Equal(t, 137, s.exited(t, 30*time.Second), "the script reports the node's death")
	for _, p := range []int{base, base + 2, base + 5, turn} {
		require.False(t, listening("127.0.0.1", p), "port %d still taken after the node died", p)
	}
	require.Empty(t, processesWith(t, "127.0.0.1:"+strconv.Itoa(base+5)), "signalingd outlived its node")
	require.Empty(t, processesWith(t, filepath.Join(home, "turn")), "turnserver outlived its node")
	require.Contains(t, s.output(), "devnet: node stopped (exit status 137)")
	requireSFUGone(t, home, base+5)

	// Resume works on the same ports.
	r := startScript(t, "devnet.sh", append(env, "RESUME=1", "SFU=0")...)
	r.waitFor(t, `"chain reachable"`, 3*time.Minute)
	require.Contains(t, r.output(), "devnet: resuming the chain in "+home)
	requireNoSFUTier(t, r, base+6)
}

// TestMultinodeRunsAndStopsEverything: multinode.sh brings up a chain of
// two validators (four with `make devnet VALIDATORS=4`; two keep this test
// light) that commits blocks, and two signalingd instances against both gRPC
// endpoints sharing a redis-server (SIGNALING_INSTANCES=2); on SIGTERM
// nothing it started is left and its ports are free.
func TestMultinodeRunsAndStopsEverything(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet")
	}
	bins := buildBinaries(t)
	home := t.TempDir()
	const host = "127.0.36.1" // any 127.x address is loopback; this one is ours
	// Nodes on base..base+14, instances on base+90 and base+100 (metrics on
	// the next port), Redis on base+95.
	base := freeBase(t, host, 102)
	s := startScript(t, "multinode.sh", append(bins, "VALIDATORS=2", "MULTINODE_HOME="+home,
		"BASE_PORT="+strconv.Itoa(base), "DEVNET_HOST="+host,
		"SIGNALING_INSTANCES=2", "REDIS_PORT="+strconv.Itoa(base+95))...)
	s.waitFor(t, "streamchain devnet is up: 2 validators", 3*time.Minute)
	s.waitFor(t, "Ctrl-C stops every node", time.Minute)
	out := s.output()
	for _, want := range []string{
		fmt.Sprintf("node0  RPC http://%[1]s:%[2]d  gRPC %[1]s:%[3]d  REST http://%[1]s:%[4]d", host, base, base+2, base+3),
		fmt.Sprintf("node1  RPC http://%[1]s:%[2]d  gRPC %[1]s:%[3]d  REST http://%[1]s:%[4]d", host, base+10, base+12, base+13),
		fmt.Sprintf("%[1]s:%[2]d,%[1]s:%[3]d", host, base+2, base+12),
		fmt.Sprintf("sharing redis://%s:%d/0", host, base+95),
		fmt.Sprintf("sig1  WebSocket ws://%[1]s:%[2]d/ws   health http://%[1]s:%[2]d/healthz", host, base+90),
		fmt.Sprintf("sig2  WebSocket ws://%[1]s:%[2]d/ws   health http://%[1]s:%[2]d/healthz", host, base+100),
	} {
		require.Contains(t, out, want)
	}
	require.Eventually(t, func() bool { return listening(host, base+95) }, 30*time.Second, 100*time.Millisecond, "redis-server")
	require.Equal(t, "+PONG", redisPing(t, host, base+95), "the devnet's redis-server")
	s.waitFor(t, `"chain reachable"`, time.Minute)
	for _, p := range []int{base + 90, base + 100} {
		url := fmt.Sprintf("http://%s:%d", host, p)
		require.Eventually(t, func() bool { return httpStatus(url+"/healthz") == http.StatusOK }, time.Minute, 200*time.Millisecond, url)
	}
	// Both validators sign: node1's log shows it committing blocks too.
	s.waitFor(t, "node0| ", time.Minute)
	require.Eventually(t, func() bool {
		return strings.Count(readFile(filepath.Join(home, "node1", "node.log")), "committed state") >= 3
	}, time.Minute, 500*time.Millisecond)
	require.Len(t, processesWith(t, "start --home "+home), 2)

	require.NoError(t, syscall.Kill(s.cmd.Process.Pid, syscall.SIGTERM))
	s.exited(t, time.Minute)
	require.Empty(t, processesWith(t, home), "a process of the devnet outlived it")
	for _, p := range []int{base, base + 1, base + 2, base + 10, base + 12, base + 90, base + 95, base + 100} {
		require.False(t, listening(host, p), "port %d still taken", p)
	}
}

// TestDevnetTwoSignalingInstances: `make devnet SIGNALING_INSTANCES=2 SFU=2`
// runs a redis-server, two Janus media servers and two signalingd
// instances sharing Redis and both media servers, each with its own web
// app URL; both answer, each lists both instances and reports both media
// servers up, and when the node dies nothing the script started
// (instances, Redis, Janus and its namespace) is left.
func TestDevnetTwoSignalingInstances(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a devnet")
	}
	if _, err := exec.LookPath("redis-server"); err != nil {
		t.Fatalf("redis-server is needed (apt-get install redis-server; .ci/run installs it): %v", err)
	}
	bins := buildBinaries(t)
	home := t.TempDir()
	// Node ports base..base+4, instances on base+10 and base+20 (metrics on
	// the next port), Redis on base+30.
	base := freeBase(t, "127.0.0.1", 31)
	// The TURN relay on base+25.
	sig1, sig2, redisPort := base+10, base+20, base+30
	env := append(bins, "DEVNET_HOME="+home, "SIGNALING_INSTANCES=2", "SFU=2", "REDIS_PORT="+strconv.Itoa(redisPort),
		"RPC_PORT="+strconv.Itoa(base), "P2P_PORT="+strconv.Itoa(base+1), "GRPC_PORT="+strconv.Itoa(base+2),
		"API_PORT="+strconv.Itoa(base+3), "ABCI_PORT="+strconv.Itoa(base+4), "SIGNALING_PORT="+strconv.Itoa(sig1),
		"TURN_PORT="+strconv.Itoa(base+25))

	removeSFULeftovers(t, sig1)
	s := startScript(t, "devnet.sh", env...)
	s.waitFor(t, "2 signaling instances sharing their sessions through redis://127.0.0.1:"+strconv.Itoa(redisPort)+"/0", 3*time.Minute)
	// The banner is written line by line: wait for each instance's line
	// rather than reading the output once after its first line.
	for i, p := range []int{sig1, sig2} {
		s.waitFor(t, fmt.Sprintf("sig%d  web app http://127.0.0.1:%d/", i+1, p), 10*time.Second)
	}
	require.Equal(t, "+PONG", redisPing(t, "127.0.0.1", redisPort), "the devnet's redis-server")
	require.DirExists(t, filepath.Join(home, "redis"), "Redis keeps its files under DEVNET_HOME")

	// Both instances answer, and each lists both, itself first.
	for i, p := range []int{sig1, sig2} {
		url := fmt.Sprintf("http://127.0.0.1:%d", p)
		require.Eventually(t, func() bool { return httpStatus(url+"/healthz") == http.StatusOK }, time.Minute, 200*time.Millisecond, "sig%d /healthz", i+1)
		var list struct {
			Instances []struct{ ID, URL string } `json:"instances"`
		}
		require.Eventually(t, func() bool {
			list.Instances = nil
			return getJSON(url+"/instances.json", &list) == nil && len(list.Instances) == 2
		}, 30*time.Second, 200*time.Millisecond, "sig%d /instances.json lists both instances: %+v", i+1, &list)
		require.Equal(t, fmt.Sprintf("sig%d", i+1), list.Instances[0].ID)
		require.Equal(t, url, list.Instances[0].URL)
	}
	requireSFUTier(t, s, home, sig1, 2, sig1+1, sig2+1)

	nodes := processesWith(t, "start --home "+home)
	require.Len(t, nodes, 1, "the node's process")
	require.NoError(t, syscall.Kill(nodes[0], syscall.SIGKILL))
	require.Equal(t, 137, s.exited(t, time.Minute), "the script reports the node's death")
	for _, p := range []int{base, sig1, sig1 + 1, sig2, sig2 + 1, redisPort, base + 25} {
		require.False(t, listening("127.0.0.1", p), "port %d still taken after the node died", p)
	}
	require.Empty(t, processesWith(t, "-redis redis://127.0.0.1:"+strconv.Itoa(redisPort)), "a signalingd instance outlived its node")
	require.Empty(t, processesWith(t, "--port "+strconv.Itoa(redisPort)), "redis-server outlived the node")
	requireSFUGone(t, home, sig1)
}

// redisPing sends PING to the redis-server on host:port.
// coturnInstalled reports whether the devnet starts its TURN relay (it does
// when Debian's coturn is installed); CI must have it.
func coturnInstalled(t *testing.T) bool {
	t.Helper()
	_, err := os.Stat(coturn.Bin)
	if err != nil && os.Getenv("CI") == "true" {
		t.Fatalf("%s (Debian's coturn) is missing under CI: .ci/run installs it", coturn.Bin)
	}
	return err == nil
}

func redisPing(t *testing.T, host string, port int) string {
	t.Helper()
	c, err := net.DialTimeout("tcp", fmt.Sprintf("%s:%d", host, port), time.Second)
	require.NoError(t, err)
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	_, err = c.Write([]byte("PING\r\n"))
	require.NoError(t, err)
	line, err := bufio.NewReader(c).ReadString('\n')
	require.NoError(t, err)
	return strings.TrimSpace(line)
}

func httpStatus(url string) int {
	r, err := http.Get(url)
	if err != nil {
		return 0
	}
	_ = r.Body.Close()
	return r.StatusCode
}

func getJSON(url string, v any) error {
	r, err := http.Get(url)
	if err != nil {
		return err
	}
	defer r.Body.Close()
	if r.StatusCode != http.StatusOK {
		return fmt.Errorf("%s: %s", url, r.Status)
	}
	return json.NewDecoder(r.Body).Decode(v)
}

// TestNoiseFilter: the devnet drops exactly the lines CometBFT logs when a
// WebSocket client such as `streamd q wait-tx` leaves, nothing else.
func TestNoiseFilter(t *testing.T) {
	in := strings.Join([]string{
		`9:44AM ERR Failed to write response err="websocket: close sent" module=rpc-server msg="RPCResponse{1 7B7D}" protocol=websocket remote=127.0.0.1:56886`,
		`9:46AM ERR error while stopping connection error="already stopped" module=rpc-server protocol=websocket`,
		`9:46AM INF committed state block_app_hash=86C2 height=47 module=state`,
		`9:46AM ERR Failed to write response err="broken pipe" module=rpc-server`,
	}, "\n") + "\n"
	cmd := exec.Command("bash", "-c", `source ./common.sh; while IFS= read -r l; do is_noise "$l" || printf '%s\n' "$l"; done`)
	cmd.Stdin = strings.NewReader(in)
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "%s", out)
	var kept []string
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		kept = append(kept, sc.Text())
	}
	require.Equal(t, []string{
		`9:46AM INF committed state block_app_hash=86C2 height=47 module=state`,
		`9:46AM ERR Failed to write response err="broken pipe" module=rpc-server`,
	}, kept)
}

func readFile(path string) string {
	b, _ := os.ReadFile(path)
	return string(b)
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
