package signalingtest

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/chain"
)

// Logger discards, unless SIGNALING_TEST_LOG is set: then it writes debug
// logs to stderr.
func Logger() *slog.Logger {
	if os.Getenv("SIGNALING_TEST_LOG") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

// DialChain is a GRPCChain on a node's (or a fixture's) gRPC endpoint; the
// connection closes when the test ends.
func DialChain(tb testing.TB, addr string) *chain.GRPCChain {
	tb.Helper()
	cc, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.ForceCodec(chain.GogoCodec{})))
	if err != nil {
		tb.Fatalf("grpc client for %s: %v", addr, err)
	}
	tb.Cleanup(func() { _ = cc.Close() })
	return chain.NewGRPCChain(cc)
}

// Serve runs srv the way cmd/signalingd does (its http.Server timeouts, its
// connection-limiting listener) on ln, or on a fresh loopback listener when
// ln is nil. When the test ends the server is drained (failing the test if
// that is forced) and closed.
func Serve(tb testing.TB, srv *signaling.Server, ln net.Listener) *httptest.Server {
	tb.Helper()
	hs := httptest.NewUnstartedServer(srv)
	if ln != nil {
		_ = hs.Listener.Close()
		hs.Listener = ln
	}
	hs.Listener = srv.Listener(hs.Listener)
	hs.Config = srv.HTTPServer()
	hs.Start()
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(ctx); err != nil {
			tb.Errorf("shutdown: %v", err)
		}
		hs.Close()
	})
	return hs
}
