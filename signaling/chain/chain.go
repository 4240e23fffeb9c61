// Package chain is what signalingd asks the chain: a stream's owner and
// schedule, whether an account subscribes to another (over gRPC, behind a
// short cache), and the feed of committed blocks' x/streaming events (over
// CometBFT RPC).
package chain

import (
	"context"
	"errors"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// StreamInfo is what the daemon needs to know about an on-chain stream.
type StreamInfo struct {
	ID          uint64
	Broadcaster string
	StartTime   time.Time
	EndTime     time.Time
}

var (
	// ErrStreamNotFound: the chain has no such stream (never scheduled, or
	// deleted).
	ErrStreamNotFound = errors.New("stream not found")
	// ErrChainUnavailable: the node could not answer. Callers fail closed.
	ErrChainUnavailable = errors.New("chain unavailable")
)

// Chain is the daemon's whole view of the chain. Implementations return
// ErrStreamNotFound or an error wrapping ErrChainUnavailable; anything else is
// treated as unavailable too.
type Chain interface {
	Stream(ctx context.Context, id uint64) (StreamInfo, error)
	Subscribed(ctx context.Context, subscriber, broadcaster string) (Access, error)
	// ProfileName is the name of address's profile ("" without one).
	ProfileName(ctx context.Context, address string) (string, error)
	// Ping succeeds when the node answers queries.
	Ping(ctx context.Context) error
}

// GRPCChain queries x/streaming over the node's gRPC endpoint. The client
// connection is the caller's (cmd/signalingd dials it with its own backoff
// and TLS settings); it must use GogoCodec.
type GRPCChain struct {
	q types.QueryClient
}

// NewGRPCChain queries through cc.
func NewGRPCChain(cc grpc.ClientConnInterface) *GRPCChain {
	return &GRPCChain{q: types.NewQueryClient(cc)}
}

func (c *GRPCChain) Stream(ctx context.Context, id uint64) (StreamInfo, error) {
	res, err := c.q.Stream(ctx, &types.QueryStreamRequest{StreamId: id})
	if err != nil {
		switch status.Code(err) {
		case codes.NotFound, codes.InvalidArgument:
			return StreamInfo{}, ErrStreamNotFound
		default:
			return StreamInfo{}, fmt.Errorf("%w: stream %d: %v", ErrChainUnavailable, id, err)
		}
	}
	s := res.Stream
	return StreamInfo{ID: s.Id, Broadcaster: s.Broadcaster, StartTime: s.StartTime, EndTime: s.EndTime}, nil
}

// Access is what a subscription gives its holder: whether it lets them
// watch now (at the latest block's time), and, for a paid one, until when
// (zero: it does not expire).
type Access struct {
	Held  bool
	Until time.Time
}

func (c *GRPCChain) Subscribed(ctx context.Context, subscriber, broadcaster string) (Access, error) {
	res, err := c.q.Subscription(ctx, &types.QuerySubscriptionRequest{Subscriber: subscriber, Broadcaster: broadcaster})
	if err != nil {
		switch status.Code(err) {
		case codes.NotFound, codes.InvalidArgument:
			// An address the chain refuses cannot hold a subscription.
			return Access{}, nil
		default:
			return Access{}, fmt.Errorf("%w: subscription: %v", ErrChainUnavailable, err)
		}
	}
	a := Access{Held: res.Subscribed}
	if a.Held && res.ExpiresAt != nil {
		a.Until = *res.ExpiresAt
	}
	return a, nil
}

func (c *GRPCChain) ProfileName(ctx context.Context, address string) (string, error) {
	res, err := c.q.Profile(ctx, &types.QueryProfileRequest{Address: address})
	if err != nil {
		switch status.Code(err) {
		case codes.NotFound, codes.InvalidArgument:
			return "", nil
		default:
			return "", fmt.Errorf("%w: profile: %v", ErrChainUnavailable, err)
		}
	}
	return res.Profile.Name, nil
}

func (c *GRPCChain) Ping(ctx context.Context) error {
	if _, err := c.q.Params(ctx, &types.QueryParamsRequest{}); err != nil {
		return fmt.Errorf("%w: %v", ErrChainUnavailable, err)
	}
	return nil
}

// GogoCodec is a gRPC codec for gogoproto messages (their generated
// Marshal/Unmarshal), which grpc's default protobuf codec cannot handle when
// they use gogoproto options such as stdtime. It is the same wire format.
type GogoCodec struct{}

type gogoMessage interface {
	Marshal() ([]byte, error)
	Unmarshal([]byte) error
}

func (GogoCodec) Marshal(v any) ([]byte, error) {
	m, ok := v.(gogoMessage)
	if !ok {
		return nil, fmt.Errorf("gogo codec: %T is not a gogoproto message", v)
	}
	return m.Marshal()
}

func (GogoCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(gogoMessage)
	if !ok {
		return fmt.Errorf("gogo codec: %T is not a gogoproto message", v)
	}
	return m.Unmarshal(data)
}

func (GogoCodec) Name() string { return "proto" }
