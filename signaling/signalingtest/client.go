package signalingtest

import (
	"encoding/json"
	"errors"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// Timeout bounds every wait of the test client.
var Timeout = 5 * time.Second

// Msg is a decoded server message.
type Msg map[string]any

// Type is the message's type.
func (m Msg) Type() string { s, _ := m["type"].(string); return s }

// Str is a string field, or "".
func (m Msg) Str(key string) string { s, _ := m[key].(string); return s }

// receivedAtKey holds the arrival time; no protocol field can be named so.
const receivedAtKey = "\x00received_at"

// ReceivedAt is when the client read the message off the connection.
func (m Msg) ReceivedAt() time.Time { t, _ := m[receivedAtKey].(time.Time); return t }

// SetReceivedAt records when m was read (for clients other than Client).
func (m Msg) SetReceivedAt(t time.Time) { m[receivedAtKey] = t }

// Raw is a field re-encoded as JSON.
func (m Msg) Raw(key string) string {
	b, _ := json.Marshal(m[key])
	return string(b)
}

// Client is a WebSocket client for tests: a goroutine reads every message
// into a channel so a test can wait for the next one with a timeout.
type Client struct {
	t    testing.TB
	WS   *websocket.Conn
	msgs chan Msg
	done chan struct{}

	mu       sync.Mutex
	closeErr error

	writeMu sync.Mutex
}

// WSURL turns an httptest server URL into its /ws WebSocket URL.
func WSURL(serverURL string) string {
	return "ws" + strings.TrimPrefix(serverURL, "http") + "/ws"
}

// Dial connects to serverURL's /ws with the given Origin (none when empty).
func Dial(t testing.TB, serverURL, origin string) *Client {
	t.Helper()
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	ws, resp, err := websocket.DefaultDialer.Dial(WSURL(serverURL), h)
	if err != nil {
		status := 0
		if resp != nil {
			status = resp.StatusCode
		}
		t.Fatalf("dial: %v (HTTP %d)", err, status)
	}
	return NewClient(t, ws)
}

// NewClient wraps an open connection.
func NewClient(t testing.TB, ws *websocket.Conn) *Client {
	c := &Client{t: t, WS: ws, msgs: make(chan Msg, 1024), done: make(chan struct{})}
	go c.read()
	t.Cleanup(c.Close)
	return c
}

func (c *Client) read() {
	defer close(c.done)
	defer close(c.msgs)
	for {
		_, data, err := c.WS.ReadMessage()
		if err != nil {
			c.mu.Lock()
			c.closeErr = err
			c.mu.Unlock()
			return
		}
		at := time.Now()
		var m Msg
		if err := json.Unmarshal(data, &m); err != nil {
			m = Msg{"type": "<not json>", "raw": string(data)}
		}
		m.SetReceivedAt(at)
		c.msgs <- m
	}
}

// Close closes the connection and waits for the reader to stop.
func (c *Client) Close() {
	_ = c.WS.Close()
	<-c.done
}

// Send writes v as JSON.
func (c *Client) Send(v any) {
	c.t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		c.t.Fatalf("marshal: %v", err)
	}
	c.SendRaw(b)
}

// SendRaw writes one text message.
func (c *Client) SendRaw(b []byte) {
	c.t.Helper()
	if err := c.TrySendRaw(b); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// TrySendRaw is SendRaw for a flood the server may cut short: the error
// says the connection is closing (the server's close frame was answered).
func (c *Client) TrySendRaw(b []byte) error {
	c.writeMu.Lock()
	defer c.writeMu.Unlock()
	return c.WS.WriteMessage(websocket.TextMessage, b)
}

// Next is the next message; the test fails if none arrives in time or the
// connection closes.
func (c *Client) Next() Msg {
	c.t.Helper()
	select {
	case m, ok := <-c.msgs:
		if !ok {
			c.t.Fatalf("connection closed while waiting for a message: %v", c.err())
		}
		return m
	case <-time.After(Timeout):
		c.t.Fatalf("no message within %s", Timeout)
		return nil
	}
}

// TryNext is the next message if one arrives within d; false if none does
// (or the connection closed).
func (c *Client) TryNext(d time.Duration) (Msg, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	case <-time.After(d):
		return nil, false
	}
}

// Expect is the next message, which must be of type typ.
func (c *Client) Expect(typ string) Msg {
	c.t.Helper()
	m := c.Next()
	if m.Type() != typ {
		c.t.Fatalf("expected %q, got %v", typ, m)
	}
	return m
}

// ExpectError is the next message, which must be an error with code.
func (c *Client) ExpectError(code string) Msg {
	c.t.Helper()
	m := c.Expect("error")
	if m.Str("code") != code {
		c.t.Fatalf("expected error %q, got %v", code, m)
	}
	return m
}

// ExpectClosed waits for the connection to end, skipping messages, and
// returns the close frame's code and text (code 1006 when the connection
// dropped without one).
func (c *Client) ExpectClosed() (int, string) {
	c.t.Helper()
	deadline := time.After(Timeout)
	for {
		select {
		case _, ok := <-c.msgs:
			if ok {
				continue
			}
			var ce *websocket.CloseError
			if errors.As(c.err(), &ce) {
				return ce.Code, ce.Text
			}
			return websocket.CloseAbnormalClosure, c.err().Error()
		case <-deadline:
			c.t.Fatalf("connection still open after %s", Timeout)
			return 0, ""
		}
	}
}

func (c *Client) err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.closeErr
}

// SignIn answers the connection's first challenge with w and returns the
// authenticated message.
func (c *Client) SignIn(w *Wallet) Msg {
	c.t.Helper()
	ch := c.Expect("challenge")
	c.Send(w.AuthMessage(ch.Str("message")))
	m := c.Expect("authenticated")
	if m.Str("address") != w.Address {
		c.t.Fatalf("signed in as %q, want %q", m.Str("address"), w.Address)
	}
	return m
}

// Poll returns a message that has already arrived, if any.
func (c *Client) Poll() (Msg, bool) {
	select {
	case m, ok := <-c.msgs:
		return m, ok
	default:
		return nil, false
	}
}

// ExpectSkipping returns the next message of type typ, skipping messages
// of the types listed in skip; any other message fails the test.
func (c *Client) ExpectSkipping(typ string, skip ...string) Msg {
	c.t.Helper()
	for {
		m := c.Next()
		if m.Type() == typ {
			return m
		}
		if !slices.Contains(skip, m.Type()) {
			c.t.Fatalf("expected %q, got %v", typ, m)
		}
	}
}
