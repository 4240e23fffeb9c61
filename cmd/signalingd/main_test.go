package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

func envOf(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestConfigPrecedence(t *testing.T) {
	env := map[string]string{
		"SIGNALINGD_LISTEN":           "127.0.0.1:7000",
		"SIGNALINGD_GRPC":             "node:9090",
		"SIGNALINGD_CHAIN_ID":         "from-env-1",
		"SIGNALINGD_ALLOWED_ORIGINS":  "https://a.example, https://b.example",
		"SIGNALINGD_RECHECK_INTERVAL": "45s",
		"SIGNALINGD_ICE_SERVERS":      `[{"urls":["stun:stun.example:3478"]},{"urls":["turn:turn.example"],"username":"u","credential":"p"}]`,
		"SIGNALINGD_TURN_URLS":        "turn:turn.example:3478",
		"SIGNALINGD_TURN_SECRET":      "shh",
		"SIGNALINGD_GRPC_TLS":         "true",
	}
	var out bytes.Buffer
	cfg, err := loadConfig([]string{"-chain-id", "from-flag-1", "-max-viewers-per-stream", "7"}, envOf(env), &out)
	require.NoError(t, err)
	require.Equal(t, "127.0.0.1:7000", cfg.Listen)
	require.Equal(t, "node:9090", cfg.GRPCAddr)
	require.True(t, cfg.GRPCTLS)
	require.Equal(t, "from-flag-1", cfg.ChainID, "a flag beats the environment")
	require.Equal(t, []string{"https://a.example", "https://b.example"}, cfg.AllowedOrigins)
	require.Equal(t, 45*time.Second, cfg.RecheckInterval)
	require.Equal(t, 7, cfg.MaxViewersPerStream)
	require.Equal(t, signaling.DefaultMaxConnsPerIP, cfg.MaxConnsPerIP, "untouched settings keep their default")
	require.Equal(t, []protocol.ICEServer{
		{URLs: []string{"stun:stun.example:3478"}},
		{URLs: []string{"turn:turn.example"}, Username: "u", Credential: "p"},
	}, cfg.ICEServers)
	require.Equal(t, "shh", cfg.TURN.Secret)
}

func TestConfigFromFiles(t *testing.T) {
	dir := t.TempDir()
	ice := filepath.Join(dir, "ice.json")
	secret := filepath.Join(dir, "turn-secret")
	require.NoError(t, os.WriteFile(ice, []byte(`[{"urls":["turns:turn.example:5349"],"username":"u","credential":"p"}]`), 0o600))
	require.NoError(t, os.WriteFile(secret, []byte("s3cret\n"), 0o600))
	cfg, err := loadConfig([]string{
		"-allowed-origins", "https://app.example",
		"-ice-servers-file", ice,
		"-turn-secret-file", secret, "-turn-urls", "turn:turn.example",
	}, envOf(nil), &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, "p", cfg.ICEServers[0].Credential)
	require.Equal(t, "s3cret", cfg.TURN.Secret)
}

func TestConfigErrors(t *testing.T) {
	cases := map[string]struct {
		args []string
		env  map[string]string
		want string
	}{
		"bad env duration":   {env: map[string]string{"SIGNALINGD_CACHE_TTL": "soon"}, want: "SIGNALINGD_CACHE_TTL"},
		"bad flag":           {args: []string{"-max-conns", "many"}, want: "max-conns"},
		"bad ice json":       {args: []string{"-allowed-origins", "https://a.example", "-ice-servers", "[{"}, want: "ice servers"},
		"ice twice":          {args: []string{"-allowed-origins", "https://a.example", "-ice-servers", "[]", "-ice-servers-file", "x"}, want: "not both"},
		"stray argument":     {args: []string{"-allowed-origins", "https://a.example", "extra"}, want: "unexpected arguments"},
		"invalid limit":      {args: []string{"-allowed-origins", "https://a.example", "-max-message-size", "10"}, want: "max message size"},
		"secret without url": {args: []string{"-allowed-origins", "https://a.example"}, env: map[string]string{"SIGNALINGD_TURN_SECRET": "x"}, want: "turn secret set without turn urls"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			_, err := loadConfig(tc.args, envOf(tc.env), &bytes.Buffer{})
			require.ErrorContains(t, err, tc.want)
		})
	}
}

