// Command streamd is the streamchain node and command-line client.
package main

import (
	"fmt"
	"os"
	"runtime/debug"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamd/cmd"
)

// defaultGCPercent replaces Go's GOGC=100 unless GOGC is set: a loaded node
// allocates heavily per tx on a small live heap, and at 100 the collector
// took 16 % of its CPU; at 400 the node used 14 % less CPU per tx in
// `make bench-chain` (BENCHMARKS.md) for a heap a few hundred MB larger.
const defaultGCPercent = 400

func main() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(defaultGCPercent)
	}
	rootCmd, err := cmd.NewRootCmd()
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	// The root command silences cobra's own error output, and the SDK's
	// Execute returns errors without printing them.
	if err := svrcmd.Execute(rootCmd, "STREAMD", app.DefaultNodeHome); err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
}
