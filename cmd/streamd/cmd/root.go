// Package cmd builds streamd's command tree: node commands (init, start,
// export, ...), genesis helpers, keys, and the query and tx commands that
// autocli generates from the modules' services.
package cmd

import (
	"fmt"
	"os"

	dbm "github.com/cosmos/cosmos-db"
	gogoproto "github.com/cosmos/gogoproto/proto"
	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/reflect/protoregistry"

	"cosmossdk.io/client/v2/autocli"
	"cosmossdk.io/client/v2/autocli/flag"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/client/config"
	"github.com/cosmos/cosmos-sdk/client/flags"
	"github.com/cosmos/cosmos-sdk/server"
	sigtypes "github.com/cosmos/cosmos-sdk/types/tx/signing"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	txmodule "github.com/cosmos/cosmos-sdk/x/auth/tx/config"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"

	"github.com/streamchain/streamchain/app"
	streamingcli "github.com/streamchain/streamchain/x/streaming/client/cli"
)

// NewRootCmd returns streamd's root command.
func NewRootCmd() (*cobra.Command, error) {
	// The codecs, the module list and the autocli descriptors come from an
	// app instance; one on a throwaway in-memory database is enough.
	tempHome, err := os.MkdirTemp("", "streamd-client-")
	if err != nil {
		return nil, fmt.Errorf("create temporary home: %w", err)
	}
	defer os.RemoveAll(tempHome)
	tempApp := app.New(log.NewNopLogger(), dbm.NewMemDB(), false, appOptions{flags.FlagHome: tempHome})

	initClientCtx := client.Context{}.
		WithCodec(tempApp.AppCodec()).
		WithInterfaceRegistry(tempApp.InterfaceRegistry()).
		WithTxConfig(tempApp.TxConfig()).
		WithLegacyAmino(tempApp.LegacyAmino()).
		WithInput(os.Stdin).
		WithAccountRetriever(authtypes.AccountRetriever{}).
		WithHomeDir(app.DefaultNodeHome).
		WithViper("STREAMD")

	rootCmd := &cobra.Command{
		Use:   "streamd",
		Short: "streamchain node and client: profiles, scheduled streams and subscriptions on chain",
		// main prints the error once; cobra would print it a second time.
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			cmd.SetOut(cmd.OutOrStdout())
			cmd.SetErr(cmd.ErrOrStderr())
			// Arguments have been validated by now: a later error is about
			// the node or the chain, and the usage text would bury it.
			cmd.SilenceUsage = true

			clientCtx := initClientCtx.WithCmdContext(cmd.Context())
			clientCtx, err := client.ReadPersistentCommandFlags(clientCtx, cmd.Flags())
			if err != nil {
				return err
			}
			// Creates <home>/config/client.toml on first use; `streamd init
			// --chain-id X` thereby records X as the default chain id.
			clientCtx, err = config.ReadFromClientConfig(clientCtx)
			if err != nil {
				return err
			}
			// SIGN_MODE_TEXTUAL looks up denom metadata on the node, so it is
			// only offered when the client is online.
			if !clientCtx.Offline {
				clientCtx, err = withTextualSignMode(clientCtx)
				if err != nil {
					return err
				}
			}
			if err := client.SetCmdClientContextHandler(clientCtx, cmd); err != nil {
				return err
			}

			appTemplate, appConfig := app.AppConfig()
			return server.InterceptConfigsPreRunHandler(cmd, appTemplate, appConfig, cometConfig())
		},
	}

	addCommands(rootCmd, tempApp)

	autoCliOpts := tempApp.AutoCliOpts()
	autoCliOpts.ClientCtx, err = config.ReadDefaultValuesFromDefaultClientConfig(initClientCtx)
	if err != nil {
		return nil, fmt.Errorf("read default client config: %w", err)
	}
	if err := autoCliOpts.EnhanceRootCommandWithBuilder(rootCmd, autocliBuilder(autoCliOpts)); err != nil {
		return nil, fmt.Errorf("build module commands: %w", err)
	}
	return rootCmd, nil
}

func withTextualSignMode(clientCtx client.Context) (client.Context, error) {
	signModes := append([]sigtypes.SignMode{}, authtx.DefaultSignModes...)
	signModes = append(signModes, sigtypes.SignMode_SIGN_MODE_TEXTUAL)
	txConfig, err := authtx.NewTxConfigWithOptions(clientCtx.Codec, authtx.ConfigOptions{
		EnabledSignModes:           signModes,
		TextualCoinMetadataQueryFn: txmodule.NewGRPCCoinMetadataQueryFn(clientCtx),
	})
	if err != nil {
		return clientCtx, fmt.Errorf("create tx config: %w", err)
	}
	return clientCtx.WithTxConfig(txConfig), nil
}

// appOptions is the minimal servertypes.AppOptions for the throwaway app.
type appOptions map[string]any

func (o appOptions) Get(key string) any { return o[key] }

// autocliBuilder is the builder autocli's EnhanceRootCommand makes, plus
// our argument type for the streaming params, so that
// update-params-proposal takes the JSON `q streaming params` prints.
func autocliBuilder(opts autocli.AppOptions) *autocli.Builder {
	var files flag.FileResolver = opts.ClientCtx.InterfaceRegistry // EnhanceRootCommand's fallback
	if merged, err := gogoproto.MergedRegistry(); err == nil {
		files = merged
	}
	b := &autocli.Builder{
		Builder: flag.Builder{
			TypeResolver:          protoregistry.GlobalTypes,
			FileResolver:          files,
			AddressCodec:          opts.AddressCodec,
			ValidatorAddressCodec: opts.ValidatorAddressCodec,
			ConsensusAddressCodec: opts.ConsensusAddressCodec,
		},
		GetClientConn: func(cmd *cobra.Command) (grpc.ClientConnInterface, error) {
			return client.GetClientQueryContext(cmd)
		},
		AddQueryConnFlags: func(c *cobra.Command) {
			flags.AddQueryFlagsToCmd(c)
			flags.AddKeyringFlags(c.Flags())
		},
		AddTxConnFlags: flags.AddTxFlagsToCmd,
	}
	b.DefineMessageFlagType(streamingcli.ParamsName, streamingcli.ParamsArgType{})
	return b
}
