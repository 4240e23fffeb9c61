package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"
)

// lastHeightDecorator gives CheckTx and simulations the height of the last
// committed block while the node has not committed one since it started.
//
// BaseApp sets the check state's header when it commits a block, and at
// start-up (BaseApp.Init) to an empty header of height 0. Until the node's
// first new block, every CheckTx and simulation therefore ran "at genesis":
// the SDK's signature check then signs with account number 0 (its genesis
// rule), so every correctly signed tx from an account whose number is not 0
// was refused with "signature verification failed" (cosmos/cosmos-sdk#24628),
// and timeout heights were not enforced. Height 0 with a committed block
// behind it can only be that start-up state; blocks themselves (and
// InitChain, when nothing is committed yet) are left alone.
type lastHeightDecorator struct {
	lastHeight func() int64 // the last committed height
}

func (d lastHeightDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	switch ctx.ExecMode() {
	case sdk.ExecModeCheck, sdk.ExecModeReCheck, sdk.ExecModeSimulate:
		if ctx.BlockHeight() == 0 {
			if h := d.lastHeight(); h > 0 {
				ctx = ctx.WithBlockHeight(h)
			}
		}
	}
	return next(ctx, tx, simulate)
}
