package cmd

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/server"
	genutiltypes "github.com/cosmos/cosmos-sdk/x/genutil/types"
)

// DefaultBlockMaxGas is the consensus block.max_gas `streamd init` writes
// (CometBFT's default, -1, puts no bound on a block's work). CometBFT fills
// a block by the gas its txs ask for, not the gas they use, so the bound
// has to admit a full block of ordinary txs: at the CLI's default gas limit
// (200,000) it holds 1,500 of them, above the ~1,440 tx/s measured with
// one-second blocks (BENCHMARKS.md). The largest tx anyone has a reason to
// send (a governance proposal, a batch of a few dozen messages) asks for a
// few million; a tx asking for more than the bound is refused at CheckTx.
// At the measured ~0.9 ms per 90,000-gas bank send, a full block executes
// in about three seconds.
const DefaultBlockMaxGas int64 = 300_000_000

// withBlockMaxGas makes the init command write DefaultBlockMaxGas into the
// genesis it creates.
func withBlockMaxGas(initCmd *cobra.Command) *cobra.Command {
	run := initCmd.RunE
	initCmd.RunE = func(cmd *cobra.Command, args []string) error {
		if err := run(cmd, args); err != nil {
			return err
		}
		genFile := server.GetServerContextFromCmd(cmd).Config.GenesisFile()
		appGenesis, err := genutiltypes.AppGenesisFromFile(genFile)
		if err != nil {
			return fmt.Errorf("read the genesis init wrote: %w", err)
		}
		appGenesis.Consensus.Params.Block.MaxGas = DefaultBlockMaxGas
		if err := appGenesis.SaveAs(genFile); err != nil {
			return fmt.Errorf("write block.max_gas into %s: %w", genFile, err)
		}
		return nil
	}
	return initCmd
}
