package load

import (
	"github.com/cosmos/cosmos-sdk/client"
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/address"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	"github.com/cosmos/cosmos-sdk/std"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
	banktypes "github.com/cosmos/cosmos-sdk/x/bank/types"
	"github.com/cosmos/cosmos-sdk/x/tx/signing"
	"github.com/cosmos/gogoproto/proto"

	"github.com/streamchain/streamchain/app"
	streamingtypes "github.com/streamchain/streamchain/x/streaming/types"
)

// newTxConfig returns a tx config that knows the messages load sends (bank
// and x/streaming) and signs in direct mode. It is built from the
// registries alone: no app instance is needed to sign.
func newTxConfig() (client.TxConfig, codec.Codec, error) {
	registry, err := codectypes.NewInterfaceRegistryWithOptions(codectypes.InterfaceRegistryOptions{
		ProtoFiles: proto.HybridResolver,
		SigningOptions: signing.Options{
			AddressCodec:          addressCodec,
			ValidatorAddressCodec: validatorAddressCodec,
		},
	})
	if err != nil {
		return nil, nil, err
	}
	std.RegisterInterfaces(registry)
	authtypes.RegisterInterfaces(registry)
	banktypes.RegisterInterfaces(registry)
	streamingtypes.RegisterInterfaces(registry)
	cdc := codec.NewProtoCodec(registry)
	return authtx.NewTxConfig(cdc, authtx.DefaultSignModes), cdc, nil
}

var validatorAddressCodec = address.NewBech32Codec(app.ValidatorAddressPrefix)
