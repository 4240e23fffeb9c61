package signaling

import (
	"errors"
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

const (
	// writeWait bounds one write to the peer.
	writeWait = 10 * time.Second
	// pongWait is how long the peer may stay silent (not even a pong).
	pongWait = 60 * time.Second
	// pingPeriod must be shorter than pongWait so a healthy peer's pong
	// arrives before the read deadline.
	pingPeriod = pongWait * 9 / 10
	// maxMessageSize is the default read limit: an SDP with many codecs and
	// candidates stays well under it.
	maxMessageSize = 64 << 10
	// closeGrace is how long the server waits for the peer's close frame
	// after sending its own before dropping the TCP connection.
	closeGrace = time.Second
)

// timing holds the connection timers so tests can shorten them.
type timing struct {
	writeWait, pongWait, pingPeriod, closeGrace time.Duration
}

var defaultTiming = timing{writeWait: writeWait, pongWait: pongWait, pingPeriod: pingPeriod, closeGrace: closeGrace}

// outbound is one queued message. Relayed messages carry the time they were
// read so the writer can observe relay latency.
type outbound struct {
	data      []byte
	relayType string
	received  time.Time
}

type role uint8

const (
	roleNone role = iota
	roleBroadcaster
	roleViewer
)

// Conn is one WebSocket client. Exactly one goroutine reads (serve, on the
// HTTP handler's goroutine) and exactly one writes (writeLoop); everything
// else talks to the peer by enqueueing, which never blocks: a peer that lets
// its queue fill up is dropped.
type Conn struct {
	id     uint64
	peerID string
	ip     string
	origin string // this server's origin, as written into challenges
	srv    *Server
	ws     *websocket.Conn
	log    *slog.Logger
	t      timing

	send       chan outbound
	closeReq   chan struct{}
	readerDone chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
	closeCode  int
	closeText  string
	killed     atomic.Bool
	authed     atomic.Bool

	// Owned by the reader goroutine; address is written once, before the
	// connection can join a stream.
	address      string
	authFailures int
	limiter      *messageLimiter

	// Guarded by the hub's mutex.
	role role
	room *room
}

// serve runs the connection until it ends; it returns only when both
// goroutines are gone and the hub has forgotten the connection.
func (c *Conn) serve() {
	go c.writeLoop()

	c.ws.SetReadLimit(c.srv.cfg.MaxMessageSize)
	_ = c.ws.SetReadDeadline(time.Now().Add(c.t.pongWait))
	c.ws.SetPongHandler(func(string) error {
		return c.ws.SetReadDeadline(time.Now().Add(c.t.pongWait))
	})
	authTimer := time.AfterFunc(c.srv.cfg.AuthTimeout, func() {
		if !c.authed.Load() {
			c.srv.metrics.AuthFailures.WithLabelValues("timeout").Inc()
			c.closeWith(CloseAuthTimeout, "not signed in in time")
		}
	})
	c.sendChallenge()

	reason := "read_error"
	for {
		mt, data, err := c.ws.ReadMessage()
		if err != nil {
			reason = c.readErrorReason(err)
			break
		}
		received := time.Now()
		if c.closing() {
			// Closing: only the peer's close frame matters now.
			continue
		}
		if mt != websocket.TextMessage {
			c.reject("", protoErr(CodeBadMessage, "text frames with JSON only"))
			continue
		}
		if ok, exhausted := c.limiter.allow(); !ok {
			if exhausted {
				c.closeWith(CloseRateLimited, "rate limit exceeded")
				continue
			}
			c.reject("", protoErr(CodeRateLimited, "more than %g messages per second", c.srv.cfg.MessagesPerSecond))
			continue
		}
		msg, err := DecodeClientMessage(data)
		if err != nil {
			var perr *ProtocolError
			if !errors.As(err, &perr) {
				perr = protoErr(CodeBadMessage, "%v", err)
			}
			c.reject("", perr)
			continue
		}
		c.handle(msg, received)
	}

	authTimer.Stop()
	close(c.readerDone)
	c.srv.hub.unregister(c)
	_ = c.ws.Close() // unblocks a writer stuck on a slow peer
	<-c.writerDone
	c.srv.auth.Release(c.id)
	c.srv.metrics.Disconnects.WithLabelValues(reason).Inc()
	c.log.Debug("connection closed", "reason", reason, "address", c.address)
}

// handle dispatches one decoded message. Before sign-in only the challenge
// exchange is accepted.
func (c *Conn) handle(m ClientMessage, received time.Time) {
	if !c.authed.Load() {
		switch m.Type {
		case TypeChallenge:
			c.sendChallenge()
		case TypeAuth:
			c.authenticate(m)
		default:
			c.reject(m.Type, protoErr(CodeUnauthenticated, "sign in first: answer the challenge with an auth message"))
		}
		return
	}
	h := c.srv.hub
	switch m.Type {
	case TypeChallenge, TypeAuth:
		c.reject(m.Type, protoErr(CodeAlreadyAuth, "already signed in as %s", c.address))
	case TypeBroadcast:
		h.broadcast(c, uint64(m.StreamID))
	case TypeWatch:
		h.watch(c, uint64(m.StreamID))
	case TypeLeave:
		h.leave(c)
	case TypeOffer, TypeAnswer, TypeCandidate:
		h.relay(c, m, received)
	}
}

func (c *Conn) sendChallenge() {
	ch, err := c.srv.auth.Issue(c.id, c.origin)
	if err != nil {
		c.log.Error("issuing challenge", "err", err)
		c.reject(TypeChallenge, protoErr(CodeInternal, "could not issue a challenge"))
		return
	}
	c.enqueue(outbound{data: encode(challengeMsg{
		Type: TypeChallenge, Nonce: ch.Nonce, Message: ch.Text,
		ChainID: ch.ChainID, Origin: ch.Origin, ExpiresAt: ch.ExpiresAt,
	})})
}

func (c *Conn) authenticate(m ClientMessage) {
	addr, perr := c.srv.auth.Verify(c.id, c.origin, AuthProof{Address: m.Address, Message: m.Message, Signature: *m.Signature})
	if perr != nil {
		c.reject(TypeAuth, perr)
		return
	}
	c.address = addr
	c.authed.Store(true)
	c.log.Info("signed in", "address", addr)
	c.enqueue(outbound{data: encode(authenticatedMsg{Type: TypeAuthenticated, Address: addr, PeerID: c.peerID})})
}

// reject tells the peer why its message was refused. Before sign-in every
// refusal counts as a failed attempt.
func (c *Conn) reject(req string, e *ProtocolError) {
	c.srv.metrics.Errors.WithLabelValues(string(e.Code)).Inc()
	// An error answers the peer's own message. When its queue is full (it
	// is flooding us, or a burst of its messages failed at once) the error
	// is dropped instead of the connection: only events and relayed
	// messages the peer needs make a full queue fatal.
	select {
	case c.send <- outbound{data: errorFrame(req, e)}:
	default:
		c.log.Debug("send queue full, error dropped", "code", e.Code)
	}
	if c.authed.Load() {
		return
	}
	c.srv.metrics.AuthFailures.WithLabelValues(string(e.Code)).Inc()
	c.authFailures++
	if c.authFailures >= c.srv.cfg.MaxAuthFailures {
		c.closeWith(CloseAuthFailed, "too many failed sign-in attempts")
	}
}

// enqueue hands a message to the writer without blocking.
func (c *Conn) enqueue(out outbound) {
	select {
	case c.send <- out:
	default:
		if !c.killed.Load() {
			c.log.Warn("send queue full, dropping slow peer")
		}
		c.kill(CloseSlowConsumer, "send queue full")
	}
}

// closeWith asks the writer to flush what is queued, send a close frame and
// hang up. Only the first close request counts.
func (c *Conn) closeWith(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.closeReq)
	})
}

