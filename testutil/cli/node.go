// Package cli runs the real streamd binary: a one-validator chain on a
// temporary home, and CLI commands against it, exactly as a user types them.
package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/streamchain/streamchain/testutil/freeport"
	"github.com/streamchain/streamchain/testutil/syncbuf"
)

// Fee is enough for the default gas limit (200000) at the node's minimum
// gas price of 0.025ustream.
const Fee = "5000ustream"

// Node is a running single-validator chain and the keys that fund it.
type Node struct {
	t       testing.TB
	Bin     string
	Home    string
	ChainID string
	RPC     string // tcp://127.0.0.1:port
	GRPC    string // 127.0.0.1:port
	REST    string // http://127.0.0.1:port
	// Addrs maps key names (alice, bob, carol) to their stream1... addresses.
	Addrs map[string]string

	p2p  string
	proc *os.Process
	done chan struct{} // closed when the process has exited
	log  *syncbuf.Buffer
}

// BuildStreamd compiles cmd/streamd into dir and returns the binary's path.
// It builds with the pebbledb tag, as `make build` does, so the node runs on
// the databases `streamd init` then writes (pebble for CometBFT's).
func BuildStreamd(tb testing.TB, dir string) string {
	tb.Helper()
	root, err := moduleRoot()
	if err != nil {
		tb.Fatal(err)
	}
	bin := filepath.Join(dir, "streamd")
	cmd := exec.Command("go", "build", "-tags", "pebbledb", "-o", bin, "./cmd/streamd")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("build streamd: %v\n%s", err, out)
	}
	return bin
}

func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// StartNode initialises a chain with funded keys alice, bob and carol, starts
// it on free loopback ports with ~300ms blocks, and stops it when the test ends.
func StartNode(tb testing.TB, bin string, options ...NodeOption) *Node {
	tb.Helper()
	n := &Node{t: tb, Bin: bin, Home: tb.TempDir(), ChainID: "streamchain-e2e-1", Addrs: map[string]string{}}
	n.MustRun("init", "e2e", "--chain-id", n.ChainID, "--default-denom", "ustream")
	for _, name := range []string{"alice", "bob", "carol"} {
		n.MustRun("keys", "add", name, "--keyring-backend", "test")
		n.Addrs[name] = strings.TrimSpace(n.MustRun("keys", "show", name, "-a", "--keyring-backend", "test"))
		n.MustRun("genesis", "add-genesis-account", n.Addrs[name], "1000000000000ustream")
	}
	n.MustRun("genesis", "gentx", "alice", "10000000000ustream", "--chain-id", n.ChainID, "--keyring-backend", "test")
	n.MustRun("genesis", "collect-gentxs")
	for _, o := range options {
		o(n)
	}

	ports := freePorts(tb, 4)
	n.RPC = fmt.Sprintf("tcp://127.0.0.1:%d", ports[0])
	n.p2p = fmt.Sprintf("tcp://127.0.0.1:%d", ports[1])
	n.GRPC = fmt.Sprintf("127.0.0.1:%d", ports[2])
	n.REST = fmt.Sprintf("http://127.0.0.1:%d", ports[3])
	n.EditConfig(map[string]string{
		`(?m)^timeout_commit = .*$`: `timeout_commit = "300ms"`,
		`(?m)^pprof_laddr = .*$`:    `pprof_laddr = ""`,
		// Browser clients (the web app, CosmJS, Keplr) call the RPC from
		// another origin, as on the devnet.
		`(?m)^cors_allowed_origins = .*$`: `cors_allowed_origins = ["*"]`,
	})
	n.start()
	n.waitHeight(2)
	return n
}

// NodeOption changes a node's home before it first starts.
type NodeOption func(*Node)

// WithStreamingParams sets x/streaming params in the genesis (JSON values
// by param name, e.g. "min_subscription_period": "60s").
func WithStreamingParams(params map[string]any) NodeOption {
	return func(n *Node) {
		n.t.Helper()
		path := filepath.Join(n.Home, "config", "genesis.json")
		raw, err := os.ReadFile(path)
		if err != nil {
			n.t.Fatal(err)
		}
		var g map[string]any
		if err := json.Unmarshal(raw, &g); err != nil {
			n.t.Fatal(err)
		}
		p := g["app_state"].(map[string]any)["streaming"].(map[string]any)["params"].(map[string]any)
		for k, v := range params {
			if _, ok := p[k]; !ok {
				n.t.Fatalf("genesis has no x/streaming param %q", k)
			}
			p[k] = v
		}
		out, err := json.MarshalIndent(g, "", "  ")
		if err != nil {
			n.t.Fatal(err)
		}
		if err := os.WriteFile(path, out, 0o600); err != nil {
			n.t.Fatal(err)
		}
	}
}

