// Package janus is signalingd's client of the Janus WebRTC server's JSON API,
// as Janus's application server: sessions, handles, the VideoRoom plugin's
// requests and the admin API.
//
// It speaks Janus's WebSocket transport rather than HTTP long-polling: one
// connection carries requests and the events of every session and handle,
// so there is no poll loop per session; a lost connection is noticed at once
// (ErrUnreachable) instead of at the next poll; and Janus destroys the
// sessions of a closed WebSocket itself (reclaim_session_timeout = 0), so a
// crashed application server leaves no handles behind. gorilla/websocket is
// already the daemon's WebSocket library.
package janus

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
)

// Limits and timeouts of one connection.
const (
	// DefaultRequestTimeout bounds a request whose context has no deadline.
	DefaultRequestTimeout = 10 * time.Second
	writeWait             = 5 * time.Second
	// maxMessageSize bounds one frame from Janus (an SDP is a few KiB; a
	// list of participants or sessions more).
	maxMessageSize = 4 << 20
	// maxPending bounds the requests in flight on one connection.
	maxPending = 1024
	// eventQueue is each handle's buffered events; a handle whose reader
	// falls behind loses events (counted) rather than stalling the others.
	eventQueue = 64
)

// Subprotocols of Janus's WebSocket transport.
const (
	apiProtocol   = "janus-protocol"
	adminProtocol = "janus-admin-protocol"
)

// frame is any message from Janus; only the fields this client reads.
type frame struct {
	Janus       string          `json:"janus"`
	Transaction string          `json:"transaction,omitempty"`
	SessionID   uint64          `json:"session_id,omitempty"`
	Sender      uint64          `json:"sender,omitempty"`
	Data        json.RawMessage `json:"data,omitempty"`
	Error       *struct {
		Code   int    `json:"code"`
		Reason string `json:"reason"`
	} `json:"error,omitempty"`
	PluginData *struct {
		Plugin string          `json:"plugin"`
		Data   json.RawMessage `json:"data"`
	} `json:"plugindata,omitempty"`
	JSEP      *JSEP           `json:"jsep,omitempty"`
	Candidate json.RawMessage `json:"candidate,omitempty"`
	Reason    string          `json:"reason,omitempty"`
	Type      string          `json:"type,omitempty"`
	Receiving *bool           `json:"receiving,omitempty"`
	Uplink    *bool           `json:"uplink,omitempty"`
	Lost      int             `json:"lost,omitempty"`
	MID       string          `json:"mid,omitempty"`

	raw json.RawMessage
}

// conn is one WebSocket to Janus: a reader goroutine routes answers to the
// waiting request (by transaction) and events to their handle (by sender);
// writes are serialized by a mutex with a deadline.
type conn struct {
	ws         *websocket.Conn
	secretKey  string // "apisecret" or "admin_secret"
	secret     string
	txnPrefix  string
	txnCounter atomic.Uint64

	writeMu sync.Mutex

	mu      sync.Mutex
	pending map[string]chan *frame
	handles map[uint64]*Handle
	session map[uint64]*Session
	err     error // set once, when the connection ends
	done    chan struct{}
}

func dial(ctx context.Context, url, protocol, secretKey, secret string) (*conn, error) {
	d := websocket.Dialer{
		Subprotocols:     []string{protocol},
		HandshakeTimeout: DefaultRequestTimeout,
	}
	ws, resp, err := d.DialContext(ctx, url, http.Header{})
	if err != nil {
		if resp != nil {
			return nil, unreachable("dial "+url, fmt.Errorf("%w (HTTP %d)", err, resp.StatusCode))
		}
		return nil, unreachable("dial "+url, err)
	}
	if ws.Subprotocol() != protocol {
		ws.Close()
		return nil, malformed("dial "+url, fmt.Errorf("server chose subprotocol %q, not %q", ws.Subprotocol(), protocol))
	}
	ws.SetReadLimit(maxMessageSize)
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	c := &conn{
		ws: ws, secretKey: secretKey, secret: secret, txnPrefix: hex.EncodeToString(b) + "-",
		pending: map[string]chan *frame{}, handles: map[uint64]*Handle{}, session: map[uint64]*Session{},
		done: make(chan struct{}),
	}
	go c.readLoop()
	return c, nil
}

// readLoop is the connection's only reader. It never blocks on a consumer:
// answers go to a buffered channel per request, events to a bounded queue
// per handle.
func (c *conn) readLoop() {
	var err error
	for {
		var data []byte
		_, data, err = c.ws.ReadMessage()
		if err != nil {
			break
		}
		// Janus's WebSocket transport may batch several messages in one
		// frame as a JSON array (since 1.1.2 for requests; handled both ways).
		var frames []*frame
		if len(data) > 0 && data[0] == '[' {
			var raws []json.RawMessage
			if json.Unmarshal(data, &raws) != nil {
				continue
			}
			for _, r := range raws {
				if f := parseFrame(r); f != nil {
					frames = append(frames, f)
				}
			}
		} else if f := parseFrame(data); f != nil {
			frames = append(frames, f)
		}
		for _, f := range frames {
			c.route(f)
		}
	}
	c.close(unreachable("connection lost", err))
}

func parseFrame(data []byte) *frame {
	f := &frame{}
	if json.Unmarshal(data, f) != nil || f.Janus == "" {
		return nil // nothing can be routed; a waiting request times out
	}
	f.raw = append(json.RawMessage(nil), data...)
	return f
}

