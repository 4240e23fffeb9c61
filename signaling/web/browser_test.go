// Package web holds the streamchain web app (TypeScript sources in src/, the
// committed bundle in dist/ that signalingd embeds) and its end-to-end test
// in real Chromium.
package web

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling/signalingtest"
	"github.com/streamchain/streamchain/testutil/cli"
)

// chromium is Debian's browser (`apt-get install chromium`; .ci/run does).
const defaultChromium = "/usr/bin/chromium"

type browserSummary struct {
	OK          bool              `json:"ok"`
	Error       string            `json:"error"`
	Steps       []json.RawMessage `json:"steps"`
	Screenshots []string          `json:"screenshots"`
	Figures     map[string]int64  `json:"figures"`
	// Bench: each sample behind the medians of Figures (BENCH_RUNS > 0).
	Bench map[string][]int64 `json:"bench"`
	// A11y: the page states axe-core checked (name@width) and what it found.
	A11y struct {
		States      []string          `json:"states"`
		Violations  []json.RawMessage `json:"violations"`
		RulesPassed int               `json:"rules_passed"`
	} `json:"a11y"`
}

// TestBrowserApp runs e2e/browser.mjs: alice (Keplr stand-in) and bob,
// carol and dave (the devnet wallet) use the app that a real signalingd serves,
// against a real node, in headless Chromium with a fake camera.
func TestBrowserApp(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a node, signalingd and Chromium")
	}
	chromium, nodeJS := browserTools(t)

	dir := t.TempDir()
	chain := cli.StartNode(t, cli.BuildStreamd(t, dir))

	// Demo accounts with mnemonics, as `make devnet` has: alice signs through
	// the Keplr stand-in, bob, carol and dave through the devnet wallet.
	accs, walletFile := demoAccounts(t, chain, dir, "alice", "bob", "carol", "dave")

	bin := buildSignalingd(t, dir)
	appURL := freeURL(t)
	// Resume tokens outlast the journey's slowest stretch on a loaded
	// machine: a reload well into it must still resume, not sign again.
	// TURN credentials are minted for 20 s, so the pages get ice_servers
	// every 10 s while they broadcast and watch. Nothing listens on that
	// TURN port: the peers connect over host candidates on loopback.
	turnSecret := filepath.Join(dir, "turn-secret")
	require.NoError(t, os.WriteFile(turnSecret, []byte("browser-test-turn-secret"), 0o600))
	startSignalingd(t, bin, appURL, chain, walletFile, "-allowed-origins", appURL, "-resume-ttl", "30m",
		"-turn-urls", "turn:127.0.0.1:42478?transport=udp", "-turn-secret-file", turnSecret, "-turn-ttl", "20s")

	root, err := filepath.Abs("../..")
	require.NoError(t, err)
	artifacts := filepath.Join(root, "build", "artifacts", "web")
	require.NoError(t, os.RemoveAll(artifacts))

	ctx, cancel := context.WithTimeout(context.Background(), 9*time.Minute)
	defer cancel()
	script := exec.CommandContext(ctx, nodeJS, "e2e/browser.mjs")
	script.Env = append(os.Environ(),
		"APP_URL="+appURL, "CHROMIUM="+chromium, "ARTIFACTS="+artifacts,
		"ALICE_MNEMONIC="+accs[0].Mnemonic,
	)
	var stdout, stderr bytes.Buffer
	script.Stdout, script.Stderr = &stdout, &stderr
	runErr := script.Run()
	var sum browserSummary
	decodeErr := json.Unmarshal(stdout.Bytes(), &sum)
	t.Logf("browser.mjs log:\n%s", tail(stderr.String(), 6000))
	if runErr != nil || decodeErr != nil || !sum.OK {
		t.Fatalf("browser.mjs failed (%v, decode: %v): %s\nstdout:\n%s", runErr, decodeErr, sum.Error, tail(stdout.String(), 4000))
	}
	for _, s := range sum.Steps {
		t.Logf("step %s", s)
	}
	t.Logf("figures (loopback, a shared and noisy machine; not asserted): %v", sum.Figures)
	if sum.Bench != nil {
		t.Logf("bench: samples (ms) %v", sum.Bench)
	}
	t.Logf("axe-core: %d page states, %d violations, %d rule checks passed", len(sum.A11y.States), len(sum.A11y.Violations), sum.A11y.RulesPassed)
	require.Empty(t, sum.A11y.Violations, "axe-core violations: %s", sum.A11y.Violations)
	// Every state the journey visits, at its width and at 375 px.
	require.GreaterOrEqual(t, len(sum.A11y.States), 40, "states: %v", sum.A11y.States)
	t.Logf("screenshots in %s: %d", artifacts, len(sum.Screenshots))
	require.GreaterOrEqual(t, len(sum.Screenshots), 8)
	for _, f := range sum.Screenshots {
		st, err := os.Stat(f)
		require.NoError(t, err)
		require.Greater(t, st.Size(), int64(1000), f)
	}

	// The chain, not only the page, says what happened: alice's profile and
	// terms txs were signed in amino-JSON and her stream tx in direct mode,
	// she blocked and unblocked from the page, bob no longer subscribes,
	// dave's subscription (paid again after the unblock) expires, and the
	// stream is gone.
	modes := signModes(t, chain, accs[0].Address)
	require.Equal(t, "SIGN_MODE_LEGACY_AMINO_JSON", modes["/streamchain.streaming.v1.MsgEditProfile"], "modes: %v", modes)
	require.Equal(t, "SIGN_MODE_LEGACY_AMINO_JSON", modes["/streamchain.streaming.v1.MsgSetSubscriptionTerms"], "modes: %v", modes)
	require.Contains(t, modes, "/streamchain.streaming.v1.MsgBlock")
	require.Equal(t, "SIGN_MODE_LEGACY_AMINO_JSON", modes["/streamchain.streaming.v1.MsgUnblock"], "modes: %v", modes)
	require.Contains(t, signModes(t, chain, accs[1].Address), "/streamchain.streaming.v1.MsgTip")
	var terms struct {
		Terms struct {
			Price  struct{ Amount string } `json:"price"`
			Period string                  `json:"period"`
		} `json:"terms"`
	}
	chain.Query(&terms, "streaming", "subscription-terms", accs[0].Address)
	require.Equal(t, "6000000", terms.Terms.Price.Amount) // raised from 5 STREAM on the page
	var daveSub struct {
		Subscribed bool       `json:"subscribed"`
		ExpiresAt  *time.Time `json:"expires_at"`
	}
	chain.Query(&daveSub, "streaming", "subscription", accs[3].Address, accs[0].Address)
	require.True(t, daveSub.Subscribed)
	require.NotNil(t, daveSub.ExpiresAt)
	require.WithinDuration(t, time.Now().Add(30*24*time.Hour), *daveSub.ExpiresAt, time.Hour)
	var blocks struct {
		Blocks []json.RawMessage `json:"blocks"`
	}
	chain.Query(&blocks, "streaming", "blocks", accs[0].Address)
	require.Empty(t, blocks.Blocks)
	require.Equal(t, "SIGN_MODE_DIRECT", modes["/streamchain.streaming.v1.MsgNewStream"], "modes: %v", modes)
	require.Contains(t, modes, "/streamchain.streaming.v1.MsgEditStream")
	require.Contains(t, modes, "/streamchain.streaming.v1.MsgDeleteStream")
	var sub struct {
		Subscribed bool `json:"subscribed"`
	}
	chain.Query(&sub, "streaming", "subscription", accs[1].Address, accs[0].Address)
	require.False(t, sub.Subscribed)
	var streams struct {
		Streams []json.RawMessage `json:"streams"`
	}
	chain.Query(&streams, "streaming", "streams", "--broadcaster", accs[0].Address)
	require.Empty(t, streams.Streams)
}

