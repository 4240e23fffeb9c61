package faults

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	streamload "github.com/streamchain/streamchain/cmd/streamload/load"
)

// The few CometBFT RPC calls the fault tests need, over plain HTTP: what a
// client of the chain sees.

// The load makes many concurrent calls: keep their connections open, or
// each one closed leaves a TIME_WAIT socket on a loopback port, possibly
// one the tests want to listen on.
var rpcClient = &http.Client{
	Timeout:   5 * time.Second,
	Transport: &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 32, IdleConnTimeout: time.Minute},
}

type rpcResponse struct {
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
		Data    string `json:"data"`
	} `json:"error"`
}

// call makes one JSON-RPC call and decodes its result into out.
func (n *Node) call(ctx context.Context, method string, params map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"jsonrpc": "2.0", "id": 1, "method": method, "params": params})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, n.RPC(), bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := rpcClient.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var r rpcResponse
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("%s %s: %w (%.200s)", n, method, err, b)
	}
	if r.Error != nil {
		return fmt.Errorf("%s %s: %s %s", n, method, r.Error.Message, r.Error.Data)
	}
	return json.Unmarshal(r.Result, out)
}

// Height is the node's latest block height.
func (n *Node) Height(ctx context.Context) (int64, error) {
	var st struct {
		SyncInfo struct {
			Height      string `json:"latest_block_height"`
			CatchingUp  bool   `json:"catching_up"`
			LatestBlock string `json:"latest_block_hash"`
		} `json:"sync_info"`
	}
	if err := n.call(ctx, "status", nil, &st); err != nil {
		return 0, err
	}
	return strconv.ParseInt(st.SyncInfo.Height, 10, 64)
}

// BlockMeta is what nodes must agree on at each height.
type BlockMeta struct {
	Height    int64
	BlockHash string
	AppHash   string // the state after height-1
	NumTxs    int
}

// BlockMetas returns the metas of heights [from, to] (CometBFT's
// /blockchain pages by at most 20).
func (n *Node) BlockMetas(ctx context.Context, from, to int64) ([]BlockMeta, error) {
	var out []BlockMeta
	for lo := from; lo <= to; lo += 20 {
		hi := min(lo+19, to)
		var res struct {
			BlockMetas []struct {
				BlockID struct {
					Hash string `json:"hash"`
				} `json:"block_id"`
				Header struct {
					Height  string `json:"height"`
					AppHash string `json:"app_hash"`
				} `json:"header"`
				NumTxs string `json:"num_txs"`
			} `json:"block_metas"`
		}
		if err := n.call(ctx, "blockchain", map[string]any{"minHeight": strconv.FormatInt(lo, 10), "maxHeight": strconv.FormatInt(hi, 10)}, &res); err != nil {
			return nil, err
		}
		// Newest first in the answer.
		for i := len(res.BlockMetas) - 1; i >= 0; i-- {
			m := res.BlockMetas[i]
			h, _ := strconv.ParseInt(m.Header.Height, 10, 64)
			txs, _ := strconv.Atoi(m.NumTxs)
			out = append(out, BlockMeta{Height: h, BlockHash: m.BlockID.Hash, AppHash: m.Header.AppHash, NumTxs: txs})
		}
	}
	return out, nil
}

// BlockTxHashes returns the hashes (upper-case hex) of the txs in a block.
func (n *Node) BlockTxHashes(ctx context.Context, height int64) ([]string, error) {
	var res struct {
		Block struct {
			Data struct {
				Txs []string `json:"txs"`
			} `json:"data"`
		} `json:"block"`
	}
	if err := n.call(ctx, "block", map[string]any{"height": strconv.FormatInt(height, 10)}, &res); err != nil {
		return nil, err
	}
	var hashes []string
	for _, t := range res.Block.Data.Txs {
		raw, err := base64.StdEncoding.DecodeString(t)
		if err != nil {
			return nil, err
		}
		hashes = append(hashes, streamload.TxHash(raw))
	}
	return hashes, nil
}

// BroadcastResult is CheckTx's answer to broadcast_tx_sync.
type BroadcastResult struct {
	Code uint32 `json:"code"`
	Log  string `json:"log"`
	Hash string `json:"hash"`
}

// BroadcastSync hands a tx to the node's mempool.
func (n *Node) BroadcastSync(ctx context.Context, tx []byte) (BroadcastResult, error) {
	var res BroadcastResult
	err := n.call(ctx, "broadcast_tx_sync", map[string]any{"tx": tx}, &res)
	return res, err
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
	var res struct {
		Hash     string `json:"hash"`
		Height   string `json:"height"`
		Index    uint32 `json:"index"`
		TxResult struct {
			Code      uint32 `json:"code"`
			Codespace string `json:"codespace"`
			Log       string `json:"log"`
			Data      string `json:"data"`
		} `json:"tx_result"`
	}
	raw, err := hexDecode(hash)
	if err != nil {
		return TxResult{}, err
	}
	if err := n.call(ctx, "tx", map[string]any{"hash": raw}, &res); err != nil {
		if bytes.Contains([]byte(err.Error()), []byte("not found")) {
			return TxResult{}, ErrTxNotFound
		}
		return TxResult{}, err
	}
	h, _ := strconv.ParseInt(res.Height, 10, 64)
	return TxResult{Hash: res.Hash, Height: h, Index: res.Index, Code: res.TxResult.Code, Codespace: res.TxResult.Codespace, Log: res.TxResult.Log, Data: res.TxResult.Data}, nil
}

// BlockResults returns the txs of the block at height as its results
// report them (the block store and the ABCI results, not the tx index).
func (n *Node) BlockResults(ctx context.Context, height int64) (map[string]TxResult, error) {
	hashes, err := n.BlockTxHashes(ctx, height)
	if err != nil {
		return nil, err
	}
	var res struct {
		TxsResults []struct {
			Code      uint32 `json:"code"`
			Codespace string `json:"codespace"`
			Log       string `json:"log"`
			Data      string `json:"data"`
		} `json:"txs_results"`
	}
	if err := n.call(ctx, "block_results", map[string]any{"height": strconv.FormatInt(height, 10)}, &res); err != nil {
		return nil, err
	}
	if len(res.TxsResults) != len(hashes) {
		return nil, fmt.Errorf("%s height %d: %d txs, %d results", n, height, len(hashes), len(res.TxsResults))
	}
	out := make(map[string]TxResult, len(hashes))
	for i, h := range hashes {
		r := res.TxsResults[i]
		out[h] = TxResult{Hash: h, Height: height, Index: uint32(i), Code: r.Code, Codespace: r.Codespace, Log: r.Log, Data: r.Data}
	}
	return out, nil
}
