package faults

import (
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"net/http"
	"strings"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	rpchttp "github.com/cometbft/cometbft/rpc/client/http"

	streamload "github.com/streamchain/streamchain/cmd/streamload/load"
)

// The few CometBFT RPC calls the fault tests need, through CometBFT's own
// RPC client: what a client of the chain sees.

// The load makes many concurrent calls: keep their connections open, or
// each one closed leaves a TIME_WAIT socket on a loopback port, possibly
// one the tests want to listen on.
var rpcClient = &http.Client{
	Timeout:   5 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 32, IdleConnTimeout: time.Minute},
}

// rpc is CometBFT's own RPC client of the node.
func (n *Node) rpc() (*rpchttp.HTTP, error) {
	return rpchttp.NewWithClient(n.RPC(), "/websocket", rpcClient)
}

// Height is the node's latest block height.
func (n *Node) Height(ctx context.Context) (int64, error) {
	c, err := n.rpc()
	if err != nil {
		return 0, err
	}
	st, err := c.Status(ctx)
	if err != nil {
		return 0, fmt.Errorf("%s status: %w", n, err)
	}
	return st.SyncInfo.LatestBlockHeight, nil
}

// BlockMeta is what nodes must agree on at each height.
type BlockMeta struct {
	Height    int64
	BlockHash string
	AppHash   string // the state after height-1
	NumTxs    int
}

// BlockMetas returns the metas of heights [from, to] (CometBFT's
// blockchain call pages by at most 20).
func (n *Node) BlockMetas(ctx context.Context, from, to int64) ([]BlockMeta, error) {
	c, err := n.rpc()
	if err != nil {
		return nil, err
	}
	var out []BlockMeta
	for lo := from; lo <= to; lo += 20 {
		hi := min(lo+19, to)
		res, err := c.BlockchainInfo(ctx, lo, hi)
		if err != nil {
			return nil, fmt.Errorf("%s blockchain: %w", n, err)
		}
		// Newest first in the answer.
		for i := len(res.BlockMetas) - 1; i >= 0; i-- {
			m := res.BlockMetas[i]
			out = append(out, BlockMeta{Height: m.Header.Height, BlockHash: m.BlockID.Hash.String(), AppHash: m.Header.AppHash.String(), NumTxs: m.NumTxs})
		}
	}
	return out, nil
}

// BlockTxHashes returns the hashes (upper-case hex) of the txs in a block.
func (n *Node) BlockTxHashes(ctx context.Context, height int64) ([]string, error) {
	c, err := n.rpc()
	if err != nil {
		return nil, err
	}
	res, err := c.Block(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("%s block %d: %w", n, height, err)
	}
	var hashes []string
	for _, t := range res.Block.Data.Txs {
		hashes = append(hashes, streamload.TxHash(t))
	}
	return hashes, nil
}

// BroadcastResult is CheckTx's answer to broadcast_tx_sync.
type BroadcastResult struct {
	Code uint32
	Log  string
	Hash string
}

// BroadcastSync hands a tx to the node's mempool.
func (n *Node) BroadcastSync(ctx context.Context, tx []byte) (BroadcastResult, error) {
	c, err := n.rpc()
	if err != nil {
		return BroadcastResult{}, err
	}
	res, err := c.BroadcastTxSync(ctx, tx)
	if err != nil {
		return BroadcastResult{}, fmt.Errorf("%s broadcast_tx_sync: %w", n, err)
	}
	return BroadcastResult{Code: res.Code, Log: res.Log, Hash: res.Hash.String()}, nil
}

// TxResult is a committed tx as the node's indexer reports it.
type TxResult struct {
	Hash      string
	Height    int64
	Index     uint32
	Code      uint32
	Codespace string
	Log       string
	Data      string // the Msg responses, base64
}

// ErrTxNotFound: the node does not know the tx (not committed, or not yet).
var ErrTxNotFound = fmt.Errorf("tx not found")

// Tx looks a committed tx up by hash.
func (n *Node) Tx(ctx context.Context, hash string) (TxResult, error) {
	raw, err := hex.DecodeString(hash)
	if err != nil {
		return TxResult{}, err
	}
	c, err := n.rpc()
	if err != nil {
		return TxResult{}, err
	}
	res, err := c.Tx(ctx, raw, false)
	if err != nil {
		if strings.Contains(err.Error(), "not found") {
			return TxResult{}, ErrTxNotFound
		}
		return TxResult{}, fmt.Errorf("%s tx: %w", n, err)
	}
	return txResult(res.Hash.String(), res.Height, res.Index, &res.TxResult), nil
}

func txResult(hash string, height int64, index uint32, r *abci.ExecTxResult) TxResult {
	return TxResult{Hash: hash, Height: height, Index: index, Code: r.Code, Codespace: r.Codespace, Log: r.Log,
		Data: base64.StdEncoding.EncodeToString(r.Data)}
}

// BlockResults returns the txs of the block at height as its results
// report them (the block store and the ABCI results, not the tx index).
func (n *Node) BlockResults(ctx context.Context, height int64) (map[string]TxResult, error) {
	hashes, err := n.BlockTxHashes(ctx, height)
	if err != nil {
		return nil, err
	}
	c, err := n.rpc()
	if err != nil {
		return nil, err
	}
	res, err := c.BlockResults(ctx, &height)
	if err != nil {
		return nil, fmt.Errorf("%s block_results %d: %w", n, height, err)
	}
	if len(res.TxsResults) != len(hashes) {
		return nil, fmt.Errorf("%s height %d: %d txs, %d results", n, height, len(hashes), len(res.TxsResults))
	}
	out := make(map[string]TxResult, len(hashes))
	for i, h := range hashes {
		out[h] = txResult(h, height, uint32(i), res.TxsResults[i])
	}
	return out, nil
}
