package app

import (
	"encoding/json"

	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/x/bank"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
)

// GenesisState is the app_state of genesis.json: each module's genesis,
// keyed by module name.
type GenesisState map[string]json.RawMessage

// TokenMetadata describes the native token to wallets and to
// SIGN_MODE_TEXTUAL: amounts in ustream are shown as STREAM.
func TokenMetadata() banktypes.Metadata {
	return banktypes.Metadata{
		Description: "The native staking and fee token of streamchain.",
		DenomUnits: []*banktypes.DenomUnit{
			{Denom: BondDenom, Exponent: 0, Aliases: []string{"microstream"}},
			{Denom: DisplayDenom, Exponent: DisplayExponent},
		},
		Base:    BondDenom,
		Display: DisplayDenom,
		Name:    "Stream",
		Symbol:  DisplayDenom,
	}
}

// bankModuleBasic is bank's basic module with the token's metadata in its
// default genesis, so `streamd init` writes it.
type bankModuleBasic struct {
	bank.AppModuleBasic
}

// DefaultGenesis returns bank's default genesis plus the token metadata.
func (b bankModuleBasic) DefaultGenesis(cdc codec.JSONCodec) json.RawMessage {
	gs := banktypes.DefaultGenesisState()
	gs.DenomMetadata = append(gs.DenomMetadata, TokenMetadata())
	return cdc.MustMarshalJSON(gs)
}
