// Command signalingd is the WebSocket signaling daemon that pairs streamchain
// broadcasters and viewers after checking them against the chain. The
// protocol is in signaling/PROTOCOL.md; `signalingd -h` lists the settings.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/chain"
)

func main() {
	if err := run(context.Background(), os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "signalingd:", err)
		os.Exit(1)
	}
}

// run serves until ctx ends or SIGINT/SIGTERM arrives, then drains: every
// connection is closed with 1001 and a reason. A second signal, or the drain
// timeout, drops whatever is left.
func run(ctx context.Context, args []string, getenv func(string) string, stderr io.Writer) error {
	cfg, err := loadConfig(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log := newLogger(cfg, stderr)

	node, err := dialChain(cfg.GRPCAddr, cfg.GRPCTLS, log)
	if err != nil {
		return err
	}
	defer node.Close()

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	opts := []signaling.Option{signaling.WithLogger(log), signaling.WithRegistry(reg)}
	if cfg.RPCAddr != "" {
		feed, err := chain.NewCometEvents(cfg.RPCAddr, cfg.ChainTimeout)
		if err != nil {
			return err
		}
		opts = append(opts, signaling.WithEventFeed(feed))
	} else {
		log.Warn("no node RPC configured: revocations wait for the periodic re-check", "interval", cfg.RecheckInterval)
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		return err
	}
	shared, rdb, err := sharedMode(cfg, ln, log)
	if err != nil {
		_ = ln.Close()
		return err
	}
	if rdb != nil {
		defer rdb.Close()
		opts = append(opts, shared)
	}
	srv, err := signaling.New(cfg.Config, node, opts...)
	if err != nil {
		_ = ln.Close()
		return err
	}

	// The first signal starts the drain.
	drainCtx, stopDrainSignal := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stopDrainSignal()
	httpSrv := srv.HTTPServer()
	errc := make(chan error, 2)
	go func() { errc <- httpSrv.Serve(srv.Listener(ln)) }()

	var metricsSrv *http.Server
	if cfg.MetricsListen != "" {
		mln, err := net.Listen("tcp", cfg.MetricsListen)
		if err != nil {
			_ = httpSrv.Close()
			srv.Close()
			return err
		}
		metricsSrv = newHTTPServer(srv.InternalHandler(), log)
		go func() { errc <- metricsSrv.Serve(mln) }()
		if ip := net.ParseIP(host(mln.Addr().String())); ip == nil || !ip.IsLoopback() {
			log.Warn("metrics and detailed health are served beyond loopback; keep that listener private", "addr", mln.Addr().String())
		}
		log.Info("metrics listening", "addr", mln.Addr().String())
	}
	log.Info("listening", "addr", ln.Addr().String(), "grpc", cfg.GRPCAddr, "rpc", cfg.RPCAddr, "chain_id", cfg.ChainID,
		"allowed_origins", cfg.AllowedOrigins, "public_origin", cfg.PublicOrigin)
	if err := srv.CheckChain(ctx); err != nil {
		log.Warn("chain not reachable yet; joins fail with chain_unavailable until it is", "err", err)
	} else {
		log.Info("chain reachable")
	}

	var serveErr error
	select {
	case <-drainCtx.Done():
	case serveErr = <-errc:
		log.Error("listener failed", "err", serveErr)
	}

	// A second signal forces. Register it before releasing the first so a
	// quick second Ctrl-C is never lost.
	forceCtx, stopForceSignal := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stopForceSignal()
	stopDrainSignal()
	log.Info("draining connections; signal again to force", "timeout", cfg.DrainTimeout)
	shutdownCtx, cancel := context.WithTimeout(forceCtx, cfg.DrainTimeout)
	defer cancel()

	drainErr := srv.Shutdown(shutdownCtx)
	if err := httpSrv.Shutdown(shutdownCtx); err != nil {
		_ = httpSrv.Close()
	}
	if metricsSrv != nil {
		if err := metricsSrv.Shutdown(shutdownCtx); err != nil {
			_ = metricsSrv.Close()
		}
	}
	switch {
	case serveErr != nil:
		return serveErr
	case drainErr != nil:
		log.Warn("shutdown forced", "err", drainErr)
		return fmt.Errorf("shutdown forced: %w", drainErr)
	}
	log.Info("stopped")
	return nil
}

func host(addr string) string {
	h, _, err := net.SplitHostPort(addr)
	if err != nil {
		return addr
	}
	return h
}

// newHTTPServer is the internal listener's server.
func newHTTPServer(h http.Handler, log *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       60 * time.Second,
		MaxHeaderBytes:    16 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
}

func newLogger(cfg settings, w io.Writer) *slog.Logger {
	var level slog.Level
	_ = level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}
