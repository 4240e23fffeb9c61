// Package keeper holds the streaming module's state and its message and
// query handlers.
package keeper

import (
	"time"

	"cosmossdk.io/collections"
	collcodec "cosmossdk.io/collections/codec"
	"cosmossdk.io/collections/indexes"
	"cosmossdk.io/core/address"
	"cosmossdk.io/core/store"
	errorsmod "cosmossdk.io/errors"

	"github.com/cosmos/cosmos-sdk/codec"
	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// StreamIndexes are the secondary indexes of Streams.
type StreamIndexes struct {
	// ByBroadcaster lists one broadcaster's streams: (broadcaster, id).
	ByBroadcaster *indexes.Multi[sdk.AccAddress, uint64, types.Stream]
	// ByStart orders all streams by start time: (start_time, id).
	ByStart *indexes.Multi[time.Time, uint64, types.Stream]
	// ByEnd orders all streams by end time: (end_time, id). It answers
	// "ended" exactly and is the retention queue the end blocker walks.
	ByEnd *indexes.Multi[time.Time, uint64, types.Stream]
	// ByBroadcasterEnd is ((broadcaster, end_time), id): a broadcaster's
	// streams that have not ended are a short range at its end.
	ByBroadcasterEnd *indexes.Multi[collections.Pair[sdk.AccAddress, time.Time], uint64, types.Stream]
}

// IndexesList implements collections.Indexes.
func (i StreamIndexes) IndexesList() []collections.Index[uint64, types.Stream] {
	return []collections.Index[uint64, types.Stream]{i.ByBroadcaster, i.ByStart, i.ByEnd, i.ByBroadcasterEnd}
}

// SubscriptionIndexes are the secondary indexes of Subscriptions.
type SubscriptionIndexes struct {
	// ByBroadcaster is (broadcaster, subscriber): a broadcaster's
	// subscribers page without scanning.
	ByBroadcaster *indexes.ReversePair[sdk.AccAddress, sdk.AccAddress, types.Subscription]
}

// IndexesList implements collections.Indexes.
func (i SubscriptionIndexes) IndexesList() []collections.Index[collections.Pair[sdk.AccAddress, sdk.AccAddress], types.Subscription] {
	return []collections.Index[collections.Pair[sdk.AccAddress, sdk.AccAddress], types.Subscription]{i.ByBroadcaster}
}

// Keeper owns the module's state. Every element has its own key: nothing
// that grows with use lives inside one stored value.
type Keeper struct {
	cdc          codec.BinaryCodec
	addressCodec address.Codec
	bank         types.BankKeeper
	// authority may change params: the gov module account unless wired otherwise.
	authority string

	Schema   collections.Schema
	Params   collections.Item[types.Params]
	Profiles collections.Map[sdk.AccAddress, types.Profile]
	// StreamSeq hands out stream ids; ids never repeat, even after deletes.
	StreamSeq collections.Sequence
	Streams   *collections.IndexedMap[uint64, types.Stream, StreamIndexes]
	// OpenStreams counts each broadcaster's streams that have not ended, as
	// of a time the count was last brought up to date (open_streams.go).
	// It is derived from Streams: genesis rebuilds it rather than carry it.
	OpenStreams collections.Map[sdk.AccAddress, collections.Pair[time.Time, uint64]]
	// Subscriptions are keyed (subscriber, broadcaster).
	Subscriptions *collections.IndexedMap[collections.Pair[sdk.AccAddress, sdk.AccAddress], types.Subscription, SubscriptionIndexes]
	// SubscriptionTerms are the price and period of each broadcaster that
	// charges; a broadcaster without an entry is free.
	SubscriptionTerms collections.Map[sdk.AccAddress, types.SubscriptionTerms]
	// SubscriptionExpiries is (expires_at, subscriber, broadcaster) for every
	// paid subscription: the queue the end blocker walks, earliest first.
	// It is derived from Subscriptions: genesis rebuilds it.
	SubscriptionExpiries collections.KeySet[collections.Triple[time.Time, sdk.AccAddress, sdk.AccAddress]]
	// Blocks are keyed (broadcaster, blocked account): a broadcaster's
	// blocks page as one prefix.
	Blocks collections.Map[collections.Pair[sdk.AccAddress, sdk.AccAddress], types.Block]
}

// NewKeeper builds the keeper. authority is the bech32 address allowed to
// send MsgUpdateParams; bank moves subscription prices and tips.
func NewKeeper(cdc codec.BinaryCodec, storeService store.KVStoreService, addressCodec address.Codec, authority string, bank types.BankKeeper) *Keeper {
	if _, err := addressCodec.StringToBytes(authority); err != nil {
		panic(errorsmod.Wrapf(types.ErrInvalidAuthority, "%q: %v", authority, err))
	}
	sb := collections.NewSchemaBuilder(storeService)
	k := &Keeper{
		cdc:          cdc,
		addressCodec: addressCodec,
		bank:         bank,
		authority:    authority,
		Params:       collections.NewItem(sb, types.ParamsKey, "params", codec.CollValue[types.Params](cdc)),
		Profiles:     collections.NewMap(sb, types.ProfilesKey, "profiles", sdk.AccAddressKey, codec.CollValue[types.Profile](cdc)),
		StreamSeq:    collections.NewSequence(sb, types.StreamSeqKey, "stream_seq"),
		Streams: collections.NewIndexedMap(sb, types.StreamsKey, "streams", collections.Uint64Key, codec.CollValue[types.Stream](cdc),
			StreamIndexes{
				ByBroadcaster: indexes.NewMulti(sb, types.StreamsByBroadcasterKey, "streams_by_broadcaster",
					sdk.AccAddressKey, collections.Uint64Key,
					func(_ uint64, s types.Stream) (sdk.AccAddress, error) {
						return addressCodec.StringToBytes(s.Broadcaster)
					}),
				ByStart: indexes.NewMulti(sb, types.StreamsByStartKey, "streams_by_start",
					sdk.TimeKey, collections.Uint64Key,
					func(_ uint64, s types.Stream) (time.Time, error) { return s.StartTime, nil }),
				ByEnd: indexes.NewMulti(sb, types.StreamsByEndKey, "streams_by_end",
					sdk.TimeKey, collections.Uint64Key,
					func(_ uint64, s types.Stream) (time.Time, error) { return s.EndTime, nil }),
				ByBroadcasterEnd: indexes.NewMulti(sb, types.StreamsByBroadcasterEndKey, "streams_by_broadcaster_end",
					collections.PairKeyCodec(sdk.AccAddressKey, sdk.TimeKey), collections.Uint64Key,
					func(_ uint64, s types.Stream) (collections.Pair[sdk.AccAddress, time.Time], error) {
						bc, err := addressCodec.StringToBytes(s.Broadcaster)
						return collections.Join(sdk.AccAddress(bc), s.EndTime), err
					}),
			}),
		OpenStreams: collections.NewMap(sb, types.OpenStreamsKey, "open_streams", sdk.AccAddressKey,
			collcodec.KeyToValueCodec(collections.PairKeyCodec(sdk.TimeKey, collections.Uint64Key))),
		Subscriptions: collections.NewIndexedMap(sb, types.SubscriptionsKey, "subscriptions",
			collections.PairKeyCodec(sdk.AccAddressKey, sdk.AccAddressKey), codec.CollValue[types.Subscription](cdc),
			SubscriptionIndexes{
				ByBroadcaster: indexes.NewReversePair[types.Subscription](sb, types.SubscriptionsByBroadcaster, "subscriptions_by_broadcaster",
					collections.PairKeyCodec(sdk.AccAddressKey, sdk.AccAddressKey)),
			}),
		SubscriptionTerms: collections.NewMap(sb, types.SubscriptionTermsKey, "subscription_terms", sdk.AccAddressKey,
			codec.CollValue[types.SubscriptionTerms](cdc)),
		SubscriptionExpiries: collections.NewKeySet(sb, types.SubscriptionExpiriesKey, "subscription_expiries",
			collections.TripleKeyCodec(sdk.TimeKey, sdk.AccAddressKey, sdk.AccAddressKey)),
		Blocks: collections.NewMap(sb, types.BlocksKey, "blocks",
			collections.PairKeyCodec(sdk.AccAddressKey, sdk.AccAddressKey), codec.CollValue[types.Block](cdc)),
	}
	schema, err := sb.Build()
	if err != nil {
		panic(err)
	}
	k.Schema = schema
	return k
}

// Authority returns the address allowed to update params.
func (k *Keeper) Authority() string { return k.authority }

// AddressCodec returns the codec of account addresses.
func (k *Keeper) AddressCodec() address.Codec { return k.addressCodec }