// signModes maps each Msg type alice sent to the sign mode of its tx.
func signModes(t *testing.T, chain *cli.Node, sender string) map[string]string {
	var res struct {
		Txs []struct {
			Tx struct {
				Body struct {
					Messages []struct {
						Type string `json:"@type"`
					} `json:"messages"`
				} `json:"body"`
				AuthInfo struct {
					SignerInfos []struct {
						ModeInfo struct {
							Single struct {
								Mode string `json:"mode"`
							} `json:"single"`
						} `json:"mode_info"`
					} `json:"signer_infos"`
				} `json:"auth_info"`
			} `json:"tx"`
		} `json:"txs"`
	}
	chain.Query(&res, "txs", "--query", fmt.Sprintf("message.sender='%s'", sender), "--limit", "100")
	modes := map[string]string{}
	for _, r := range res.Txs {
		for _, m := range r.Tx.Body.Messages {
			modes[m.Type] = r.Tx.AuthInfo.SignerInfos[0].ModeInfo.Single.Mode
		}
	}
	return modes
}

// account is a demo account: its key in the node's keyring ("web-<name>"),
// its mnemonic for the page's devnet wallet (or the Keplr stand-in).
type account struct{ Name, Mnemonic, Address string }

// demoAccounts makes funded keys with mnemonics, as `make devnet` has, and
// the devnet-wallet file signalingd serves for them.
func demoAccounts(t *testing.T, chain *cli.Node, dir string, names ...string) ([]account, string) {
	var accs []account
	for _, name := range names {
		var key struct {
			Address  string `json:"address"`
			Mnemonic string `json:"mnemonic"`
		}
		out := chain.MustRun("keys", "add", "web-"+name, "--keyring-backend", "test", "--output", "json")
		require.NoError(t, json.Unmarshal([]byte(out), &key), out)
		accs = append(accs, account{name, key.Mnemonic, key.Address})
	}
	args := []string{"bank", "multi-send", chain.Addrs["alice"]}
	for _, a := range accs {
		args = append(args, a.Address)
	}
	funded := chain.Tx("alice", append(args, "100000000ustream")...)
	require.Zero(t, funded.Code, funded.RawLog)

	walletFile := filepath.Join(dir, "devnet-wallet.json")
	var wallet []map[string]string
	for _, a := range accs {
		wallet = append(wallet, map[string]string{"name": a.Name, "mnemonic": a.Mnemonic})
	}
	b, _ := json.Marshal(wallet)
	require.NoError(t, os.WriteFile(walletFile, b, 0o600))
	return accs, walletFile
}

