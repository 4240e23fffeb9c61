package app

import (
	"cosmossdk.io/core/address"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// strictTxDecoder wraps the SDK's tx decoder so that every malformed tx is
// refused at decoding with a registered code (the SDK's ErrTxDecode, code
// 2), never code 1 "undefined" and never a panic.
//
// The SDK's decoder accepts any TxRaw whose parts are well-formed protobuf,
// and its tx then assumes more than the bytes promise: its accessors read
// AuthInfo.Fee without a nil check, panic on a fee payer or granter that is
// not an address or on a mode info with no mode, and public keys of the
// wrong length panic when the ante handler asks for their address. So the
// shape of the tx is checked here (txshape.go), before anything reads it.
//
// The signers are worked out here too: the SDK's decoder leaves them for
// later, and a message whose signer field is empty, not an address, or not
// valid UTF-8 (the signer extraction decodes the message with the protobuf
// v2 runtime, which checks UTF-8) then fails deep in baseapp with an
// unregistered error. It costs nothing extra: the tx caches the signers for
// the ante handler.
func strictTxDecoder(decode sdk.TxDecoder, addressCodec address.Codec) sdk.TxDecoder {
	return func(txBytes []byte) (tx sdk.Tx, err error) {
		// A panic the checks below do not foresee is a malformed tx too;
		// decoding is deterministic, so every node refuses it alike.
		defer func() {
			if r := recover(); r != nil {
				tx, err = nil, errorsmod.Wrap(sdkerrors.ErrTxDecode, "malformed tx")
			}
		}()
		tx, err = decode(txBytes)
		if err != nil {
			return nil, asTxDecodeError(err)
		}
		if err := checkTxShape(tx, addressCodec); err != nil {
			return nil, asTxDecodeError(err)
		}
		if withSigners, ok := tx.(interface{ GetSigners() ([][]byte, error) }); ok {
			signers, err := withSigners.GetSigners()
			if err != nil {
				return nil, asTxDecodeError(err)
			}
			// The first signer pays the fee unless the fee names a payer,
			// and the SDK indexes it without a check: a tx of messages
			// with no signer (a MsgMultiSend without inputs) would panic.
			if len(signers) == 0 {
				return nil, errorsmod.Wrap(sdkerrors.ErrTxDecode, "the tx names no signer")
			}
		}
		return tx, nil
	}
}

// asTxDecodeError keeps an error that already has a code of its own and
// wraps any other (unregistered, or x/tx's "tx" code 1) in ErrTxDecode.
func asTxDecodeError(err error) error {
	if _, code, _ := errorsmod.ABCIInfo(err, false); code > 1 {
		return err
	}
	return errorsmod.Wrap(sdkerrors.ErrTxDecode, err.Error())
}
