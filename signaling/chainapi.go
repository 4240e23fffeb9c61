package signaling

import "github.com/streamchain/streamchain/signaling/chain"

// The chain as New and WithEventFeed take it, named here for the
// daemon's callers; package chain holds the implementations (GRPCChain,
// CometEvents).
type (
	Chain      = chain.Chain
	StreamInfo = chain.StreamInfo
	EventFeed  = chain.EventFeed
	ChainEvent = chain.ChainEvent
	EventKind  = chain.EventKind
)

var (
	ErrStreamNotFound   = chain.ErrStreamNotFound
	ErrChainUnavailable = chain.ErrChainUnavailable
)

const (
	EventUnsubscribed    = chain.EventUnsubscribed
	EventStreamDeleted   = chain.EventStreamDeleted
	EventStreamEdited    = chain.EventStreamEdited
	EventStreamScheduled = chain.EventStreamScheduled
	EventSubscribed      = chain.EventSubscribed
	EventTip             = chain.EventTip
	EventBlocked         = chain.EventBlocked
	EventExpired         = chain.EventExpired
)
