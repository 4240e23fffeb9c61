//go:build sims

package app

import (
	"encoding/json"
	"flag"
	"maps"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"cosmossdk.io/collections"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	simtestutil "github.com/cosmos/cosmos-sdk/testutil/sims"
	"github.com/cosmos/cosmos-sdk/testutil/simsx"
	sdk "github.com/cosmos/cosmos-sdk/types"
	simtypes "github.com/cosmos/cosmos-sdk/types/simulation"
	authzkeeper "github.com/cosmos/cosmos-sdk/x/authz/keeper"
	"github.com/cosmos/cosmos-sdk/x/feegrant"
	simcli "github.com/cosmos/cosmos-sdk/x/simulation/client/cli"
	slashingtypes "github.com/cosmos/cosmos-sdk/x/slashing/types"
	stakingtypes "github.com/cosmos/cosmos-sdk/x/staking/types"

	streamingtypes "github.com/streamchain/streamchain/x/streaming/types"
)

// The simulation tests. They run only with the sims build tag, and take the
// simulator's flags (-Seed, -NumBlocks, -BlockSize, -GenesisTime, -Verbose,
// ...); see the test-sim-* targets in the Makefile. Without -Seed each test
// runs the SDK's default list of seeds, in parallel.

func init() {
	simcli.GetSimulatorFlags()
}

// newSimApp builds the app for a simulation. IAVL prunes synchronously: the
// asynchronous default keeps a goroutine per store that only closing the
// store stops, so finished seeds would stay in memory.
func newSimApp(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp)) *StreamApp {
	return New(logger, db, loadLatest, appOpts, append(baseAppOptions, baseapp.SetIAVLSyncPruning(true))...)
}

func setupStateFactory(app *StreamApp) simsx.SimStateFactory {
	return simsx.SimStateFactory{
		Codec:         app.AppCodec(),
		AppStateFn:    simtestutil.AppStateFn(app.AppCodec(), app.SimulationManager(), app.DefaultGenesis()),
		BlockedAddr:   BlockedAddresses(),
		AccountSource: app.AccountKeeper,
		BalanceSource: app.BankKeeper,
	}
}

type postRunAction = func(tb testing.TB, ti simsx.TestInstance[*StreamApp], accs []simtypes.Account)

// run runs the simulation for the seed given with -Seed, or for the SDK's
// default seeds when none is given, then the post-run actions.
func run(t *testing.T, actions ...postRunAction) {
	t.Helper()
	if seed, ok := seedFlag(); ok {
		cfg := simcli.NewConfigFromFlags()
		cfg.ChainID = simsx.SimAppChainID
		simsx.RunWithSeed(t, cfg, newSimApp, setupStateFactory, seed, nil, actions...)
		return
	}
	simsx.Run(t, newSimApp, setupStateFactory, actions...)
}

// seedFlag returns the -Seed value if it was given on the command line (its
// default, 42, is a valid seed too, so the value alone does not tell).
func seedFlag() (seed int64, ok bool) {
	flag.Visit(func(f *flag.Flag) {
		if f.Name == "Seed" {
			ok = true
		}
	})
	return simcli.FlagSeedValue, ok
}

// TestFullAppSimulation runs random blocks of random messages of every
// module, then checks the streaming module's state for consistency.
func TestFullAppSimulation(t *testing.T) {
	run(t, checkStreamingState)
}

