package cmd

import (
	"fmt"

	cmtcfg "github.com/cometbft/cometbft/config"
	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/server"
)

// pebbleDBBackend is config.toml's db_backend value for pebble.
const pebbleDBBackend = "pebbledb"

// cometConfig is the config.toml `streamd init` writes: CometBFT's defaults,
// with CometBFT's own databases (blockstore, state, tx_index, evidence) on
// pebble when this binary has it (the pebbledb build tag, which `make build`
// sets). On goleveldb their compaction — the kv tx indexer's above all —
// made the node slower as the chain aged (BENCHMARKS.md, "Flat with age").
// A binary built without the tag writes goleveldb, so a node it initialises
// always starts. The app's own database stays on goleveldb either way
// (app.toml app-db-backend, app.AppConfig).
func cometConfig() *cmtcfg.Config {
	cfg := cmtcfg.DefaultConfig()
	if pebbleBuilt {
		cfg.DBBackend = pebbleDBBackend
	}
	return cfg
}

// checkDBBackend refuses, before anything opens a database, a config.toml
// that asks for pebble from a binary built without it; CometBFT's own error
// ("unknown db_backend pebbledb, expected one of goleveldb,memdb") would not
// say why or what to do.
func checkDBBackend(backend string) error {
	if backend == pebbleDBBackend && !pebbleBuilt {
		return fmt.Errorf("config.toml has db_backend = %q, but this streamd was built without pebble: "+
			"rebuild it with `make build` (or `go build -tags pebbledb ./cmd/streamd`); "+
			"the node's data is on pebble, so switching db_backend to goleveldb would not find it", backend)
	}
	return nil
}

// guardDBBackend makes cmd (start) run checkDBBackend on the node's
// config.toml before its own pre-run.
func guardDBBackend(cmd *cobra.Command) {
	preRun := cmd.PreRunE
	cmd.PreRunE = func(cmd *cobra.Command, args []string) error {
		if err := checkDBBackend(server.GetServerContextFromCmd(cmd).Config.DBBackend); err != nil {
			return err
		}
		if preRun != nil {
			return preRun(cmd, args)
		}
		return nil
	}
}
