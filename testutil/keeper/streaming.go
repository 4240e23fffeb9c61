// Package keeper builds a streaming keeper on an in-memory store for unit
// tests and benchmarks.
package keeper

import (
	"testing"
	"time"

	coreaddress "cosmossdk.io/core/address"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	"github.com/cosmos/cosmos-sdk/store/v2"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	"github.com/cosmos/cosmos-sdk/x/auth"
	authkeeper "github.com/cosmos/cosmos-sdk/x/auth/keeper"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	"github.com/cosmos/cosmos-sdk/x/bank"
	bankkeeper "github.com/cosmos/cosmos-sdk/x/bank/keeper"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"
	minttypes "github.com/cosmos/cosmos-sdk/x/mint/types"

	"github.com/streamchain/streamchain/x/streaming"
	"github.com/streamchain/streamchain/x/streaming/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// Bech32Prefix is the chain's account address prefix.
const Bech32Prefix = "stream"

// GenesisTime is the block time a new fixture starts at.
var GenesisTime = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// Fixture is a streaming keeper on a fresh store, its context, and the
// module's services as a client would call them. It also carries the auth
// and bank keepers on the same store, so benchmarks can put a bank send
// beside our messages as a baseline.
type Fixture struct {
	Keeper      *keeper.Keeper
	Ctx         sdk.Context
	Msgs        types.MsgServer
	Queries     types.QueryServer
	Authority   string
	AddressCode coreaddress.Codec

	BankKeeper bankkeeper.BaseKeeper
	BankMsgs   banktypes.MsgServer
	// CMS is the committable store under Ctx.
	CMS store.CommitMultiStore
	// StoreKey is the streaming module's store.
	StoreKey *storetypes.KVStoreKey
}

// NewFixture returns a keeper with default genesis at GenesisTime.
func NewFixture(tb testing.TB) *Fixture {
	tb.Helper()
	return NewFixtureOnDB(tb, dbm.NewMemDB())
}

// NewFixtureOnDB is NewFixture on a database the caller opened, e.g. one
// on disk whose size a benchmark measures.
func NewFixtureOnDB(tb testing.TB, db dbm.DB) *Fixture {
	tb.Helper()
	keys := storetypes.NewKVStoreKeys(types.StoreKey, authtypes.StoreKey, banktypes.StoreKey)
	cms := store.NewCommitMultiStore(db, log.NewNopLogger())
	for _, key := range keys {
		cms.MountStoreWithDB(key, storetypes.StoreTypeIAVL, nil)
	}
	if err := cms.LoadLatestVersion(); err != nil {
		tb.Fatal(err)
	}
	encCfg := moduletestutil.MakeTestEncodingConfig(streaming.AppModule{}, auth.AppModule{}, bank.AppModule{})
	ac := address.NewBech32Codec(Bech32Prefix)
	authority, err := ac.BytesToString(authtypes.NewModuleAddress(govtypes.ModuleName))
	if err != nil {
		tb.Fatal(err)
	}
	accounts := authkeeper.NewAccountKeeper(encCfg.Codec, runtime.NewKVStoreService(keys[authtypes.StoreKey]),
		authtypes.ProtoBaseAccount, map[string][]string{minttypes.ModuleName: {authtypes.Minter}}, ac, Bech32Prefix, authority)
	bankKeeper := bankkeeper.NewBaseKeeper(encCfg.Codec, runtime.NewKVStoreService(keys[banktypes.StoreKey]),
		accounts, nil, authority, log.NewNopLogger())
	k := keeper.NewKeeper(encCfg.Codec, runtime.NewKVStoreService(keys[types.StoreKey]), ac, authority, bankKeeper)

	// Writes go through a branch, as in a block; Commit writes it down.
	ctx := sdk.NewContext(cms.CacheMultiStore(), cmtproto.Header{Time: GenesisTime, Height: 1}, false, log.NewNopLogger())
	if err := k.InitGenesis(ctx, types.DefaultGenesis()); err != nil {
		tb.Fatal(err)
	}
	if err := bankKeeper.SetParams(ctx, banktypes.DefaultParams()); err != nil {
		tb.Fatal(err)
	}
	return &Fixture{
		Keeper:      k,
		Ctx:         ctx,
		Msgs:        keeper.NewMsgServer(k),
		Queries:     keeper.NewQueryServer(k),
		Authority:   authority,
		AddressCode: ac,
		BankKeeper:  bankKeeper,
		BankMsgs:    bankkeeper.NewMsgServerImpl(bankKeeper),
		CMS:         cms,
		StoreKey:    keys[types.StoreKey],
	}
}

// Addr returns a deterministic bech32 address for a test account name.
func (f *Fixture) Addr(tb testing.TB, name string) string {
	tb.Helper()
	raw := make([]byte, 20)
	copy(raw, name)
	s, err := f.AddressCode.BytesToString(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// AddrN returns the n-th of many distinct deterministic addresses.
func (f *Fixture) AddrN(tb testing.TB, n int) string {
	tb.Helper()
	raw := make([]byte, 20)
	raw[0] = 0xAA
	for i := 0; i < 8; i++ {
		raw[19-i] = byte(n >> (8 * i))
	}
	s, err := f.AddressCode.BytesToString(raw)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// At moves the block time, as the next block would.
func (f *Fixture) At(t time.Time) {
	f.Ctx = f.Ctx.WithBlockTime(t).WithBlockHeight(f.Ctx.BlockHeight() + 1)
}

// ResetEvents gives the context a fresh event manager so a test sees only
// the events of its next call.
func (f *Fixture) ResetEvents() {
	f.Ctx = f.Ctx.WithEventManager(sdk.NewEventManager())
}

// Fund mints coins to an account, as genesis would.
func (f *Fixture) Fund(tb testing.TB, addr string, coins sdk.Coins) {
	tb.Helper()
	raw, err := f.AddressCode.StringToBytes(addr)
	if err != nil {
		tb.Fatal(err)
	}
	if err := f.BankKeeper.MintCoins(f.Ctx, minttypes.ModuleName, coins); err != nil {
		tb.Fatal(err)
	}
	if err := f.BankKeeper.SendCoinsFromModuleToAccount(f.Ctx, minttypes.ModuleName, raw, coins); err != nil {
		tb.Fatal(err)
	}
}

// Commit persists what the fixture wrote so far, as the end of a block
// would, and starts a new branch for the next writes.
func (f *Fixture) Commit() {
	f.Ctx.MultiStore().(storetypes.CacheMultiStore).Write()
	f.CMS.Commit()
	f.Ctx = f.Ctx.WithMultiStore(f.CMS.CacheMultiStore())
}
