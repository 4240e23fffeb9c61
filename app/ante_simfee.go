package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"
	authtypes "github.com/cosmos/cosmos-sdk/x/auth/types"
)

// simulatedFeeDeductionDecorator makes a simulation charge the gas the fee
// deduction will cost in the real tx. Wallets (CosmJS's "auto" fee, Keplr)
// simulate with an empty fee, because the fee is what they are estimating;
// the SDK's DeductFeeDecorator then skips the transfer to the fee
// collector, and the estimate falls ~16k gas short of what the signed tx
// uses — more than CosmJS's 1.4 multiplier covers for small Msgs. The SDK
// already does the same for signatures: in simulation it charges for a
// signature that is not there yet.
//
// It runs right after the DeductFeeDecorator and only when simulating with
// an empty fee: it performs the same bank transfer (one base unit of the fee
// denom from the fee payer, or its granter, to the fee collector) on a
// branch of the state that is thrown away, on the tx's own gas meter.
type simulatedFeeDeductionDecorator struct {
	bankKeeper authtypes.BankKeeper
	feeDenom   string
}

func (d simulatedFeeDeductionDecorator) AnteHandle(ctx sdk.Context, tx sdk.Tx, simulate bool, next sdk.AnteHandler) (sdk.Context, error) {
	if feeTx, ok := tx.(sdk.FeeTx); simulate && ok && feeTx.GetFee().IsZero() {
		payer := sdk.AccAddress(feeTx.FeePayer())
		if granter := feeTx.FeeGranter(); granter != nil {
			payer = granter
		}
		branch, _ := ctx.CacheContext() // never written: only the gas counts
		// An error (the payer holds no fee denom) means the real tx cannot
		// pay either; the gas charged up to it still counts.
		_ = d.bankKeeper.SendCoinsFromAccountToModule(branch, payer, authtypes.FeeCollectorName,
			sdk.NewCoins(sdk.NewInt64Coin(d.feeDenom, 1)))
	}
	return next(ctx, tx, simulate)
}