// TestAppImportExport runs a simulation, exports the state, imports it into
// a new app and requires every store, the streaming store included, to be
// the same in both apps.
func TestAppImportExport(t *testing.T) {
	run(t, checkStreamingState, func(tb testing.TB, ti simsx.TestInstance[*StreamApp], _ []simtypes.Account) {
		tb.Helper()
		app := ti.App
		exported, err := app.ExportAppStateAndValidators(false, nil, nil)
		require.NoError(tb, err)

		newApp := simsx.NewSimulationAppInstance(tb, ti.Cfg, newSimApp).App
		ctxB := newApp.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight(), Time: lastBlockTime(tb, app)})
		// The app's InitChainer, not only the modules' InitGenesis: it also
		// records the module versions, which the upgrade store holds.
		_, err = newApp.InitChainer(ctxB, &abci.RequestInitChain{AppStateBytes: exported.AppState, ChainId: simsx.SimAppChainID})
		if isEmptyValidatorSetErr(err) {
			tb.Skip("all validators were unbonded: nothing to import")
		}
		require.NoError(tb, err)
		require.NoError(tb, newApp.StoreConsensusParams(ctxB, exported.ConsensusParams))

		// Entries that are derived from block processing, not genesis state,
		// or whose keys an import rebuilds differently. Streaming's
		// open-stream counts are rebuilt as of the import's block time.
		skipPrefixes := map[string][][]byte{
			streamingtypes.StoreKey: {streamingtypes.OpenStreamsKey},
			stakingtypes.StoreKey: {
				stakingtypes.UnbondingQueueKey, stakingtypes.RedelegationQueueKey, stakingtypes.ValidatorQueueKey,
				stakingtypes.HistoricalInfoKey, stakingtypes.UnbondingIDKey, stakingtypes.UnbondingIndexKey,
				stakingtypes.UnbondingTypeKey, stakingtypes.ValidatorUpdatesKey,
			},
			authzkeeper.StoreKey:   {authzkeeper.GrantQueuePrefix},
			feegrant.StoreKey:      {feegrant.FeeAllowanceQueueKeyPrefix},
			slashingtypes.StoreKey: {slashingtypes.ValidatorMissedBlockBitmapKeyPrefix},
		}
		ctxA := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})
		names := slices.Sorted(maps.Keys(app.keys))
		require.Contains(tb, names, streamingtypes.StoreKey)
		for _, name := range names {
			keyA, keyB := app.keys[name], newApp.GetKey(name)
			require.NotNil(tb, keyB, "store %s missing in the imported app", name)
			diffA, diffB := simtestutil.DiffKVStores(ctxA.KVStore(keyA), ctxB.KVStore(keyB), skipPrefixes[name])
			require.Equal(tb, len(diffA), len(diffB), "store %s: unequal sets of differing entries", name)
			require.Empty(tb, diffA, "store %s differs after import:\n%s", name,
				simtestutil.GetSimulationLog(name, app.SimulationManager().StoreDecoders, diffA, diffB))
		}
		tb.Logf("compared %d stores: %v", len(names), names)
	})
}

// TestAppSimulationAfterImport runs a simulation, exports the state for zero
// height (what `streamd export --for-zero-height` does before a chain
// restarts from genesis), starts a new chain from it and simulates again on
// top of it with the same accounts. The streaming state must come out of the
// zero-height export unchanged: none of it depends on the height.
func TestAppSimulationAfterImport(t *testing.T) {
	run(t, checkStreamingState, func(tb testing.TB, ti simsx.TestInstance[*StreamApp], accs []simtypes.Account) {
		tb.Helper()
		app := ti.App
		genesisTime := lastBlockTime(tb, app)
		exported, err := app.ExportAppStateAndValidators(false, nil, nil)
		require.NoError(tb, err)
		// Last: preparing for zero height rewrites the app's check state.
		zeroHeight, err := app.ExportAppStateAndValidators(true, nil, nil)
		require.NoError(tb, err)
		require.JSONEq(tb, string(moduleState(tb, exported.AppState, streamingtypes.ModuleName)),
			string(moduleState(tb, zeroHeight.AppState, streamingtypes.ModuleName)))

		// The new chain starts from the zero-height export instead of a
		// random state. (The SDK's simapp calls InitChain and then lets
		// SimulateFromSeedX call it again with a random state, which replaces
		// the imported one before anything is committed.) A plain export
		// would not do: its heights are the old chain's, and distribution
		// panics on them in a chain that starts again at height 1.
		fromExport := func(imported *StreamApp) simsx.SimStateFactory {
			f := setupStateFactory(imported)
			f.AppStateFn = func(_ *rand.Rand, _ []simtypes.Account, cfg simtypes.Config) (json.RawMessage, []simtypes.Account, string, time.Time) {
				return zeroHeight.AppState, accs, cfg.ChainID, genesisTime
			}
			return f
		}
		cfg := ti.Cfg
		cfg.Seed++ // other operations than the first run's
		// A zero-height export leaves unbonding entries at creation height 0,
		// and the SDK's cancel-unbonding factory sends such heights, which
		// staking refuses ("invalid height"): that operation is off.
		cfg.ParamsFile = withWeights(tb, cfg.ParamsFile, map[string]uint32{"op_weight_msg_cancel_unbonding_delegation": 0})
		simsx.RunWithSeed(tb, cfg, newSimApp, fromExport, cfg.Seed, nil, checkStreamingState)
	})
}

// withWeights writes a simulation params file: the one given (if any) with
// the weights set.
func withWeights(tb testing.TB, paramsFile string, weights map[string]uint32) string {
	tb.Helper()
	params := make(map[string]json.RawMessage)
	if paramsFile != "" {
		bz, err := os.ReadFile(paramsFile)
		require.NoError(tb, err)
		require.NoError(tb, json.Unmarshal(bz, &params))
	}
	for k, w := range weights {
		params[k] = json.RawMessage(strconv.FormatUint(uint64(w), 10))
	}
	bz, err := json.Marshal(params)
	require.NoError(tb, err)
	path := filepath.Join(tb.TempDir(), "sim_params.json")
	require.NoError(tb, os.WriteFile(path, bz, 0o600))
	return path
}

func moduleState(tb testing.TB, appState json.RawMessage, module string) json.RawMessage {
	tb.Helper()
	var gs map[string]json.RawMessage
	require.NoError(tb, json.Unmarshal(appState, &gs))
	require.Contains(tb, gs, module)
	return gs[module]
}

// TestAppStateDeterminism runs each seed several times and requires the same
// app hash every time.
func TestAppStateDeterminism(t *testing.T) {
	const runsPerSeed = 3
	seeds := []int64{1, 7, 1893}
	if seed, ok := seedFlag(); ok {
		seeds = []int64{seed}
	}
	var all []int64
	for _, s := range seeds {
		for range runsPerSeed {
			all = append(all, s)
		}
	}
	// With the inter-block cache, as a node runs.
	appFactory := func(logger log.Logger, db dbm.DB, loadLatest bool, appOpts servertypes.AppOptions, baseAppOptions ...func(*baseapp.BaseApp)) *StreamApp {
		return newSimApp(logger, db, loadLatest, appOpts, append(baseAppOptions, baseapp.SetInterBlockCache(store.NewCommitKVStoreCacheManager()))...)
	}
	var (
		mu     sync.Mutex
		hashes = make(map[int64][][]byte)
	)
	checkHash := func(tb testing.TB, ti simsx.TestInstance[*StreamApp], _ []simtypes.Account) {
		tb.Helper()
		seed, hash := ti.Cfg.Seed, ti.App.LastCommitID().Hash
		mu.Lock()
		earlier := hashes[seed]
		hashes[seed] = append(earlier, hash)
		mu.Unlock()
		for i, h := range earlier {
			if !assert.Equal(tb, h, hash, "seed %d: run %d and run %d end on different app hashes", seed, i+1, len(earlier)+1) {
				ti.ExecLogWriter.PrintLogs()
				tb.FailNow()
			}
		}
	}
	simsx.RunWithSeeds(t, appFactory, setupStateFactory, all, nil, checkHash)
}

