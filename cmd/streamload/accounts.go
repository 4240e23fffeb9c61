package main

import (
	"flag"
	"fmt"
	"io"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/streamchain/streamchain/cmd/streamload/load"
)

// accountsCmd prints accounts 0..n-1 of the seed, each funded with coins,
// in the format of `streamd genesis bulk-add-genesis-account`.
func accountsCmd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("accounts", flag.ContinueOnError)
	n := fs.Int("n", 100, "number of accounts")
	seed := fs.String("seed", load.DefaultSeed, "derivation seed (devnets only: the keys are public)")
	coins := fs.String("coins", "1000000000000ustream", "balance of each account")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *n < 1 {
		return fmt.Errorf("-n must be at least 1")
	}
	balance, err := sdk.ParseCoinsNormalized(*coins)
	if err != nil {
		return fmt.Errorf("-coins: %w", err)
	}
	out, err := load.GenesisAccountsJSON(load.DeriveAccounts(*seed, *n), balance)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(stdout, "%s\n", out)
	return err
}