// buildSignalingd builds the real daemon, which embeds the committed bundle.
func buildSignalingd(t *testing.T, dir string) string {
	bin := filepath.Join(dir, "signalingd")
	build := exec.Command("go", "build", "-o", bin, "./cmd/signalingd")
	build.Dir = "../.."
	out, err := build.CombinedOutput()
	require.NoError(t, err, "build signalingd: %s", out)
	return bin
}

// freeURL is http://127.0.0.1:<a free port>.
func freeURL(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer ln.Close()
	return "http://" + ln.Addr().String()
}

// startSignalingd runs the daemon on appURL's port, serving the embedded
// app, until the test ends; it returns once /healthz says 200.
func startSignalingd(t *testing.T, bin, appURL string, chain *cli.Node, walletFile string, extra ...string) *daemon {
	d, err := spawnSignalingd(bin, appURL, chain, walletFile, extra...)
	require.NoError(t, err)
	t.Cleanup(func() { d.stopAndLog(t) })
	d.waitHealthy(t)
	return d
}

// daemon is a running signalingd; done is closed once it has exited.
type daemon struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{}
	log  *signalingtest.SyncBuffer
	stop context.CancelFunc
}

// spawnSignalingd starts the daemon and returns at once. It uses no test
// helpers, so another goroutine may call it (to restart an instance).
func spawnSignalingd(bin, appURL string, chain *cli.Node, walletFile string, extra ...string) (*daemon, error) {
	ctx, cancel := context.WithCancel(context.Background())
	args := append([]string{
		"-listen", strings.TrimPrefix(appURL, "http://"), "-grpc", chain.GRPC, "-chain-id", chain.ChainID,
		"-public-origin", appURL,
		// This node's events, and a free metrics port (several instances, other devnets).
		"-rpc", strings.Replace(chain.RPC, "tcp://", "http://", 1), "-metrics-listen", "127.0.0.1:0",
		"-public-rpc", strings.Replace(chain.RPC, "tcp://", "http://", 1), "-public-rest", chain.REST,
		"-devnet-wallet", walletFile,
		// Unsubscribing cuts a viewer off at the next re-check.
		"-recheck-interval", "2s", "-cache-ttl", "1s",
		"-log-level", "debug",
	}, extra...)
	d := &daemon{url: appURL, cmd: exec.CommandContext(ctx, bin, args...), done: make(chan struct{}), log: &signalingtest.SyncBuffer{}, stop: cancel}
	d.cmd.Stdout, d.cmd.Stderr = d.log, d.log
	if err := d.cmd.Start(); err != nil {
		cancel()
		return nil, err
	}
	go func() { _ = d.cmd.Wait(); close(d.done) }()
	return d, nil
}

