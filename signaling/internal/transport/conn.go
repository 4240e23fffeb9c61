// Package transport is the WebSocket side of the daemon: one Conn per
// client (one reader, at most one writer, a bounded send queue), the
// listener's connection limits and write corking, and the rate limiters
// keyed by client address range.
package transport

import (
	"errors"
	"io"
	"net"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/gorilla/websocket"
	"github.com/streamchain/streamchain/signaling/internal/metrics"
	"github.com/streamchain/streamchain/signaling/protocol"
)

const (
	// writeWait bounds one write to the peer.
	writeWait = 10 * time.Second
	// pongWait is how long the peer may stay silent (not even a pong).
	pongWait = 60 * time.Second
	// pingPeriod must be shorter than pongWait so a healthy peer's pong
	// arrives before the read deadline.
	pingPeriod = pongWait * 9 / 10
	// MaxMessageSize is the default read limit: an SDP with many codecs and
	// candidates stays well under it.
	MaxMessageSize = 64 << 10
	// closeGrace is how long the server waits for the peer's close frame
	// after sending its own before dropping the TCP connection.
	closeGrace = time.Second
)

// Timing holds the connection and HTTP timers so tests can shorten them.
type Timing struct {
	WriteWait, PongWait, PingPeriod, CloseGrace time.Duration
	// ReadHeader, Read, Write and Idle are the HTTP server's timeouts;
	// they bound every request before any WebSocket upgrade.
	ReadHeader, Read, Write, Idle time.Duration
}

// DefaultTiming is the timers of a production server.
var DefaultTiming = Timing{
	WriteWait: writeWait, PongWait: pongWait, PingPeriod: pingPeriod, CloseGrace: closeGrace,
	ReadHeader: 5 * time.Second, Read: 10 * time.Second, Write: 10 * time.Second, Idle: 30 * time.Second,
}

// Frame is one queued message. Relayed messages carry the time they were
// read, so the writer can observe relay latency, and the sender's account of
// bytes it has queued at other peers, which the writer pays back.
type Frame struct {
	Data      []byte
	RelayType string
	Received  time.Time
	Charge    *atomic.Int64
	// edge says whether this frame starts or ends its recipient's session,
	// for the connection's own instance when the session lives on another
	// one.
	Edge Edge
	// ofInstance marks news of the instance the connection is on (it is
	// draining), not of its session: it never travels to another instance.
	OfInstance bool
}

// Edge is what a frame does to its recipient's session.
type Edge uint8

const (
	EdgeNone   Edge = iota
	EdgeStarts      // watching, broadcasting: the join succeeded
	EdgeEnds        // stream_ended, removed, left: in no session from now on
)

func (o Frame) settle() {
	if o.Charge != nil {
		o.Charge.Add(-int64(len(o.Data)))
	}
}

// FrameHandler receives what a Conn reads.
type FrameHandler interface {
	// Message is called for each data frame, on the reader goroutine.
	// data is only valid during the call: its buffer is reused.
	Message(mt int, data []byte, received time.Time)
	// Control is called for each ping or pong the peer sends; false drops
	// it (a ping goes unanswered; it was over the rate limit).
	Control() bool
}

// Conn is the transport of one WebSocket client: read, write, queue, close.
// Exactly one goroutine reads (run, on the HTTP handler's goroutine) and at
// most one writes. The writer exists only while there is something to write,
// so an idle connection holds one goroutine and no buffers. Sending never
// blocks: a full queue is reported to the caller.
type Conn struct {
	ws       *websocket.Conn
	t        Timing
	maxQueue int
	metrics  *metrics.Metrics

	readerDone chan struct{}
	wake       chan struct{} // a lingering writer has work
	writers    sync.WaitGroup
	pinger     *time.Timer

	mu        sync.Mutex
	queue     []Frame
	writing   bool // a writer goroutine runs
	ping      bool // a ping is due
	closeReq  bool // closeWith or kill was called
	closeCode int
	closeText string
	killed    atomic.Bool
	dead      bool // the reader is gone: nothing more is written
}

// NewConn wraps an upgraded WebSocket; maxQueue bounds its send queue.
func NewConn(ws *websocket.Conn, t Timing, maxQueue int, m *metrics.Metrics) *Conn {
	c := &Conn{ws: ws, t: t, maxQueue: maxQueue, metrics: m, readerDone: make(chan struct{}), wake: make(chan struct{}, 1)}
	c.pinger = time.AfterFunc(time.Hour, c.duePing)
	c.pinger.Stop()
	return c
}

