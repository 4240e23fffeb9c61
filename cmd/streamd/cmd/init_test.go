package cmd_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamd/cmd"
)

// `streamd init` writes a genesis whose blocks have a finite gas bound and
// an app.toml whose queries do; the devnet and every test node start from
// what it writes.
func TestInitBoundsBlockAndQueryGas(t *testing.T) {
	home := t.TempDir()
	root, err := cmd.NewRootCmd()
	require.NoError(t, err)
	root.SetArgs([]string{"init", "bounds", "--chain-id", "bounds-1", "--home", home})
	root.SetOut(new(discard))
	root.SetErr(new(discard))
	require.NoError(t, svrcmd.Execute(root, "STREAMD", app.DefaultNodeHome))

	genesis, err := genutiltypes.AppGenesisFromFile(filepath.Join(home, "config", "genesis.json"))
	require.NoError(t, err)
	require.Equal(t, cmd.DefaultBlockMaxGas, genesis.Consensus.Params.Block.MaxGas)
	require.Positive(t, genesis.Consensus.Params.Block.MaxGas)

	bz, err := os.ReadFile(filepath.Join(home, "config", "app.toml"))
	require.NoError(t, err)
	require.Contains(t, string(bz), fmt.Sprintf("\nquery-gas-limit = \"%d\"\n", app.DefaultQueryGasLimit))
	require.Positive(t, app.DefaultQueryGasLimit)
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }
