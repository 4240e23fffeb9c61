package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers every Msg under its amino name, which
// is what `--sign-mode amino-json`, Ledger and Keplr sign.
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgEditProfile{}, "streaming/MsgEditProfile")
	legacy.RegisterAminoMsg(cdc, &MsgNewStream{}, "streaming/MsgNewStream")
	legacy.RegisterAminoMsg(cdc, &MsgEditStream{}, "streaming/MsgEditStream")
	legacy.RegisterAminoMsg(cdc, &MsgDeleteStream{}, "streaming/MsgDeleteStream")
	legacy.RegisterAminoMsg(cdc, &MsgSubscribe{}, "streaming/MsgSubscribe")
	legacy.RegisterAminoMsg(cdc, &MsgUnsubscribe{}, "streaming/MsgUnsubscribe")
	legacy.RegisterAminoMsg(cdc, &MsgSetSubscriptionTerms{}, "streaming/MsgSetSubscriptionTerms")
	legacy.RegisterAminoMsg(cdc, &MsgTip{}, "streaming/MsgTip")
	legacy.RegisterAminoMsg(cdc, &MsgBlock{}, "streaming/MsgBlock")
	legacy.RegisterAminoMsg(cdc, &MsgUnblock{}, "streaming/MsgUnblock")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "streaming/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "streaming/Params", nil)
}

// RegisterInterfaces registers the module's Msgs as sdk.Msg implementations.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgEditProfile{},
		&MsgNewStream{},
		&MsgEditStream{},
		&MsgDeleteStream{},
		&MsgSubscribe{},
		&MsgUnsubscribe{},
		&MsgSetSubscriptionTerms{},
		&MsgTip{},
		&MsgBlock{},
		&MsgUnblock{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