// Run reads until the connection ends, handing frames to h; it returns only
// when no writer is left.
func (c *Conn) Run(h FrameHandler, readLimit int64) (reason string) {
	c.ws.SetReadLimit(readLimit)
	_ = c.ws.SetReadDeadline(time.Now().Add(c.t.PongWait))
	c.ws.SetPongHandler(func(string) error {
		if !h.Control() {
			return nil // an unsolicited pong flood does not keep the peer alive
		}
		return c.ws.SetReadDeadline(time.Now().Add(c.t.PongWait))
	})
	// A ping costs a token like any message: without that one peer can
	// make the daemon answer pings as fast as it can send them.
	c.ws.SetPingHandler(func(data string) error {
		if !h.Control() {
			return nil
		}
		err := c.ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(c.t.WriteWait))
		if errors.Is(err, websocket.ErrCloseSent) {
			return nil
		}
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			return nil
		}
		return err
	})
	c.pinger.Reset(c.t.PingPeriod)

	reason = "read_error"
	for {
		mt, r, err := c.ws.NextReader()
		if err != nil {
			reason = c.readErrorReason(err)
			break
		}
		// A buffer is taken only once a frame has arrived, so an idle
		// connection, parked in NextReader, holds none.
		buf := readBuffers.Get().(*[]byte)
		data, err := readAll((*buf)[:0], r)
		if err != nil {
			readBuffers.Put(buf)
			reason = c.readErrorReason(err)
			break
		}
		switch {
		case c.closing(): // closing: only the peer's close frame matters now
		case mt == websocket.TextMessage && !utf8.Valid(data):
			// RFC 6455 §8.1: a text frame that is not UTF-8 fails the
			// connection. Checked here, before any handler sees the
			// frame, so such bytes are never acted on nor relayed to a
			// peer whose browser would fail its own connection on them.
			c.CloseWith(protocol.CloseInvalidUTF8, "text frame is not valid UTF-8")
		default:
			h.Message(mt, data, time.Now())
		}
		if cap(data) <= maxPooledRead {
			*buf = data[:0]
		}
		readBuffers.Put(buf)
	}

	c.pinger.Stop()
	close(c.readerDone)
	c.mu.Lock()
	c.dead = true
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}: // a lingering writer exits now
	default:
	}
	_ = c.ws.Close() // unblocks a writer stuck on a slow peer
	c.writers.Wait()
	c.mu.Lock()
	for _, o := range c.queue {
		o.settle()
	}
	c.queue = nil
	c.mu.Unlock()
	return reason
}

// Send queues out for the writer. Once the connection is closing or gone,
// messages are dropped and reported as sent: nobody will read them.
func (c *Conn) Send(out Frame) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeReq || c.dead {
		return true
	}
	if len(c.queue) >= c.maxQueue || (out.RelayType != "" && len(c.queue) >= c.maxQueue*3/4) {
		// Relayed messages never take the last quarter: it stays for
		// the session events the peer needs.
		return false
	}
	if out.Charge != nil {
		out.Charge.Add(int64(len(out.Data)))
	}
	c.queue = append(c.queue, out)
	c.startWriterLocked()
	return true
}

func (c *Conn) duePing() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead || c.closeReq {
		return
	}
	c.ping = true
	c.startWriterLocked()
}

// startWriterLocked makes sure a writer runs and has noticed the new work.
func (c *Conn) startWriterLocked() {
	if c.dead {
		return
	}
	if c.writing {
		select {
		case c.wake <- struct{}{}:
		default:
		}
		return
	}
	c.writing = true
	c.writers.Add(1)
	go c.write()
}

// writerLinger is how long an idle writer waits for more before it exits: a
// busy connection keeps its writer, an idle one holds none.
const writerLinger = 250 * time.Millisecond

