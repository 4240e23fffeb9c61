package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/chain"
)

// failoverChain is the daemon's chain when it knows several nodes (-grpc
// a,b,c): every query goes to one node, the current one, and moves on to the
// next when that node does not answer, so joins fail with chain_unavailable
// only when no node answers. A node that answers becomes the current one, so
// after a failover the queries stay on the node that works.
//
// One query is bounded by the caller's deadline (-chain-timeout); each node
// gets an equal share of what is left, so a node that accepts connections but
// never answers (a stopped process, a partition) costs one share, not the
// whole query. Answers ("not found", "not subscribed") are never retried on
// another node: only failures are.
type failoverChain struct {
	addrs   []string
	conns   []*grpc.ClientConn
	nodes   []*chain.GRPCChain
	current atomic.Int64
	log     *slog.Logger
}

// noDeadlineShare bounds one node's share when the caller gave no deadline.
const noDeadlineShare = 5 * time.Second

// dialChain connects to each endpoint of addrs, a comma-separated list of
// host:port; like dialNode it does not wait for the nodes.
func dialChain(addrs string, useTLS bool, log *slog.Logger) (*failoverChain, error) {
	f := &failoverChain{log: log}
	for _, a := range strings.Split(addrs, ",") {
		a = strings.TrimSpace(a)
		if a == "" {
			f.Close()
			return nil, fmt.Errorf("grpc endpoints %q: empty entry", addrs)
		}
		cc, err := dialNode(a, useTLS)
		if err != nil {
			f.Close()
			return nil, err
		}
		f.addrs = append(f.addrs, a)
		f.conns = append(f.conns, cc)
		f.nodes = append(f.nodes, chain.NewGRPCChain(cc))
	}
	return f, nil
}

// Close closes every node connection.
func (f *failoverChain) Close() error {
	var errs []error
	for _, cc := range f.conns {
		errs = append(errs, cc.Close())
	}
	return errors.Join(errs...)
}

func (f *failoverChain) Stream(ctx context.Context, id uint64) (signaling.StreamInfo, error) {
	return ask(ctx, f, func(ctx context.Context, n *chain.GRPCChain) (signaling.StreamInfo, error) {
		return n.Stream(ctx, id)
	})
}

func (f *failoverChain) Subscribed(ctx context.Context, subscriber, broadcaster string) (chain.Access, error) {
	return ask(ctx, f, func(ctx context.Context, n *chain.GRPCChain) (chain.Access, error) {
		return n.Subscribed(ctx, subscriber, broadcaster)
	})
}

func (f *failoverChain) ProfileName(ctx context.Context, address string) (string, error) {
	return ask(ctx, f, func(ctx context.Context, n *chain.GRPCChain) (string, error) {
		return n.ProfileName(ctx, address)
	})
}

func (f *failoverChain) Ping(ctx context.Context) error {
	_, err := ask(ctx, f, func(ctx context.Context, n *chain.GRPCChain) (struct{}, error) {
		return struct{}{}, n.Ping(ctx)
	})
	return err
}

// ask runs query on the current node and, while the nodes fail, on the next
// ones in turn, each once.
func ask[T any](ctx context.Context, f *failoverChain, query func(context.Context, *chain.GRPCChain) (T, error)) (T, error) {
	first := f.current.Load()
	count := int64(len(f.nodes))
	var (
		res T
		err error
	)
	for i := range count {
		idx := (first + i) % count
		nodeCtx, cancel := shareOf(ctx, count-i)
		res, err = query(nodeCtx, f.nodes[idx])
		cancel()
		if err == nil || errors.Is(err, signaling.ErrStreamNotFound) {
			if idx != first && f.current.CompareAndSwap(first, idx) {
				f.log.Warn("chain node not answering; moved to the next",
					"from", f.addrs[first], "to", f.addrs[idx])
			}
			return res, err
		}
		if ctx.Err() != nil {
			break
		}
	}
	return res, err
}

// shareOf bounds one attempt to 1/left of what remains of ctx's deadline.
func shareOf(ctx context.Context, left int64) (context.Context, context.CancelFunc) {
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithTimeout(ctx, noDeadlineShare)
	}
	return context.WithTimeout(ctx, time.Until(deadline)/time.Duration(left))
}
