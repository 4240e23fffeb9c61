package main

import (
	"context"
	"io"
	"log/slog"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// stalledNode accepts TCP connections and never answers, like a node whose
// process is stopped (SIGSTOP) or cut off behind a partition: the kernel
// completes the handshake, nothing else happens.
func stalledNode(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var (
		mu    sync.Mutex
		conns []net.Conn
		wg    sync.WaitGroup
	)
	wg.Go(func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	})
	t.Cleanup(func() {
		_ = ln.Close()
		wg.Wait()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return ln.Addr().String()
}

// deadAddr is a loopback address nothing listens on.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

func dialForTest(t *testing.T, addrs string) *failoverChain {
	t.Helper()
	chain, err := dialChain(addrs, false, slog.New(slog.NewTextHandler(io.Discard, nil)))
	require.NoError(t, err)
	t.Cleanup(func() { _ = chain.Close() })
	return chain
}

// query is one chain query as the daemon makes it: bounded by the default
// chain timeout.
func query(chain *failoverChain, f func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(context.Background(), signaling.DefaultChainTimeout)
	defer cancel()
	return f(ctx)
}

func TestFailoverMovesPastDeadAndStalledNodes(t *testing.T) {
	live := signalingtest.NewChain(t)
	id := live.AddStream("stream1broadcaster", time.Now(), time.Now().Add(time.Hour))
	chain := dialForTest(t, deadAddr(t)+","+stalledNode(t)+", "+live.Addr())

	// The first node refuses connections, the second never answers: the
	// query still gets the third node's answer within one chain timeout.
	require.NoError(t, query(chain, chain.Ping))
	var info signaling.StreamInfo
	require.NoError(t, query(chain, func(ctx context.Context) (err error) {
		info, err = chain.Stream(ctx, id)
		return err
	}))
	require.Equal(t, "stream1broadcaster", info.Broadcaster)

	// The node that answered is now the current one: later queries go
	// straight to it.
	require.EqualValues(t, 2, chain.current.Load())

	// An answer is not a failure: "not found" comes back as such and is not
	// asked again elsewhere.
	err := query(chain, func(ctx context.Context) error {
		_, err := chain.Stream(ctx, id+1)
		return err
	})
	require.ErrorIs(t, err, signaling.ErrStreamNotFound)
}

func TestFailoverFollowsTheNodeThatGoesAndComesBack(t *testing.T) {
	a, b := signalingtest.NewChain(t), signalingtest.NewChain(t)
	a.Subscribe("stream1viewer", "stream1broadcaster")
	b.Subscribe("stream1viewer", "stream1broadcaster")
	chain := dialForTest(t, a.Addr()+","+b.Addr())
	subscribed := func() (ok bool, err error) {
		err = query(chain, func(ctx context.Context) (err error) {
			acc, err := chain.Subscribed(ctx, "stream1viewer", "stream1broadcaster")
			ok = acc.Held
			return err
		})
		return ok, err
	}

	ok, err := subscribed()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1, a.Calls("Subscription"))
	require.Zero(t, b.Calls("Subscription"))

	// a goes away while in use: the next query is answered by b.
	a.Stop()
	ok, err = subscribed()
	require.NoError(t, err)
	require.True(t, ok)
	require.Equal(t, 1, b.Calls("Subscription"))

	// Both gone: now, and only now, the chain is unavailable.
	b.Stop()
	_, err = subscribed()
	require.ErrorIs(t, err, signaling.ErrChainUnavailable)

	// a comes back: queries reach it again once its connection is
	// re-established (the gRPC backoff is at most 2 s).
	a.Start(t)
	require.Eventually(t, func() bool {
		ok, err := subscribed()
		return err == nil && ok
	}, 20*time.Second, 100*time.Millisecond)
}

func TestDialChainRejectsAnEmptyEndpoint(t *testing.T) {
	_, err := dialChain("127.0.0.1:9090,,127.0.0.1:9091", false, slog.Default())
	require.ErrorContains(t, err, "empty entry")
}
