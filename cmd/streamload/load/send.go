package load

import (
	"context"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Sent is what broadcasting one tx gave.
type Sent struct {
	Tx     SignedTx
	SentAt time.Time
	// RoundTrip is how long broadcast_tx_sync took to answer.
	RoundTrip time.Duration
	// CheckCode is the CheckTx code: 0 means the mempool took the tx.
	CheckCode      uint32
	CheckCodespace string
	CheckLog       string
	// Err is set when the node gave no CheckTx answer (connection error,
	// full mempool, timeout); the tx may or may not be in the mempool.
	Err error
}

// Accepted reports whether the node's mempool took the tx.
func (s Sent) Accepted() bool { return s.Err == nil && s.CheckCode == 0 }

// SendOptions bound a Send.
type SendOptions struct {
	// Rate caps the total txs per second over all senders; 0 sends as
	// fast as the node answers.
	Rate float64
	// Deadline stops every sender when reached (zero: none); txs not yet
	// sent then are left out of the result.
	Deadline time.Time
}

// Send broadcasts queues (one per account, in sequence order, as PreSign
// returns them) with broadcast_tx_sync: one goroutine per queue, each
// sending its next tx once the previous one was answered, so an account's
// txs reach the mempool in sequence order. A tx CheckTx rejects does not
// stop its queue: the next tx is sent as signed. Send returns when every
// queue is done, ctx is cancelled or the deadline passes; the result holds
// every tx that was sent, in no particular order.
func (c *Client) Send(ctx context.Context, queues [][]SignedTx, opts SendOptions) []Sent {
	if !opts.Deadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, opts.Deadline)
		defer cancel()
	}
	var limiter *rate.Limiter
	if opts.Rate > 0 {
		// A burst of one spreads the txs evenly over each second.
		limiter = rate.NewLimiter(rate.Limit(opts.Rate), 1)
	}

	var (
		mu  sync.Mutex
		out []Sent
		wg  sync.WaitGroup
	)
	for _, q := range queues {
		wg.Add(1)
		go func() {
			defer wg.Done()
			mine := make([]Sent, 0, len(q))
			for _, tx := range q {
				if limiter != nil && limiter.Wait(ctx) != nil {
					break
				}
				if ctx.Err() != nil {
					break
				}
				mine = append(mine, c.broadcast(ctx, tx))
			}
			mu.Lock()
			out = append(out, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func (c *Client) broadcast(ctx context.Context, tx SignedTx) Sent {
	s := Sent{Tx: tx, SentAt: time.Now()}
	res, err := c.rpc.BroadcastTxSync(ctx, tx.Bytes)
	s.RoundTrip = time.Since(s.SentAt)
	if err != nil {
		s.Err = err
		return s
	}
	s.CheckCode, s.CheckCodespace, s.CheckLog = res.Code, res.Codespace, res.Log
	return s
}
