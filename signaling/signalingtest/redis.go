package signalingtest

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamchain/streamchain/signaling"
)

// RedisServerBin is Debian's redis-server; .ci/run installs it.
const RedisServerBin = "/usr/bin/redis-server"

// Redis is a real redis-server started for one test: loopback only, on a
// free port, with no persistence. It is killed when the test ends.
type Redis struct {
	tb   testing.TB
	port int

	mu  sync.Mutex
	cmd *exec.Cmd
	out *strings.Builder
}

// StartRedis starts a redis-server for tb. Without the binary the test is
// skipped, except under CI (CI=true), where a missing server is a failure:
// CI must run these tests.
func StartRedis(tb testing.TB) *Redis {
	tb.Helper()
	if _, err := os.Stat(RedisServerBin); err != nil {
		if os.Getenv("CI") == "true" {
			tb.Fatalf("%s is missing under CI: install redis-server (apt-get install redis-server)", RedisServerBin)
		}
		tb.Skipf("%s not installed (apt-get install redis-server); skipping the shared-mode test", RedisServerBin)
	}
	r := &Redis{tb: tb, port: freePort(tb)}
	r.Start()
	tb.Cleanup(r.Kill)
	return r
}

// Addr is host:port.
func (r *Redis) Addr() string { return "127.0.0.1:" + strconv.Itoa(r.port) }

// URL is the go-redis URL of database 0.
func (r *Redis) URL() string { return "redis://" + r.Addr() + "/0" }

// Start (re)starts the server on its port and waits until it answers PING.
func (r *Redis) Start() {
	r.tb.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd != nil {
		return
	}
	// --port 0 would disable TCP: the port is picked before the start.
	cmd := exec.Command(RedisServerBin, "--port", strconv.Itoa(r.port), "--bind", "127.0.0.1",
		"--save", "", "--appendonly", "no", "--daemonize", "no", "--loglevel", "warning", "--dir", r.tb.TempDir())
	r.out = &strings.Builder{}
	cmd.Stdout, cmd.Stderr = r.out, r.out
	if err := cmd.Start(); err != nil {
		r.tb.Fatalf("starting redis-server: %v", err)
	}
	r.cmd = cmd
	deadline := time.Now().Add(10 * time.Second)
	for !ping(r.Addr()) {
		if time.Now().After(deadline) {
			r.tb.Fatalf("redis-server on %s did not answer PING: %s", r.Addr(), r.out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Kill stops the server at once (SIGKILL); Start brings it back, empty.
func (r *Redis) Kill() {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.cmd == nil {
		return
	}
	_ = r.cmd.Process.Kill()
	_ = r.cmd.Wait()
	r.cmd = nil
}

// ping speaks just enough RESP to ask PING.
func ping(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
	if err != nil {
		return false
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(500 * time.Millisecond))
	if _, err := fmt.Fprint(c, "PING\r\n"); err != nil {
		return false
	}
	line, err := bufio.NewReader(c).ReadString('\n')
	return err == nil && strings.HasPrefix(line, "+PONG")
}

// freePort is a loopback TCP port free right now.
func freePort(tb testing.TB) int {
	tb.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// RedisClient is a go-redis client of r with short timeouts (a test that
// kills Redis must not wait long on it), closed when the test ends.
func (r *Redis) Client(tb testing.TB) *redis.Client {
	tb.Helper()
	c := redis.NewClient(&redis.Options{
		Addr: r.Addr(), DialTimeout: 200 * time.Millisecond,
		ReadTimeout: 500 * time.Millisecond, WriteTimeout: 500 * time.Millisecond,
		MaxRetries: -1, PoolSize: 8,
	})
	tb.Cleanup(func() { _ = c.Close() })
	return c
}

// SharedConfig is shared mode on r for a test instance: short liveness
// (an instance is gone 1.2 s after its last refresh, refreshed every 200 ms:
// a loaded machine may delay a few refreshes) so failure tests take seconds.
func (r *Redis) SharedConfig(tb testing.TB, id string) signaling.SharedConfig {
	tb.Helper()
	return signaling.SharedConfig{
		Redis: r.Client(tb), InstanceID: id,
		InstanceTTL: 1200 * time.Millisecond, RefreshInterval: 200 * time.Millisecond,
		OpTimeout: 500 * time.Millisecond, JoinTimeout: 2 * time.Second,
	}
}
