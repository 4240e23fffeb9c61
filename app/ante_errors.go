package app

import (
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"
	sdkerrors "github.com/cosmos/cosmos-sdk/types/errors"
)

// registeredAnteErrors makes every ante error carry a registered code. The
// SDK's decorators return a few plain Go errors (a multisignature whose bit
// array does not match its key, a sign mode the signing handler cannot
// render, ...), which would reach the client as code 1 "undefined"; each is
// a tx the node cannot accept as sent, so it is answered as one that does
// not parse (ErrTxDecode, code 2).
func registeredAnteErrors(ante sdk.AnteHandler) sdk.AnteHandler {
	return func(ctx sdk.Context, tx sdk.Tx, simulate bool) (sdk.Context, error) {
		newCtx, err := ante(ctx, tx, simulate)
		if err != nil {
			if _, code, _ := errorsmod.ABCIInfo(err, false); code <= 1 {
				err = errorsmod.Wrap(sdkerrors.ErrTxDecode, err.Error())
			}
		}
		return newCtx, err
	}
}
