// Package network runs streamchain in process for integration and e2e tests,
// on top of the SDK's testutil/network.
package network

import (
	"fmt"
	"testing"
	"time"

	dbm "github.com/cosmos/cosmos-db"

	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
	"github.com/cosmos/cosmos-sdk/client/flags"
	servertypes "github.com/cosmos/cosmos-sdk/server/types"
	pruningtypes "github.com/cosmos/cosmos-sdk/store/v2/pruning/types"
	"github.com/cosmos/cosmos-sdk/testutil/network"
	moduletestutil "github.com/cosmos/cosmos-sdk/types/module/testutil"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/testutil/freeport"
)

// ChainID is the chain id of test networks.
const ChainID = "streamchain-test-1"

// DefaultConfig returns a one-validator network of StreamApp with the app's
// default genesis, ustream as bond denom and a non-zero minimum gas price
// (app.DefaultMinGasPrices), so a tx without enough fee is rejected exactly
// as on a real node. Change fields before passing it to New.
func DefaultConfig() network.Config {
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, appOptions{})
	encCfg := moduletestutil.TestEncodingConfig{
		InterfaceRegistry: tempApp.InterfaceRegistry(),
		Codec:             tempApp.AppCodec(),
		TxConfig:          tempApp.TxConfig(),
		Amino:             tempApp.LegacyAmino(),
	}

	cfg := network.DefaultConfig(func() network.TestFixture {
		return network.TestFixture{
			AppConstructor: newApp,
			GenesisState:   tempApp.DefaultGenesis(),
			EncodingConfig: encCfg,
		}
	})
	cfg.ChainID = ChainID
	cfg.NumValidators = 1
	cfg.BondDenom = app.BondDenom
	cfg.MinGasPrices = app.DefaultMinGasPrices
	// Short blocks keep tests fast; the SDK's 2s default mostly waits.
	cfg.TimeoutCommit = 500 * time.Millisecond
	return cfg
}

// New starts a network for cfg, waits for its first block and stops it when
// the test ends. The first validator's RPC, REST and gRPC servers listen on
// free loopback ports unless cfg names addresses. Only one network can run
// in a test binary at a time (the SDK serialises them with a lock).
func New(t testing.TB, cfg network.Config) *network.Network {
	t.Helper()
	if cfg.RPCAddress == "" {
		cfg.RPCAddress = "tcp://" + freeLoopbackAddr(t)
	}
	if cfg.APIAddress == "" {
		cfg.APIAddress = "tcp://" + freeLoopbackAddr(t)
	}
	if cfg.GRPCAddress == "" {
		cfg.GRPCAddress = freeLoopbackAddr(t)
	}

	n, err := network.New(t, t.TempDir(), cfg)
	if err != nil {
		t.Fatalf("start test network: %v", err)
	}
	t.Cleanup(n.Cleanup)
	if _, err := n.WaitForHeight(1); err != nil {
		t.Fatalf("test network produced no block: %v", err)
	}
	return n
}

// newApp builds each validator's app the way streamd start does, from the
// validator's app.toml settings.
func newApp(val network.ValidatorI) servertypes.Application {
	appCfg := val.GetAppConfig()
	return app.New(
		val.GetCtx().Logger, dbm.NewMemDB(), true,
		appOptions{flags.FlagHome: val.GetCtx().Config.RootDir},
		baseapp.SetPruning(pruningtypes.NewPruningOptionsFromString(appCfg.Pruning)),
		baseapp.SetMinGasPrices(appCfg.MinGasPrices),
		// network.New puts the config's chain id here.
		baseapp.SetChainID(val.GetCtx().Viper.GetString(flags.FlagChainID)),
	)
}

// freeLoopbackAddr returns host:port of a port that was free a moment ago
// (within TEST_PORT_RANGE when it is set).
func freeLoopbackAddr(t testing.TB) string {
	t.Helper()
	return fmt.Sprintf("127.0.0.1:%d", freeport.Loopback(t, 1)[0])
}

type appOptions map[string]any

func (o appOptions) Get(key string) any { return o[key] }
