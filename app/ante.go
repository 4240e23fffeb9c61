package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// setAnteHandler installs the SDK's standard ante chain (the decorators of
// ante.NewAnteHandler, in its order) plus one decorator of ours after the
// fee deduction, so that a simulation with an empty fee estimates the gas
// of the tx that will carry the fee (see ante_simfee.go). With no
// TxFeeChecker given, the fee decorator rejects in CheckTx any tx whose fee
// is below the node's minimum-gas-prices times the gas limit, and moves fees
// to the fee collector; feegrant lets a granter pay them.
func (app *StreamApp) setAnteHandler() {
	ak := app.AccountKeeper
	app.SetAnteHandler(sdk.ChainAnteDecorators(
		ante.NewSetUpContextDecorator(), // outermost: sets the gas meter
		ante.NewExtensionOptionsDecorator(nil),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(ak),
		ante.NewConsumeGasForTxSizeDecorator(ak),
		ante.NewDeductFeeDecorator(ak, app.BankKeeper, app.FeeGrantKeeper, nil),
		simulatedFeeDeductionDecorator{bankKeeper: app.BankKeeper, feeDenom: BondDenom},
		ante.NewSetPubKeyDecorator(ak), // before every signature decorator
		ante.NewValidateSigCountDecorator(ak),
		ante.NewSigGasConsumeDecorator(ak, ante.DefaultSigVerificationGasConsumer),
		cachedSigVerificationDecorator{
			inner:   ante.NewSigVerificationDecorator(ak, app.txConfig.SignModeHandler()),
			ak:      ak,
			handler: app.txConfig.SignModeHandler(),
			cache:   app.sigCache, // ante_sigcache.go
		},
		ante.NewIncrementSequenceDecorator(ak),
	))
}