// EditConfig replaces what each pattern matches in config.toml (the node
// reads it when it starts).
func (n *Node) EditConfig(replacements map[string]string) {
	n.t.Helper()
	editFile(n.t, filepath.Join(n.Home, "config", "config.toml"), replacements)
}

// start runs `streamd start` in the background; the test's end stops it.
func (n *Node) start() {
	tb := n.t
	tb.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	start := exec.CommandContext(ctx, n.Bin, "start", "--home", n.Home, "--log_no_color",
		"--rpc.laddr", n.RPC,
		"--p2p.laddr", n.p2p,
		"--grpc.address", n.GRPC,
		"--api.enable=true",
		"--api.enabled-unsafe-cors=true",
		"--api.address", "tcp://"+strings.TrimPrefix(n.REST, "http://"),
	)
	log := &syncbuf.Buffer{}
	start.Stdout, start.Stderr = log, log
	if err := start.Start(); err != nil {
		cancel()
		tb.Fatal(err)
	}
	done := make(chan struct{})
	go func() { _ = start.Wait(); close(done) }()
	n.proc, n.done, n.log = start.Process, done, log
	tb.Cleanup(func() {
		cancel()
		<-done
		if tb.Failed() {
			tb.Logf("node log (tail):\n%s", tail(log.String(), 4000))
		}
	})
}