// write drains the queue and exits; it is the only goroutine writing data
// frames. On a close request it flushes, sends the close frame and waits
// briefly for the peer's.
func (c *Conn) write() {
	defer c.writers.Done()
	var batch []Frame
	var linger *time.Timer
	defer func() {
		if linger != nil {
			linger.Stop()
		}
	}()
	lingered := false
	for {
		c.mu.Lock()
		if len(c.queue) == 0 {
			if c.closeReq {
				c.mu.Unlock()
				c.finishClose()
				return
			}
			if c.ping {
				c.ping = false
				c.mu.Unlock()
				if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.t.WriteWait)); err != nil {
					_ = c.ws.Close()
					c.stopWriting()
					return
				}
				c.pinger.Reset(c.t.PingPeriod)
				continue
			}
			if lingered || c.dead {
				c.writing = false
				c.mu.Unlock()
				return
			}
			c.mu.Unlock()
			if linger == nil {
				linger = time.NewTimer(writerLinger)
			} else {
				linger.Reset(writerLinger)
			}
			select {
			case <-c.wake:
			case <-linger.C:
				lingered = true
			}
			continue
		}
		lingered = false
		batch, c.queue = c.queue, batch[:0]
		c.mu.Unlock()
		ck, _ := c.ws.NetConn().(corker)
		if len(batch) < 2 {
			ck = nil
		}
		if ck != nil {
			ck.cork()
		}
		var err error
		for i, out := range batch {
			if err = c.writeOne(out); err != nil {
				for _, o := range batch[i:] {
					o.settle()
				}
				break
			}
			out.settle()
			batch[i] = Frame{}
		}
		if ck != nil {
			if uerr := ck.uncork(); err == nil {
				err = uerr
			}
		}
		if err != nil {
			_ = c.ws.Close()
			c.stopWriting()
			return
		}
		if cap(batch) > 16 {
			batch = nil // a burst's buffer is not kept by an idle connection
		}
	}
}

// stopWriting marks the connection as not writable after a write failed.
func (c *Conn) stopWriting() {
	c.mu.Lock()
	c.dead = true
	c.writing = false
	c.mu.Unlock()
}

func (c *Conn) finishClose() {
	if !c.killed.Load() {
		c.mu.Lock()
		code, text := c.closeCode, c.closeText
		c.mu.Unlock()
		_ = c.ws.WriteControl(websocket.CloseMessage,
			websocket.FormatCloseMessage(code, text), time.Now().Add(c.t.WriteWait))
		grace := time.NewTimer(c.t.CloseGrace)
		select {
		case <-c.readerDone:
		case <-grace.C:
		}
		grace.Stop()
	}
	_ = c.ws.Close()
	c.stopWriting()
}

// CloseWith asks the writer to flush what is queued, send a close frame and
// hang up. Only the first close request counts.
func (c *Conn) CloseWith(code int, text string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.closeReq {
		return
	}
	c.closeReq, c.closeCode, c.closeText = true, code, text
	c.startWriterLocked()
}

// Kill drops the connection at once, without waiting on the peer. Used for
// peers that do not read (a close frame would not get through either) and
// when a drain runs out of time.
func (c *Conn) Kill(code int, text string) {
	c.mu.Lock()
	if !c.closeReq {
		c.closeReq, c.closeCode, c.closeText = true, code, text
	}
	c.mu.Unlock()
	c.killed.Store(true)
	_ = c.ws.Close()
}

func (c *Conn) closing() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeReq
}

func (c *Conn) writeOne(out Frame) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.t.WriteWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, out.Data); err != nil {
		return err
	}
	if out.RelayType != "" {
		c.metrics.ObserveRelay(out.RelayType, time.Since(out.Received))
	}
	return nil
}

// readBuffers recycles the buffers messages are read into: one per message
// being handled, not one per connection (gorilla's ReadMessage allocates a
// new one for every message).
var readBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// maxPooledRead is the largest buffer given back to readBuffers: an SDP's
// buffer is not kept for candidates.
const maxPooledRead = 16 << 10

// readAll appends what r holds to buf (r is bounded by the read limit).
func readAll(buf []byte, r io.Reader) ([]byte, error) {
	for {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := r.Read(buf[len(buf):cap(buf)])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return buf, err
		}
	}
}

func (c *Conn) readErrorReason(err error) string {
	var ce *websocket.CloseError
	var ne net.Error
	c.mu.Lock()
	closeReq, code := c.closeReq, c.closeCode
	c.mu.Unlock()
	switch {
	case c.killed.Load():
		if code == protocol.CloseSlowConsumer {
			return "slow_consumer"
		}
		return "killed"
	case closeReq:
		return closeCodeReason(code)
	case errors.Is(err, websocket.ErrReadLimit):
		return "message_too_big"
	case errors.As(err, &ce):
		return "peer_closed"
	case errors.As(err, &ne) && ne.Timeout():
		return "pong_timeout"
	default:
		return "read_error"
	}
}

func closeCodeReason(code int) string {
	switch code {
	case protocol.CloseTakenOver:
		return "taken_over"
	case protocol.CloseAuthFailed:
		return "auth_failed"
	case protocol.CloseAuthTimeout:
		return "auth_timeout"
	case protocol.CloseRateLimited:
		return "rate_limited"
	case protocol.CloseSlowConsumer:
		return "slow_consumer"
	case websocket.CloseGoingAway:
		return "shutdown"
	case protocol.CloseInvalidUTF8:
		return "invalid_utf8"
	default:
		return "server_closed"
	}
}