func (c *conn) route(f *frame) {
	c.mu.Lock()
	// Answers to a request: "success", "error", "ack", and the plugin's
	// asynchronous "event" carrying the same transaction.
	if f.Transaction != "" {
		if ch, ok := c.pending[f.Transaction]; ok {
			c.mu.Unlock()
			select {
			case ch <- f:
			default: // the waiter has what it needs; extra frames are dropped
			}
			if f.Janus != "event" {
				return
			}
			// A plugin event with a transaction is also the handle's event.
			c.mu.Lock()
		}
	}
	var h *Handle
	var s *Session
	if f.Sender != 0 {
		h = c.handles[f.Sender]
	}
	if f.Janus == "timeout" {
		s = c.session[f.SessionID]
	}
	c.mu.Unlock()
	switch {
	case h != nil:
		h.deliver(f)
	case s != nil:
		s.end(fmt.Errorf("%w: session %d timed out in Janus", ErrSessionGone, f.SessionID))
	}
}

// close ends the connection once with err, failing every waiting request
// and every session on it (Janus destroys them when the socket closes).
func (c *conn) close(err error) {
	c.mu.Lock()
	if c.err != nil {
		c.mu.Unlock()
		return
	}
	c.err = err
	sessions := make([]*Session, 0, len(c.session))
	for _, s := range c.session {
		sessions = append(sessions, s)
	}
	c.mu.Unlock()
	close(c.done)
	_ = c.ws.Close()
	for _, s := range sessions {
		s.end(err)
	}
}

// request sends msg (a JSON object; janus, transaction and the secret are
// added) and returns Janus's answer. With async, an "ack" is skipped and
// the plugin's "event" with the same transaction is the answer.
func (c *conn) request(ctx context.Context, msg map[string]any, async bool) (*frame, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, DefaultRequestTimeout)
		defer cancel()
	}
	txn := c.txnPrefix + strconv.FormatUint(c.txnCounter.Add(1), 10)
	msg["transaction"] = txn
	msg[c.secretKey] = c.secret
	ch := make(chan *frame, 2)
	c.mu.Lock()
	if c.err != nil {
		err := c.err
		c.mu.Unlock()
		return nil, err
	}
	if len(c.pending) >= maxPending {
		c.mu.Unlock()
		return nil, fmt.Errorf("%w: %d requests already in flight", ErrUnreachable, maxPending)
	}
	c.pending[txn] = ch
	c.mu.Unlock()
	defer func() {
		c.mu.Lock()
		delete(c.pending, txn)
		c.mu.Unlock()
	}()
	if err := c.write(msg); err != nil {
		return nil, err
	}
	op, _ := msg["janus"].(string)
	for {
		select {
		case f := <-ch:
			switch f.Janus {
			case "ack":
				if async {
					continue
				}
				return f, nil
			case "error":
				if f.Error == nil {
					return nil, malformed(op, errors.New("error answer without an error object"))
				}
				return nil, &Error{Code: f.Error.Code, Reason: f.Error.Reason}
			default:
				return f, nil
			}
		case <-c.done:
			return nil, c.err
		case <-ctx.Done():
			if errors.Is(ctx.Err(), context.DeadlineExceeded) {
				return nil, unreachable(op, fmt.Errorf("no answer: %w", ctx.Err()))
			}
			return nil, ctx.Err()
		}
	}
}

func (c *conn) write(msg map[string]any) error {
	b, err := json.Marshal(msg)
	if err != nil {
		return fmt.Errorf("janus: encoding request: %w", err)
	}
	if holdsNUL(b) {
		// Janus's JSON parser refuses it and the request would wait out
		// its timeout: no transaction is read, so no error is sent.
		return fmt.Errorf("%w: a string holds U+0000", ErrInvalidRequest)
	}
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	_ = c.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := c.ws.WriteMessage(websocket.TextMessage, b); err != nil {
		werr := unreachable("write", err)
		go c.close(werr)
		return werr
	}
	return nil
}

func (c *conn) addHandle(h *Handle) {
	c.mu.Lock()
	c.handles[h.ID] = h
	c.mu.Unlock()
}

func (c *conn) removeHandle(id uint64) {
	c.mu.Lock()
	delete(c.handles, id)
	c.mu.Unlock()
}

func (c *conn) addSession(s *Session) {
	c.mu.Lock()
	c.session[s.ID] = s
	c.mu.Unlock()
}

func (c *conn) removeSession(id uint64) {
	c.mu.Lock()
	delete(c.session, id)
	c.mu.Unlock()
}

// dataID reads {"id": N} from a "success" answer's data.
func dataID(op string, f *frame) (uint64, error) {
	var d struct {
		ID uint64 `json:"id"`
	}
	if f.Janus != "success" || json.Unmarshal(f.Data, &d) != nil || d.ID == 0 {
		return 0, malformed(op, fmt.Errorf("expected success with an id, got %.200s", f.raw))
	}
	return d.ID, nil
}

// holdsNUL reports whether the JSON text b has a string with U+0000,
// which encoding/json writes as \u0000: an escape, unlike a literal
// backslash before "u0000" (written \\u0000), is preceded by an odd
// number of backslashes counting its own.
func holdsNUL(b []byte) bool {
	for i := bytes.Index(b, []byte("u0000")); i >= 0; {
		n := 0
		for j := i - 1; j >= 0 && b[j] == '\\'; j-- {
			n++
		}
		if n%2 == 1 {
			return true
		}
		next := bytes.Index(b[i+1:], []byte("u0000"))
		if next < 0 {
			return false
		}
		i += 1 + next
	}
	return false
}