func (d *daemon) stopAndLog(t *testing.T) {
	d.stop()
	<-d.done
	if t.Failed() {
		t.Logf("signalingd %s log (tail):\n%s", d.url, tail(d.log.String(), 6000))
	}
}

func (d *daemon) waitHealthy(t *testing.T) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		r, err := http.Get(d.url + "/healthz")
		if err == nil {
			r.Body.Close()
			if r.StatusCode == http.StatusOK {
				return
			}
		}
		select {
		case <-d.done:
			t.Fatalf("signalingd exited:\n%s", d.log.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("signalingd not healthy in 30s: %v\n%s", err, d.log.String())
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// browserTools returns Chromium and node.js, with the pinned packages installed.
func browserTools(t *testing.T) (chromium, nodeJS string) {
	chromium = os.Getenv("CHROMIUM")
	if chromium == "" {
		chromium = defaultChromium
	}
	if _, err := os.Stat(chromium); err != nil {
		t.Fatalf("Chromium is needed at %s (apt-get install chromium; .ci/run installs it): %v", chromium, err)
	}
	nodeJS, err := exec.LookPath("node")
	require.NoError(t, err, "node.js is needed to drive Chromium")
	ensureNodeModules(t)
	return chromium, nodeJS
}

// ensureNodeModules installs the pinned packages (package-lock.json) when
// node_modules does not hold them; .ci/run does the same up front.
func ensureNodeModules(t *testing.T) {
	lock, err := os.ReadFile("package-lock.json")
	require.NoError(t, err)
	installed, err := os.ReadFile(filepath.Join("node_modules", ".package-lock.json"))
	if err == nil && sameLockPackages(lock, installed) {
		return
	}
	npm, err := exec.LookPath("npm")
	require.NoError(t, err, "node_modules is missing and npm is not installed: run `npm ci --prefix signaling/web`")
	out, err := exec.Command(npm, "ci", "--no-audit", "--no-fund").CombinedOutput()
	require.NoError(t, err, "npm ci: %s", out)
}

// sameLockPackages compares the packages of package-lock.json with the ones
// npm recorded as installed.
func sameLockPackages(lock, installed []byte) bool {
	var a, b struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	if json.Unmarshal(lock, &a) != nil || json.Unmarshal(installed, &b) != nil {
		return false
	}
	for name, p := range a.Packages {
		if name == "" {
			continue
		}
		if b.Packages[name].Version != p.Version {
			return false
		}
	}
	return true
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
