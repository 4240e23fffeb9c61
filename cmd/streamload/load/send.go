package load

import (
	"context"
	"fmt"
	"strings"
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
	// timeout); the tx may or may not be in the mempool.
	Err error
	// MempoolFull counts the times the node answered "mempool is full"
	// before it took or refused the tx.
	MempoolFull int
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
	// Transport is TransportWebSocket (default: a WebSocket per sender) or
	// TransportHTTP (an HTTP request per tx).
	Transport string
}

// Send broadcasts queues (one per account, in sequence order, as PreSign
// returns them) with broadcast_tx_sync over opts.Transport: one goroutine
// (and, over WebSocket, one connection) per queue, each
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
			b, err := c.broadcaster(opts.Transport)
			if err != nil {
				for _, tx := range q {
					mine = append(mine, Sent{Tx: tx, SentAt: time.Now(), Err: err})
				}
				mu.Lock()
				out = append(out, mine...)
				mu.Unlock()
				return
			}
			defer b.close()
			for _, tx := range q {
				if limiter != nil && limiter.Wait(ctx) != nil {
					break
				}
				if ctx.Err() != nil {
					break
				}
				mine = append(mine, broadcast(ctx, b, tx))
			}
			mu.Lock()
			out = append(out, mine...)
			mu.Unlock()
		}()
	}
	wg.Wait()
	return out
}

func (c *Client) broadcaster(transport string) (broadcaster, error) {
	switch transport {
	case TransportHTTP:
		return httpBroadcaster{c}, nil
	case "", TransportWebSocket:
		return c.dialWebSocket()
	default:
		return nil, fmt.Errorf("unknown transport %q (%s or %s)", transport, TransportWebSocket, TransportHTTP)
	}
}

// mempoolFullRetry is how long a sender waits before offering a tx again
// to a node whose mempool was full.
const mempoolFullRetry = 50 * time.Millisecond

// broadcast sends one tx. A full mempool is back-pressure, not a failure:
// the same tx is offered again until the node takes it or ctx ends, so the
// account's later txs are not refused for a sequence gap.
func broadcast(ctx context.Context, b broadcaster, tx SignedTx) Sent {
	s := Sent{Tx: tx}
	retried := 0
	for {
		s.SentAt = time.Now()
		res, err := b.broadcastTxSync(ctx, tx.Bytes)
		s.RoundTrip = time.Since(s.SentAt)
		if err != nil && strings.Contains(err.Error(), "mempool is full") && ctx.Err() == nil {
			s.MempoolFull++
			select {
			case <-ctx.Done():
			case <-time.After(mempoolFullRetry):
			}
			continue
		}
		if err != nil && retried == 0 && isConnReset(err) && ctx.Err() == nil {
			// The request may or may not have reached the node: offer the
			// tx once more; the mempool's cache recognises a duplicate.
			retried++
			continue
		}
		if err != nil && retried > 0 && strings.Contains(err.Error(), "tx already exists in cache") {
			return s // the first attempt got in
		}
		if err != nil {
			s.Err = err
			return s
		}
		s.CheckCode, s.CheckCodespace, s.CheckLog = res.Code, res.Codespace, res.Log
		return s
	}
}

// isConnReset reports a connection closed under a request: the one transport
// error worth one retry.
func isConnReset(err error) bool {
	msg := err.Error()
	return strings.Contains(msg, "connection reset") || strings.HasSuffix(msg, ": EOF")
}
