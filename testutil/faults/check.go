package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
)

// AgreeOnHistory compares the block hash and app hash of every height the
// nodes share and returns the highest height compared. A difference is a
// fork (block hash) or diverging state (app hash).
func AgreeOnHistory(ctx context.Context, nodes []*Node) (int64, error) {
	top := int64(-1)
	for _, n := range nodes {
		h, err := n.Height(ctx)
		if err != nil {
			return 0, err
		}
		if top < 0 || h < top {
			top = h
		}
	}
	if top < 1 {
		return 0, fmt.Errorf("no shared height")
	}
	var ref []BlockMeta
	for i, n := range nodes {
		metas, err := n.BlockMetas(ctx, 1, top)
		if err != nil {
			return 0, err
		}
		if int64(len(metas)) != top {
			return 0, fmt.Errorf("%s returned %d block metas for heights 1..%d", n, len(metas), top)
		}
		if i == 0 {
			ref = metas
			continue
		}
		for k, m := range metas {
			r := ref[k]
			if m.Height != r.Height || m.BlockHash != r.BlockHash || m.AppHash != r.AppHash {
				return 0, fmt.Errorf("height %d: %s has block %s app hash %s, %s has block %s app hash %s",
					r.Height, nodes[0], r.BlockHash, r.AppHash, n, m.BlockHash, m.AppHash)
			}
		}
	}
	return top, nil
}

// ChainTxs reads every block up to height top from n and returns, for each
// tx hash, the heights it appears at (a tx applied twice would show twice).
func ChainTxs(ctx context.Context, n *Node, top int64) (map[string][]int64, error) {
	metas, err := n.BlockMetas(ctx, 1, top)
	if err != nil {
		return nil, err
	}
	out := map[string][]int64{}
	for _, m := range metas {
		if m.NumTxs == 0 {
			continue
		}
		hashes, err := n.BlockTxHashes(ctx, m.Height)
		if err != nil {
			return nil, err
		}
		for _, h := range hashes {
			out[h] = append(out[h], m.Height)
		}
	}
	return out, nil
}

// StreamCount is how many streams a broadcaster has on n, counted by paging
// through the list (the query refuses count_total).
func StreamCount(ctx context.Context, n *Node, broadcaster string) (int, error) {
	count, key := 0, ""
	for {
		var res struct {
			Streams    []json.RawMessage `json:"streams"`
			Pagination struct {
				NextKey string `json:"next_key"`
			} `json:"pagination"`
		}
		path := "/streamchain/streaming/v1/streams?broadcaster=" + broadcaster + "&pagination.key=" + url.QueryEscape(key)
		if err := n.RESTGet(ctx, path, &res); err != nil {
			return 0, err
		}
		count += len(res.Streams)
		if res.Pagination.NextKey == "" {
			return count, nil
		}
		key = res.Pagination.NextKey
	}
}

// Balance is an account's ustream balance on n.
func Balance(ctx context.Context, n *Node, addr string) (int64, error) {
	var res struct {
		Balance struct {
			Amount string `json:"amount"`
		} `json:"balance"`
	}
	if err := n.RESTGet(ctx, "/cosmos/bank/v1beta1/balances/"+addr+"/by_denom?denom="+denom, &res); err != nil {
		return 0, err
	}
	return strconv.ParseInt(res.Balance.Amount, 10, 64)
}
