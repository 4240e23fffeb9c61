// Package loadtest helps tests run package load against an in-process
// network (testutil/network).
package loadtest

import (
	"testing"

	sdknetwork "github.com/cosmos/cosmos-sdk/testutil/network"
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamload/load"
)

// Fund adds each account to cfg's genesis with balances[i] ustream, as
// `make devnet LOAD_ACCOUNTS=N` does for a devnet.
func Fund(t testing.TB, cfg *sdknetwork.Config, accs []load.Account, balances []int64) {
	t.Helper()
	var authGen authtypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[authtypes.ModuleName], &authGen)
	var bankGen banktypes.GenesisState
	cfg.Codec.MustUnmarshalJSON(cfg.GenesisState[banktypes.ModuleName], &bankGen)
	genAccs := make([]authtypes.GenesisAccount, 0, len(accs))
	for i, a := range accs {
		genAccs = append(genAccs, authtypes.NewBaseAccount(a.Address, nil, 0, 0))
		bankGen.Balances = append(bankGen.Balances, banktypes.Balance{
			Address: a.Bech32, Coins: sdk.NewCoins(sdk.NewInt64Coin(app.BondDenom, balances[i])),
		})
	}
	packed, err := authtypes.PackAccounts(genAccs)
	if err != nil {
		t.Fatal(err)
	}
	authGen.Accounts = append(authGen.Accounts, packed...)
	cfg.GenesisState[authtypes.ModuleName] = cfg.Codec.MustMarshalJSON(&authGen)
	cfg.GenesisState[banktypes.ModuleName] = cfg.Codec.MustMarshalJSON(&bankGen)
}
