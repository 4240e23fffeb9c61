package load

import (
	"context"
	"fmt"

	cmtjson "github.com/cometbft/cometbft/libs/json"
	coretypes "github.com/cometbft/cometbft/rpc/core/types"
	jsonrpcclient "github.com/cometbft/cometbft/rpc/jsonrpc/client"
	rpctypes "github.com/cometbft/cometbft/rpc/jsonrpc/types"
)

// Transports of broadcast_tx_sync: one HTTP request per tx on a shared pool
// of keep-alive connections, or one WebSocket (CometBFT's /websocket
// JSON-RPC endpoint) per sender, each tx one request on it.
const (
	TransportHTTP      = "http"
	TransportWebSocket = "ws"
)

// broadcaster sends one tx with broadcast_tx_sync and returns CheckTx's answer.
type broadcaster interface {
	broadcastTxSync(ctx context.Context, tx []byte) (*coretypes.ResultBroadcastTx, error)
	close()
}

type httpBroadcaster struct{ c *Client }

func (b httpBroadcaster) broadcastTxSync(ctx context.Context, tx []byte) (*coretypes.ResultBroadcastTx, error) {
	return b.c.rpc.BroadcastTxSync(ctx, tx)
}

func (httpBroadcaster) close() {}

// wsBroadcaster is one sender's WebSocket: one request in flight at a time,
// so the answer to read is the next one with the request's id.
type wsBroadcaster struct {
	ws   *jsonrpcclient.WSClient
	next int
}

func (c *Client) dialWebSocket() (*wsBroadcaster, error) {
	ws, err := jsonrpcclient.NewWS(c.url, "/websocket")
	if err != nil {
		return nil, fmt.Errorf("websocket to %s: %w", c.url, err)
	}
	if err := ws.Start(); err != nil {
		return nil, fmt.Errorf("websocket to %s: %w", c.url, err)
	}
	return &wsBroadcaster{ws: ws}, nil
}

func (b *wsBroadcaster) broadcastTxSync(ctx context.Context, tx []byte) (*coretypes.ResultBroadcastTx, error) {
	b.next++
	id := rpctypes.JSONRPCIntID(b.next)
	req, err := rpctypes.MapToRequest(id, "broadcast_tx_sync", map[string]any{"tx": tx})
	if err != nil {
		return nil, err
	}
	if err := b.ws.Send(ctx, req); err != nil {
		return nil, err
	}
	for {
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case resp, ok := <-b.ws.ResponsesCh:
			if !ok {
				return nil, fmt.Errorf("websocket closed")
			}
			if resp.ID != id {
				continue // an answer to a request given up on
			}
			if resp.Error != nil {
				return nil, resp.Error // "mempool is full" and the like, as over HTTP
			}
			var res coretypes.ResultBroadcastTx
			if err := cmtjson.Unmarshal(resp.Result, &res); err != nil {
				return nil, fmt.Errorf("decode broadcast_tx_sync answer: %w", err)
			}
			return &res, nil
		}
	}
}

func (b *wsBroadcaster) close() { _ = b.ws.Stop() }