// checkStreamingState checks what genesis validation cannot see from one
// message: that the state the simulation left is consistent as a whole.
// Exporting and validating it checks ids, references and every profile's
// counters; walking the indexes checks each entry against its primary.
func checkStreamingState(tb testing.TB, ti simsx.TestInstance[*StreamApp], _ []simtypes.Account) {
	tb.Helper()
	app := ti.App
	k := app.StreamingKeeper
	ctx := app.NewContextLegacy(true, cmtproto.Header{Height: app.LastBlockHeight()})

	gs, err := k.ExportGenesis(ctx)
	require.NoError(tb, err)
	require.NoError(tb, gs.Validate(k.AddressCodec()), "exported streaming state is invalid")

	// Streams: the by-broadcaster and by-start indexes hold exactly one
	// entry per stream, with the stream's own broadcaster and start.
	streams := make(map[uint64]streamingtypes.Stream, len(gs.Streams))
	for _, s := range gs.Streams {
		streams[s.Id] = s
	}
	n := 0
	require.NoError(tb, k.Streams.Indexes.ByBroadcaster.Walk(ctx, nil, func(b sdk.AccAddress, id uint64) (bool, error) {
		s, ok := streams[id]
		require.True(tb, ok, "by-broadcaster index names missing stream %d", id)
		addr, err := k.AddressCodec().BytesToString(b)
		require.NoError(tb, err)
		require.Equal(tb, s.Broadcaster, addr, "stream %d", id)
		n++
		return false, nil
	}))
	require.Equal(tb, len(streams), n, "by-broadcaster index size")
	n = 0
	require.NoError(tb, k.Streams.Indexes.ByStart.Walk(ctx, nil, func(start time.Time, id uint64) (bool, error) {
		s, ok := streams[id]
		require.True(tb, ok, "by-start index names missing stream %d", id)
		require.True(tb, s.StartTime.Equal(start), "stream %d: index start %s, stream start %s", id, start, s.StartTime)
		n++
		return false, nil
	}))
	require.Equal(tb, len(streams), n, "by-start index size")

	// The time indexes and the open-stream counts.
	require.NoError(tb, k.CheckStreamIndexes(ctx, lastBlockTime(tb, app)))
	// The subscription expiry queue and the block lists.
	require.NoError(tb, k.CheckSubscriptionExpiries(ctx))

	// Subscriptions: the reverse index mirrors the primary keys.
	n = 0
	require.NoError(tb, k.Subscriptions.Indexes.ByBroadcaster.Walk(ctx, nil, func(broadcaster, subscriber sdk.AccAddress) (bool, error) {
		has, err := k.Subscriptions.Has(ctx, collections.Join(subscriber, broadcaster))
		require.NoError(tb, err)
		require.True(tb, has, "reverse index names a missing subscription")
		n++
		return false, nil
	}))
	require.Equal(tb, len(gs.Subscriptions), n, "reverse subscription index size")

	paid := 0
	for _, s := range gs.Subscriptions {
		if s.ExpiresAt != nil {
			paid++
		}
	}
	tb.Logf("streaming state after %d blocks: %d profiles, %d streams (next id %d), %d subscriptions (%d paid), %d priced broadcasters, %d blocks; params %s",
		app.LastBlockHeight(), len(gs.Profiles), len(gs.Streams), gs.NextStreamId, len(gs.Subscriptions), paid,
		len(gs.SubscriptionTerms), len(gs.Blocks), gs.Params.String())
}

// lastBlockTime is the header time of the last committed block, which the
// store keeps with the block's commit info.
func lastBlockTime(tb testing.TB, app *StreamApp) time.Time {
	tb.Helper()
	cms, ok := app.CommitMultiStore().(interface {
		GetCommitInfo(int64) (*storetypes.CommitInfo, error)
	})
	require.True(tb, ok, "the commit multistore keeps no commit info")
	info, err := cms.GetCommitInfo(app.LastBlockHeight())
	require.NoError(tb, err)
	return info.Timestamp
}

func isEmptyValidatorSetErr(err error) bool {
	return err != nil && strings.Contains(err.Error(), "validator set is empty after InitGenesis")
}
