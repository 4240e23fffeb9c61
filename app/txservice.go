package app

import (
	"context"
	"errors"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/cosmos/cosmos-sdk/client"
	sdk "github.com/cosmos/cosmos-sdk/types"
	txtypes "github.com/cosmos/cosmos-sdk/types/tx"
	authtx "github.com/cosmos/cosmos-sdk/x/auth/tx"
)

// txService is the SDK's tx service (simulate, broadcast, get txs) with a
// simulation refused for what the tx holds answered as gRPC InvalidArgument,
// which the REST gateway serves as HTTP 400. The SDK answers every failed
// simulation with Unknown, served as HTTP 500: a client, or a monitor
// counting server errors, then reads a malformed tx as a broken node. A
// panic inside the node (ErrTxPanicked) is still Internal, HTTP 500. The
// message has the SDK's form ("<error> with gas used: '<gas>'").
type txService struct {
	txtypes.ServiceServer
	simulate func(txBytes []byte) (sdk.GasInfo, *sdk.Result, error)
}

func newTxService(clientCtx client.Context, app *StreamApp) txService {
	return txService{
		ServiceServer: authtx.NewTxServer(clientCtx, app.Simulate, app.interfaceRegistry),
		simulate:      app.Simulate,
	}
}

func (s txService) Simulate(ctx context.Context, req *txtypes.SimulateRequest) (*txtypes.SimulateResponse, error) {
	if req == nil || len(req.TxBytes) == 0 {
		return s.ServiceServer.Simulate(ctx, req) // the SDK's answers to an empty or legacy request
	}
	gasInfo, result, err := s.simulate(req.TxBytes)
	if err != nil {
		code := codes.InvalidArgument
		if errors.Is(err, ErrTxPanicked) {
			code = codes.Internal
		}
		// err.Error(), not %v: the SDK's %v of a wrapped error adds the
		// source file and line where it was wrapped.
		return nil, status.Errorf(code, "%s with gas used: '%d'", err.Error(), gasInfo.GasUsed)
	}
	return &txtypes.SimulateResponse{GasInfo: &gasInfo, Result: result}, nil
}
