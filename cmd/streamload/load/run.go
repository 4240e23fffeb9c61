package load

import (
	"context"
	"fmt"
	"time"
)

// RunOptions bound a Run.
type RunOptions struct {
	SendOptions
	// Settle is how long Run waits, after the last send, for accepted txs
	// to leave the mempool (default 60s).
	Settle time.Duration
	// Poll is the Watcher's interval (default 20ms).
	Poll time.Duration
	// OnSettled, if set, is called once the txs have committed and before
	// the blocks are read back: reading them costs the node CPU that a
	// measurement of the load itself should leave out.
	OnSettled func()
}

// Result is a Run's raw material; Summarize it, or read the blocks.
type Result struct {
	Sent      []Sent
	Blocks    []Block
	Committed map[string]Committed
	Watcher   *Watcher
	// Start is the height before the first send, End the last height read.
	Start, End int64
}

// Summary summarizes the result under a workload name.
func (r Result) Summary(workload string) Summary {
	return Summarize(workload, r.Sent, r.Blocks, r.Committed, r.Watcher)
}

// Run sends queues (Send), waits until the mempool is empty and one more
// block is committed (at most opts.Settle), then reads and counts every
// block from the height before the first send to the last.
func (c *Client) Run(ctx context.Context, queues [][]SignedTx, opts RunOptions) (Result, error) {
	if opts.Settle == 0 {
		opts.Settle = 60 * time.Second
	}
	if opts.Poll == 0 {
		opts.Poll = 20 * time.Millisecond
	}
	// Block 1's header time is the genesis time, not a block time: the
	// block before the first busy one must be a later one.
	if err := c.WaitHeight(ctx, 2, opts.Poll); err != nil {
		return Result{}, err
	}
	_, start, err := c.Status(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("node status: %w", err)
	}
	w := c.Watch(ctx, opts.Poll)
	defer w.Stop()
	// The watcher needs a first answer to know where the chain is.
	for w.Height() == 0 && ctx.Err() == nil {
		time.Sleep(opts.Poll)
	}

	sent := c.Send(ctx, queues, opts.SendOptions)

	settle, cancel := context.WithTimeout(ctx, opts.Settle)
	defer cancel()
	if err := c.waitMempoolEmpty(settle); err != nil {
		return Result{}, err
	}
	_, end, err := c.Status(ctx)
	if err != nil {
		return Result{}, fmt.Errorf("node status: %w", err)
	}
	// The mempool empties when a block takes the last txs; the block after
	// it proves that one committed, and the watcher sees its height.
	end++
	if err := c.WaitHeight(settle, end, opts.Poll); err != nil {
		return Result{}, err
	}

	if opts.OnSettled != nil {
		opts.OnSettled()
	}
	tracked := make(map[string]bool, len(sent))
	for _, s := range sent {
		tracked[s.Tx.Hash] = true
	}
	blocks, committed, err := c.Blocks(ctx, max(start, 1), end, tracked)
	if err != nil {
		return Result{}, err
	}
	return Result{Sent: sent, Blocks: blocks, Committed: committed, Watcher: w, Start: start, End: end}, nil
}

func (c *Client) waitMempoolEmpty(ctx context.Context) error {
	for {
		res, err := c.rpc.NumUnconfirmedTxs(ctx)
		if err == nil && res.Total == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("mempool still holds txs: %w", ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
