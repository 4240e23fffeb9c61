package app

import (
	"runtime/debug"

	errorsmod "cosmossdk.io/errors"
	"cosmossdk.io/log/v2"

	"github.com/cosmos/cosmos-sdk/baseapp"
)

// panicToRegisteredError is the last runTx recovery handler before the
// SDK's default one, which answers a panic with code 111222 ("undefined"
// codespace) and the panic value and whole Go stack in the tx's log, where
// every client (and attacker) reads it. This one logs the stack on the node
// and answers ErrTxPanicked, a registered code with a fixed sentence. Out of
// gas panics never reach it: the SDK's out-of-gas handler comes first.
func panicToRegisteredError(logger log.Logger) baseapp.RecoveryHandler {
	return func(recovered any) error {
		logger.Error("panic while processing a tx", "panic", recovered, "stack", string(debug.Stack()))
		return errorsmod.Wrap(ErrTxPanicked, "tx refused")
	}
}
