package load

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// Watcher records the local time at which each height was first seen
// committed by the node's application (abci_info), polling at a fixed
// interval. Inclusion latency is measured against these times: they are
// on the same clock as Sent.SentAt.
type Watcher struct {
	mu     sync.Mutex
	seen   map[int64]time.Time
	last   int64
	cancel context.CancelFunc
	done   chan struct{}
}

// Watch starts a Watcher polling every interval until Stop.
func (c *Client) Watch(ctx context.Context, interval time.Duration) *Watcher {
	ctx, cancel := context.WithCancel(ctx)
	w := &Watcher{seen: map[int64]time.Time{}, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(w.done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if info, err := c.rpc.ABCIInfo(ctx); err == nil {
				w.saw(info.Response.LastBlockHeight, time.Now())
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return w
}

func (w *Watcher) saw(h int64, at time.Time) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.last == 0 {
		// The first answer only tells where the chain was.
		w.last = h
		return
	}
	for ; w.last < h; w.last++ {
		w.seen[w.last+1] = at
	}
}

// Stop ends the polling.
func (w *Watcher) Stop() {
	w.cancel()
	<-w.done
}

// SeenAt returns when height was first seen, false if it was not.
func (w *Watcher) SeenAt(height int64) (time.Time, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	t, ok := w.seen[height]
	return t, ok
}

// Height returns the latest height seen.
func (w *Watcher) Height() int64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.last
}

// Committed is one tx's result in its block.
type Committed struct {
	Height    int64
	Code      uint32
	Codespace string
	GasWanted int64
	GasUsed   int64
}

// FailureKey names a failure as "codespace/code" ("sdk/5"), or as a CheckTx
// or transport failure by the caller.
func FailureKey(codespace string, code uint32) string {
	if codespace == "" {
		codespace = "undefined"
	}
	return fmt.Sprintf("%s/%d", codespace, code)
}

// Block is one block's count, read from the chain.
type Block struct {
	Height int64
	Time   time.Time // header time
	Txs    int       // every tx in the block
	OK     int       // every tx committed with code 0
	Ours   int       // txs whose hash was tracked
	OursOK int       // tracked txs committed with code 0
	// OursFailed counts tracked txs committed with a non-zero code, by
	// FailureKey.
	OursFailed map[string]int
	// OursGasUsed sums gas used by tracked code-0 txs.
	OursGasUsed int64
}

// Blocks reads heights from..to (inclusive) with /block and /block_results
// and counts what each committed. tracked names the hashes (SignedTx.Hash)
// counted as ours; the result maps each tracked hash found to its result.
func (c *Client) Blocks(ctx context.Context, from, to int64, tracked map[string]bool) ([]Block, map[string]Committed, error) {
	blocks := make([]Block, 0, max(0, to-from+1))
	found := map[string]Committed{}
	for h := from; h <= to; h++ {
		blk, err := c.rpc.Block(ctx, &h)
		if err != nil {
			return nil, nil, fmt.Errorf("block %d: %w", h, err)
		}
		res, err := c.rpc.BlockResults(ctx, &h)
		if err != nil {
			return nil, nil, fmt.Errorf("block results %d: %w", h, err)
		}
		txs := blk.Block.Txs
		if len(res.TxsResults) != len(txs) {
			return nil, nil, fmt.Errorf("block %d has %d txs but %d results", h, len(txs), len(res.TxsResults))
		}
		b := Block{Height: h, Time: blk.Block.Time, Txs: len(txs), OursFailed: map[string]int{}}
		for i, tx := range txs {
			r := res.TxsResults[i]
			if r.Code == 0 {
				b.OK++
			}
			hash := TxHash(tx)
			if !tracked[hash] {
				continue
			}
			b.Ours++
			found[hash] = Committed{Height: h, Code: r.Code, Codespace: r.Codespace, GasWanted: r.GasWanted, GasUsed: r.GasUsed}
			if r.Code == 0 {
				b.OursOK++
				b.OursGasUsed += r.GasUsed
			} else {
				b.OursFailed[FailureKey(r.Codespace, r.Code)]++
			}
		}
		blocks = append(blocks, b)
	}
	return blocks, found, nil
}

// WaitHeight waits until the node has committed height, polling every
// interval, or ctx ends.
func (c *Client) WaitHeight(ctx context.Context, height int64, interval time.Duration) error {
	for {
		info, err := c.rpc.ABCIInfo(ctx)
		if err == nil && info.Response.LastBlockHeight >= height {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for height %d: %w", height, ctx.Err())
		case <-time.After(interval):
		}
	}
}