func TestHelpListsEnvironmentVariables(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), []string{"-h"}, envOf(nil), &out))
	for _, want := range []string{"$SIGNALINGD_LISTEN", "$SIGNALINGD_GRPC", "$SIGNALINGD_CHAIN_ID", "$SIGNALINGD_ALLOWED_ORIGINS", "$SIGNALINGD_ICE_SERVERS", "SIGNALINGD_TURN_SECRET"} {
		require.Contains(t, out.String(), want)
	}
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func startRun(t *testing.T, ctx context.Context, chain *signalingtest.Chain) (string, chan error, *signalingtest.SyncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	env := map[string]string{
		"SIGNALINGD_LISTEN":          addr,
		"SIGNALINGD_GRPC":            chain.Addr(),
		"SIGNALINGD_ALLOWED_ORIGINS": "https://app.example",
		"SIGNALINGD_PUBLIC_ORIGIN":   "http://" + addr,
		"SIGNALINGD_METRICS_LISTEN":  freeAddr(t),
	}
	logs := &signalingtest.SyncBuffer{}
	done := make(chan error, 1)
	// No node RPC here: the fixture serves gRPC only.
	go func() { done <- run(ctx, []string{"-rpc="}, envOf(env), logs) }()
	client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, err := client.Get("http://" + addr + "/healthz")
		if err == nil {
			_ = resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("signalingd never became healthy: %v\n%s", err, logs)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return addr, done, logs
}

func TestRunDrainsOnFirstSignal(t *testing.T) {
	chain := signalingtest.NewChain(t)
	addr, done, logs := startRun(t, context.Background(), chain)

	w := signalingtest.NewWallet()
	c := signalingtest.Dial(t, "http://"+addr, "https://app.example")
	c.SignIn(w)

	require.NoError(t, syscall.Kill(syscall.Getpid(), syscall.SIGINT))
	code, reason := c.ExpectClosed()
	require.Equal(t, websocket.CloseGoingAway, code)
	require.Equal(t, "server shutting down", reason)
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after draining")
	}
	require.Contains(t, logs.String(), "draining connections")
	require.Contains(t, logs.String(), "stopped")
}

func TestRunStopsWhenContextEnds(t *testing.T) {
	chain := signalingtest.NewChain(t)
	ctx, cancel := context.WithCancel(context.Background())
	addr, done, _ := startRun(t, ctx, chain)
	c := signalingtest.Dial(t, "http://"+addr, "https://app.example")
	c.Expect("challenge")

	cancel()
	code, _ := c.ExpectClosed()
	require.Equal(t, websocket.CloseGoingAway, code)
	require.NoError(t, <-done)
	_, err := net.Dial("tcp", addr)
	require.Error(t, err, "listener still open")
}

func TestRunRefusesInvalidConfig(t *testing.T) {
	err := run(context.Background(), []string{"-max-conns", "0", "-allowed-origins", "https://a.example"}, envOf(nil), &bytes.Buffer{})
	require.Error(t, err)
	require.True(t, strings.Contains(err.Error(), "max connections"), err.Error())
}

func TestWebAppFlags(t *testing.T) {
	origins := []string{"-allowed-origins", "https://a.example"}
	cfg, err := loadConfig(origins, envOf(nil), &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, signaling.WebConfig{MinGasPrice: signaling.DefaultMinGasPrice}, cfg.Web, "no public URLs and no devnet wallet by default")

	cfg, err = loadConfig(append(origins, "-public-rpc", "https://rpc.example", "-public-rest", "https://rest.example",
		"-min-gas-price", "0.05", "-devnet-wallet", "/tmp/wallet.json"), envOf(nil), &bytes.Buffer{})
	require.NoError(t, err)
	require.Equal(t, signaling.WebConfig{PublicRPC: "https://rpc.example", PublicREST: "https://rest.example", MinGasPrice: 0.05, DevnetWalletFile: "/tmp/wallet.json"}, cfg.Web)
}
