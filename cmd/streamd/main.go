// Command streamd is the streamchain node and command-line client.
package main

import (
	"fmt"
	"os"

	svrcmd "github.com/cosmos/cosmos-sdk/server/cmd"

	"github.com/streamchain/streamchain/app"
	"github.com/streamchain/streamchain/cmd/streamd/cmd"
)

func main() {
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
