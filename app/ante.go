package app

import (
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// setAnteHandler installs the SDK's standard ante chain (the decorators of
// ante.NewAnteHandler, in its order) with a few decorators of ours: the
// last committed height for txs checked before a restarted node's first
// block (ante_restart.go), fee-grant refusals in bech32 with registered
// codes (ante_feegrant.go), and, after the fee deduction, the fee's gas in
// a simulation with an empty fee (ante_simfee.go). Any error the chain
// returns without a registered code gets one (ante_errors.go). With no
// TxFeeChecker given, the fee decorator rejects in CheckTx any tx whose fee
// is below the node's minimum-gas-prices times the gas limit, and moves fees
// to the fee collector; feegrant lets a granter pay them.
func (app *StreamApp) setAnteHandler() {
	ak := app.AccountKeeper
	app.SetAnteHandler(registeredAnteErrors(sdk.ChainAnteDecorators( // ante_errors.go
		lastHeightDecorator{lastHeight: app.LastBlockHeight}, // ante_restart.go
		ante.NewSetUpContextDecorator(),                      // sets the gas meter
		ante.NewExtensionOptionsDecorator(nil),
		ante.NewValidateBasicDecorator(),
		ante.NewTxTimeoutHeightDecorator(),
		ante.NewValidateMemoDecorator(ak),
		ante.NewConsumeGasForTxSizeDecorator(ak),
		newReadableFeeErrorsDecorator(ak, app.BankKeeper, app.FeeGrantKeeper, ak.AddressCodec()),
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
	)))
}
