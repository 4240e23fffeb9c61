package app

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// strictTxDecoder wraps the SDK's tx decoder so that every malformed tx is
// refused at decoding with a registered code (the SDK's ErrTxDecode, code
// 2), never code 1 "undefined". The SDK's decoder returns a bare protobuf
// error for some malformed TxRaw bytes, and it leaves the signers to be
// worked out later, when a message's signer field is empty or not an
// address, or a string field is not valid UTF-8 (the signer extraction
// decodes the message with the protobuf v2 runtime, which checks UTF-8):
// those failures then surface as unregistered errors from deep in
// baseapp. Working out the signers here costs nothing extra: the tx caches
// them for the ante handler.
func strictTxDecoder(decode sdk.TxDecoder) sdk.TxDecoder {
	return func(txBytes []byte) (sdk.Tx, error) {
		tx, err := decode(txBytes)
		if err != nil {
			return nil, asTxDecodeError(err)
		}
		if withSigners, ok := tx.(interface{ GetSigners() ([][]byte, error) }); ok {
			if _, err := withSigners.GetSigners(); err != nil {
				return nil, asTxDecodeError(err)
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
