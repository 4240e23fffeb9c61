package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestStartWithoutPebbleRefusesAPebbleConfig: a streamd built without the
// pebbledb tag (plain `go build`, `make build BUILD_TAGS=`) writes goleveldb
// in `streamd init`, and, given a home whose config.toml says pebbledb (one
// made by `make build`'s streamd), `streamd start` stops at once with an
// error that names the cause and the fix — before opening any database.
func TestStartWithoutPebbleRefusesAPebbleConfig(t *testing.T) {
	if testing.Short() {
		t.Skip("builds streamd")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "streamd")
	build := exec.Command("go", "build", "-o", bin, ".")
	out, err := build.CombinedOutput()
	require.NoError(t, err, "%s", out)

	home := filepath.Join(dir, "home")
	out, err = exec.Command(bin, "init", "x", "--chain-id", "pebble-check-1", "--home", home).CombinedOutput()
	require.NoError(t, err, "%s", out)
	configFile := filepath.Join(home, "config", "config.toml")
	config, err := os.ReadFile(configFile)
	require.NoError(t, err)
	backend := regexp.MustCompile(`(?m)^db_backend = .*$`)
	require.Equal(t, `db_backend = "goleveldb"`, string(backend.Find(config)))

	require.NoError(t, os.WriteFile(configFile, backend.ReplaceAll(config, []byte(`db_backend = "pebbledb"`)), 0o600))
	out, err = exec.Command(bin, "start", "--home", home).CombinedOutput()
	require.Error(t, err, "%s", out)
	require.Contains(t, string(out), `config.toml has db_backend = "pebbledb", but this streamd was built without pebble`)
	require.Contains(t, string(out), "-tags pebbledb")
	_, err = os.Stat(filepath.Join(home, "data", "blockstore.db"))
	require.True(t, os.IsNotExist(err), "start opened a database before refusing")
}
