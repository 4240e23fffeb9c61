// Package cli holds the one streaming command autocli can't build.
package cli

import (
	"encoding/base64"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/types/query"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// QueryCmd is the module's query command; autocli adds every other
// subcommand to it (EnhanceCustomCommand).
func QueryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:                        types.ModuleName,
		Short:                      "Querying commands for the streaming module",
		DisableFlagParsing:         true,
		SuggestionsMinimumDistance: 2,
		RunE:                       client.ValidateCmd,
	}
	cmd.AddCommand(StateCmd())
	return cmd
}

// StateCmd is `streamd q streaming state`. Its request holds two page
// requests, one per list, and autocli gives every PageRequest the same
// --page-* flags; so this command names them per list.
func StateCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "state",
		Short: "Page through all profiles and all streams at once",
		Long: "Page through all profiles and all streams at once, like the original program's state(). " +
			"Each list has its own page: pass the next_key a response gives back as --profiles-key or --streams-key.",
		Example: "streamd q streaming state --profiles-limit 20 --streams-limit 20\n" +
			"streamd q streaming state --streams-key <next_key from the previous page>",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			clientCtx, err := client.GetClientQueryContext(cmd)
			if err != nil {
				return err
			}
			profilesPage, err := pageFlags(cmd, "profiles")
			if err != nil {
				return err
			}
			streamsPage, err := pageFlags(cmd, "streams")
			if err != nil {
				return err
			}
			res, err := types.NewQueryClient(clientCtx).State(cmd.Context(), &types.QueryStateRequest{
				ProfilesPagination: profilesPage,
				StreamsPagination:  streamsPage,
			})
			if err != nil {
				return err
			}
			return clientCtx.PrintProto(res)
		},
	}
	for _, list := range []string{"profiles", "streams"} {
		cmd.Flags().String(list+"-key", "", fmt.Sprintf("next_key of the previous %s page (base64)", list))
		cmd.Flags().Uint64(list+"-offset", 0, fmt.Sprintf("number of %s to skip (instead of a key)", list))
		cmd.Flags().Uint64(list+"-limit", types.DefaultPageLimit, fmt.Sprintf("%s per page (at most %d)", list, types.MaxPageLimit))
		cmd.Flags().Bool(list+"-reverse", false, fmt.Sprintf("list %s in descending key order", list))
	}
	flags.AddQueryFlagsToCmd(cmd)
	return cmd
}

func pageFlags(cmd *cobra.Command, list string) (*query.PageRequest, error) {
	keyText, _ := cmd.Flags().GetString(list + "-key")
	offset, _ := cmd.Flags().GetUint64(list + "-offset")
	limit, _ := cmd.Flags().GetUint64(list + "-limit")
	reverse, _ := cmd.Flags().GetBool(list + "-reverse")
	key, err := base64.StdEncoding.DecodeString(keyText)
	if err != nil {
		return nil, fmt.Errorf("--%s-key is not base64: %w", list, err)
	}
	if len(key) > 0 && offset > 0 {
		return nil, fmt.Errorf("give --%s-key or --%s-offset, not both", list, list)
	}
	return &query.PageRequest{Key: key, Offset: offset, Limit: limit, Reverse: reverse}, nil
}
