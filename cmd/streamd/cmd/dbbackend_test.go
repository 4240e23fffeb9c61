package cmd

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// The config.toml `streamd init` writes puts CometBFT's databases on pebble
// exactly when this binary can open them, and a pebbledb config is refused
// with a message that says how to build, not CometBFT's bare "unknown
// db_backend". Run with and without -tags pebbledb, it checks both builds.
func TestDBBackendFollowsTheBuild(t *testing.T) {
	require.NoError(t, checkDBBackend("goleveldb"))
	if pebbleBuilt {
		require.Equal(t, "pebbledb", cometConfig().DBBackend)
		require.NoError(t, checkDBBackend("pebbledb"))
		return
	}
	require.Equal(t, "goleveldb", cometConfig().DBBackend)
	err := checkDBBackend("pebbledb")
	require.ErrorContains(t, err, `db_backend = "pebbledb"`)
	require.ErrorContains(t, err, "-tags pebbledb")
}