// kill drops the connection at once, without waiting on the peer. Used for
// peers that do not read (a close frame would not get through either) and
// when a drain runs out of time.
func (c *Conn) kill(code int, text string) {
	c.closeOnce.Do(func() {
		c.closeCode, c.closeText = code, text
		close(c.closeReq)
	})
	c.killed.Store(true)
	_ = c.ws.Close()
}

func (c *Conn) closing() bool {
	select {
	case <-c.closeReq:
		return true
	default:
		return false
	}
}

func (c *Conn) writeLoop() {
	defer close(c.writerDone)
	ping := time.NewTicker(c.t.pingPeriod)
	defer ping.Stop()
	for {
		select {
		case out := <-c.send:
			if err := c.write(out); err != nil {
				_ = c.ws.Close()
				return
			}
		case <-ping.C:
			if err := c.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(c.t.writeWait)); err != nil {
				_ = c.ws.Close()
				return
			}
		case <-c.closeReq:
			if !c.killed.Load() {
				c.flush()
				_ = c.ws.WriteControl(websocket.CloseMessage,
					websocket.FormatCloseMessage(c.closeCode, c.closeText), time.Now().Add(c.t.writeWait))
				grace := time.NewTimer(c.t.closeGrace)
				select {
				case <-c.readerDone:
				case <-grace.C:
				}
				grace.Stop()
			}
			_ = c.ws.Close()
			return
		case <-c.readerDone:
			return
		}
	}
}

// flush writes what is already queued, so a message explaining a close
// arrives before the close frame.
func (c *Conn) flush() {
	for {
		select {
		case out := <-c.send:
			if c.write(out) != nil {
				return
			}
		default:
			return
		}
	}
}

func (c *Conn) write(out outbound) error {
	_ = c.ws.SetWriteDeadline(time.Now().Add(c.t.writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, out.data); err != nil {
		return err
	}
	if out.relayType != "" {
		c.srv.metrics.RelayLatency.WithLabelValues(out.relayType).Observe(time.Since(out.received).Seconds())
	}
	return nil
}

func (c *Conn) readErrorReason(err error) string {
	var ce *websocket.CloseError
	var ne net.Error
	switch {
	case c.killed.Load():
		if c.closeCode == CloseSlowConsumer {
			return "slow_consumer"
		}
		return "killed"
	case c.closing():
		return closeCodeReason(c.closeCode)
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
	case CloseTakenOver:
		return "taken_over"
	case CloseAuthFailed:
		return "auth_failed"
	case CloseAuthTimeout:
		return "auth_timeout"
	case CloseRateLimited:
		return "rate_limited"
	case CloseSlowConsumer:
		return "slow_consumer"
	case websocket.CloseGoingAway:
		return "shutdown"
	default:
		return "server_closed"
	}
}
