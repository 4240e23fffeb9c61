package streaming_test

import (
	"math/rand"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/kv"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/streamchain/streamchain/x/streaming"
	"github.com/streamchain/streamchain/x/streaming/keeper"
	"github.com/streamchain/streamchain/x/streaming/simulation"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// The store decoder prints the simulator's store diffs; it must understand
// every entry the module writes, indexes included.
func TestStoreDecoderDecodesEveryEntry(t *testing.T) {
	key := storetypes.NewKVStoreKey(types.StoreKey)
	ctx := testutil.DefaultContext(key, storetypes.NewTransientStoreKey("transient_test"))
	cdc := moduletestutil.MakeTestEncodingConfig(streaming.AppModule{}).Codec
	ac := address.NewBech32Codec(sdk.GetConfig().GetBech32AccountAddrPrefix())
	authority, err := ac.BytesToString(authtypes.NewModuleAddress(govtypes.ModuleName))
	require.NoError(t, err)
	k := keeper.NewKeeper(cdc, runtime.NewKVStoreService(key), ac, authority, nil)

	// A random genesis that has profiles, streams, subscriptions (paid ones
	// among them), terms and blocks.
	var gs *types.GenesisState
	paid := func(s types.Subscription) bool { return s.ExpiresAt != nil }
	for seed := int64(0); gs == nil || len(gs.Streams) == 0 || !slices.ContainsFunc(gs.Subscriptions, paid) || len(gs.Blocks) == 0; seed++ {
		r := rand.New(rand.NewSource(seed))
		gs = simulation.RandomGenesis(r, simulation.RandomParams(r), simtypes.RandomAccounts(r, 10), time.Unix(1_800_000_000, 0))
	}
	require.NoError(t, k.InitGenesis(ctx, gs))

	sdr := make(simtypes.StoreDecoderRegistry)
	streaming.NewAppModule(cdc, k).RegisterStoreDecoder(sdr)
	decode := sdr[types.StoreKey]
	require.NotNil(t, decode)

	prefixes := make(map[byte]bool)
	it := ctx.KVStore(key).Iterator(nil, nil)
	defer it.Close()
	for ; it.Valid(); it.Next() {
		pair := kv.Pair{Key: it.Key(), Value: it.Value()}
		require.NotPanics(t, func() { decode(pair, pair) }, "key %X", pair.Key)
		prefixes[pair.Key[0]] = true
	}
	// params, profiles, stream sequence, streams and their four indexes,
	// subscriptions and their reverse index, open-stream counts,
	// subscription terms, the expiry queue, blocks
	require.Len(t, prefixes, 14)

	stream := gs.Streams[0]
	bz, err := cdc.Marshal(&stream)
	require.NoError(t, err)
	streamKey := append(types.StreamsKey.Bytes(), sdk.Uint64ToBigEndian(stream.Id)...)
	out := decode(kv.Pair{Key: streamKey, Value: bz}, kv.Pair{Key: streamKey, Value: bz})
	require.True(t, strings.Contains(out, stream.Broadcaster), out)
}