// waitHeight waits until the node reports a height of at least h.
func (n *Node) waitHeight(h int64) {
	tb := n.t
	tb.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for n.Height() < h {
		select {
		case <-n.done:
			tb.Fatalf("node exited:\n%s", tail(n.log.String(), 4000))
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatalf("node reached no height %d in 60s:\n%s", h, tail(n.log.String(), 4000))
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// Kill ends the node with SIGKILL, as a crash or an OOM killer would, and
// returns the last height it reported.
func (n *Node) Kill() int64 {
	n.t.Helper()
	h := n.Height()
	if err := n.proc.Signal(syscall.SIGKILL); err != nil {
		n.t.Fatal(err)
	}
	<-n.done
	return h
}

// Restart starts a killed node again on its home and ports and returns once
// it answers at height at least h (the blocks it had), without waiting for
// a new block.
func (n *Node) Restart(h int64) {
	n.t.Helper()
	n.start()
	n.waitHeight(h)
}

// Run executes streamd with --home and returns stdout, stderr and the error.
func (n *Node) Run(args ...string) (string, string, error) {
	cmd := exec.Command(n.Bin, append(args, "--home", n.Home)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	return stdout.String(), stderr.String(), err
}

// MustRun is Run that fails the test on a non-zero exit.
func (n *Node) MustRun(args ...string) string {
	n.t.Helper()
	out, errOut, err := n.Run(args...)
	if err != nil {
		n.t.Fatalf("streamd %s: %v\nstdout: %s\nstderr: %s", strings.Join(args, " "), err, out, errOut)
	}
	return out
}

// Height is the node's latest block height, or 0 while it can't answer.
func (n *Node) Height() int64 {
	out, _, err := n.Run("status", "--node", n.RPC)
	if err != nil {
		return 0
	}
	var st struct {
		SyncInfo struct {
			Height string `json:"latest_block_height"`
		} `json:"sync_info"`
	}
	if json.Unmarshal([]byte(out), &st) != nil {
		return 0
	}
	var h int64
	fmt.Sscan(st.SyncInfo.Height, &h)
	return h
}

// TxResult is what `streamd q wait-tx` returns, reduced to what tests read.
type TxResult struct {
	Hash      string `json:"txhash"`
	Code      uint32 `json:"code"`
	Codespace string `json:"codespace"`
	RawLog    string `json:"raw_log"`
	GasUsed   string `json:"gas_used"`
	Events    []struct {
		Type       string `json:"type"`
		Attributes []struct {
			Key   string `json:"key"`
			Value string `json:"value"`
		} `json:"attributes"`
	} `json:"events"`
}

// Attr returns the value of an event attribute, "" if absent.
func (r TxResult) Attr(eventType, key string) string {
	for _, e := range r.Events {
		if e.Type != eventType {
			continue
		}
		for _, a := range e.Attributes {
			if a.Key == key {
				return a.Value
			}
		}
	}
	return ""
}

// Broadcast sends `streamd tx ...` from a key and returns the CheckTx answer
// (sync mode): a non-zero code means the mempool refused the tx.
func (n *Node) Broadcast(from string, args ...string) TxResult {
	n.t.Helper()
	args = append(args, "--from", from, "--chain-id", n.ChainID, "--keyring-backend", "test",
		"--node", n.RPC, "--broadcast-mode", "sync", "--yes", "--output", "json")
	out := n.MustRun(append([]string{"tx"}, args...)...)
	var res TxResult
	if err := json.Unmarshal([]byte(lastJSON(out)), &res); err != nil {
		n.t.Fatalf("decode tx response %q: %v", out, err)
	}
	return res
}

// Tx sends a tx with the standard fee, waits for its block, and returns
// its result in that block.
func (n *Node) Tx(from string, args ...string) TxResult {
	n.t.Helper()
	res := n.Broadcast(from, append(args, "--fees", Fee)...)
	if res.Code != 0 {
		n.t.Fatalf("tx %v refused by CheckTx: code %d %s", args, res.Code, res.RawLog)
	}
	return n.WaitTx(res.Hash)
}

// WaitTx waits for a tx to be included and returns its result.
//
// `q wait-tx` subscribes to the tx's event and then looks the tx up by hash.
// CometBFT publishes the event before its indexer writes the tx, so a tx
// committed just before the subscription can be missed by both, and wait-tx
// then waits out its timeout. In that case WaitTx looks the tx up with
// `q tx` until it is indexed.
func (n *Node) WaitTx(hash string) TxResult {
	n.t.Helper()
	out, errOut, err := n.Run("q", "wait-tx", hash, "--timeout", "15s", "--node", n.RPC, "--output", "json")
	deadline := time.Now().Add(30 * time.Second)
	for err != nil && time.Now().Before(deadline) {
		time.Sleep(300 * time.Millisecond)
		out, errOut, err = n.Run("q", "tx", hash, "--node", n.RPC, "--output", "json")
	}
	if err != nil {
		n.t.Fatalf("tx %s not found in a block: %v: %s", hash, err, errOut)
	}
	var res TxResult
	if err := json.Unmarshal([]byte(lastJSON(out)), &res); err != nil {
		n.t.Fatalf("decode wait-tx %q: %v", out, err)
	}
	return res
}

// Query runs `streamd q ...` and decodes its JSON output into v.
func (n *Node) Query(v any, args ...string) {
	n.t.Helper()
	out := n.MustRun(append(append([]string{"q"}, args...), "--node", n.RPC, "--output", "json")...)
	if err := json.Unmarshal([]byte(lastJSON(out)), v); err != nil {
		n.t.Fatalf("decode query %v output %q: %v", args, out, err)
	}
}

// QueryErr runs a query expected to fail and returns its error output.
func (n *Node) QueryErr(args ...string) string {
	n.t.Helper()
	out, errOut, err := n.Run(append(append([]string{"q"}, args...), "--node", n.RPC, "--output", "json")...)
	if err == nil {
		n.t.Fatalf("query %v succeeded, want an error; output %s", args, out)
	}
	return out + errOut
}

// lastJSON drops anything printed before the JSON document (e.g. gas
// estimates written to stdout).
func lastJSON(out string) string {
	if i := strings.Index(out, "{"); i >= 0 {
		return out[i:]
	}
	return out
}

func freePorts(tb testing.TB, k int) []int {
	tb.Helper()
	return freeport.Loopback(tb, k)
}

func editFile(tb testing.TB, path string, replacements map[string]string) {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	for pattern, repl := range replacements {
		re := regexp.MustCompile(pattern)
		if !re.Match(b) {
			tb.Fatalf("%s: no line matches %s", path, pattern)
		}
		b = re.ReplaceAll(b, []byte(repl))
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		tb.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
