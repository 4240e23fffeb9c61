package app

import (
	"fmt"

	"github.com/cosmos/cosmos-sdk/x/auth/ante"
)

// setAnteHandler installs the SDK's standard ante chain. With no
// TxFeeChecker given, its fee decorator rejects in CheckTx any tx whose fee
// is below the node's minimum-gas-prices times the gas limit, and moves fees
// to the fee collector; feegrant lets a granter pay them.
func (app *StreamApp) setAnteHandler() {
	anteHandler, err := ante.NewAnteHandler(ante.HandlerOptions{
		AccountKeeper:   app.AccountKeeper,
		BankKeeper:      app.BankKeeper,
		FeegrantKeeper:  app.FeeGrantKeeper,
		SignModeHandler: app.txConfig.SignModeHandler(),
		SigGasConsumer:  ante.DefaultSigVerificationGasConsumer,
	})
	if err != nil {
		panic(fmt.Errorf("create ante handler: %w", err))
	}
	app.SetAnteHandler(anteHandler)
}
