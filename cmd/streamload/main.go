// Command streamload drives load into a streamchain node and reports what
// the chain committed. See `streamload -h` and package load.
//
//	streamload accounts -n 100 > accounts.json   # genesis file for `streamd genesis bulk-add-genesis-account`
//	streamload run -workload bank -accounts 100 -txs 50
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "streamload:", err)
		os.Exit(1)
	}
}

const usage = `usage: streamload <command> [flags]

commands:
  accounts   print the deterministic load accounts as a genesis accounts file
  run        pre-sign and send a workload, then count what the chain committed

streamload <command> -h shows the command's flags.`

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		return fmt.Errorf("no command\n%s", usage)
	}
	switch args[0] {
	case "accounts":
		return accountsCmd(args[1:], os.Stdout)
	case "run":
		return runCmd(ctx, args[1:], os.Stdout, os.Stderr)
	case "-h", "-help", "--help", "help":
		fmt.Println(usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", args[0], usage)
}
