package app

import errorsmod "cosmossdk.io/errors"

// Codespace holds the errors the app itself answers with, outside any
// module's codespace.
const Codespace = "streamchain"

// ErrTxPanicked is the answer to a tx whose processing panicked: a bug in
// the node, never the client's input. Clients get this code and sentence;
// the panic and its stack go to the node's log only (recovery.go).
var ErrTxPanicked = errorsmod.Register(Codespace, 2, "internal error while processing the tx; the node's log has the details")
