package types

import "cosmossdk.io/collections"

const (
	// ModuleName is the module's name, store key and route.
	ModuleName = "streaming"
	// StoreKey is the key of the module's KV store.
	StoreKey = ModuleName
)

// Store prefixes. Each collection owns one prefix; never reuse a number.
var (
	ParamsKey                  = collections.NewPrefix(0)
	ProfilesKey                = collections.NewPrefix(1)
	StreamSeqKey               = collections.NewPrefix(2)
	StreamsKey                 = collections.NewPrefix(3)
	StreamsByBroadcasterKey    = collections.NewPrefix(4)
	StreamsByStartKey          = collections.NewPrefix(5)
	SubscriptionsKey           = collections.NewPrefix(6)
	SubscriptionsByBroadcaster = collections.NewPrefix(7)
	StreamsByEndKey            = collections.NewPrefix(8)
	StreamsByBroadcasterEndKey = collections.NewPrefix(9)
	OpenStreamsKey             = collections.NewPrefix(10)
	SubscriptionTermsKey       = collections.NewPrefix(11)
	SubscriptionExpiriesKey    = collections.NewPrefix(12)
	BlocksKey                  = collections.NewPrefix(13)
)

// Denom is the only denomination subscription prices and tips are paid in.
const Denom = "ustream"

// FirstStreamID is the id of the first stream ever scheduled; 0 is never a
// valid id, so an unset field can't name a stream by accident.
const FirstStreamID uint64 = 1

// MaxPageLimit caps every list query's page size.
const MaxPageLimit uint64 = 100

// DefaultPageLimit is the page size when a request does not give one.
const DefaultPageLimit uint64 = 50
