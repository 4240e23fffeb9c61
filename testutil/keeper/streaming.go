// Package keeper builds a streaming keeper on an in-memory store for unit
// tests and benchmarks.
package keeper

import (
	"testing"
	"time"

	coreaddress "cosmossdk.io/core/address"

	"github.com/cosmos/cosmos-sdk/codec/address"
	"github.com/cosmos/cosmos-sdk/runtime"
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"
	"github.com/cosmos/cosmos-sdk/testutil"
	sdk "github.com/cosmos/cosmos-sdk/types"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	govtypes "github.com/cosmos/cosmos-sdk/x/gov/types"

	"github.com/streamchain/streamchain/x/streaming"
	"github.com/streamchain/streamchain/x/streaming/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// Bech32Prefix is the chain's account address prefix.
const Bech32Prefix = "stream"

// GenesisTime is the block time a new fixture starts at.
var GenesisTime = time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)

// Fixture is a streaming keeper on a fresh store, its context, and the
// module's services as a client would call them.
type Fixture struct {
	Keeper      *keeper.Keeper
	Ctx         sdk.Context
	Msgs        types.MsgServer
	Queries     types.QueryServer
	Authority   string
	AddressCode coreaddress.Codec
}

// NewFixture returns a keeper with default genesis at GenesisTime.
func NewFixture(tb testing.TB) *Fixture {
	tb.Helper()
	key := storetypes.NewKVStoreKey(types.StoreKey)
	testCtx := testutil.DefaultContextWithDB(tb, key, storetypes.NewTransientStoreKey("transient_test"))
	encCfg := moduletestutil.MakeTestEncodingConfig(streaming.AppModule{})
	ac := address.NewBech32Codec(Bech32Prefix)
	authority, err := ac.BytesToString(authtypes.NewModuleAddress(govtypes.ModuleName))
	if err != nil {
		tb.Fatal(err)
	}
	k := keeper.NewKeeper(encCfg.Codec, runtime.NewKVStoreService(key), ac, authority)
	ctx := testCtx.Ctx.WithBlockTime(GenesisTime).WithBlockHeight(1)
	if err := k.InitGenesis(ctx, types.DefaultGenesis()); err != nil {
		tb.Fatal(err)
	}
	return &Fixture{
		Keeper:      k,
		Ctx:         ctx,
		Msgs:        keeper.NewMsgServer(k),
		Queries:     keeper.NewQueryServer(k),
		Authority:   authority,
		AddressCode: ac,
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
