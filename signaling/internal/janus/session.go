package janus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"
)

// Client is one connection to a Janus instance's API.
type Client struct {
	c   *conn
	URL string
}

// Dial connects to Janus's WebSocket API at url (ws://host:port) with the
// instance's api_secret.
func Dial(ctx context.Context, url, apiSecret string) (*Client, error) {
	c, err := dial(ctx, url, apiProtocol, "apisecret", apiSecret)
	if err != nil {
		return nil, err
	}
	return &Client{c: c, URL: url}, nil
}

// Close ends the connection; Janus destroys its sessions and handles.
func (cl *Client) Close() error {
	cl.c.close(fmt.Errorf("%w: client closed", ErrClosed))
	return nil
}

// Done is closed when the connection has ended; Err then says why.
func (cl *Client) Done() <-chan struct{} { return cl.c.done }

// Err is why the connection ended (nil while it is up).
func (cl *Client) Err() error {
	cl.c.mu.Lock()
	defer cl.c.mu.Unlock()
	return cl.c.err
}

// Info is Janus's "info" answer, in part.
type Info struct {
	Name          string `json:"name"`
	Version       int    `json:"version"`
	VersionString string `json:"version_string"`
	ServerName    string `json:"server-name"`
	SessionTimout int    `json:"session-timeout"`
	LocalIP       string `json:"local-ip"`
	APISecret     bool   `json:"api_secret"`
	Plugins       map[string]json.RawMessage
	Transports    map[string]json.RawMessage
}

// Info asks the server about itself (a cheap reachability check).
func (cl *Client) Info(ctx context.Context) (*Info, error) {
	f, err := cl.c.request(ctx, map[string]any{"janus": "info"}, false)
	if err != nil {
		return nil, err
	}
	var info Info
	if f.Janus != "server_info" || json.Unmarshal(f.raw, &info) != nil {
		return nil, malformed("info", fmt.Errorf("unexpected answer %.200s", f.raw))
	}
	return &info, nil
}

// Session is a Janus session: the scope of handles, kept alive by a
// keepalive loop. It ends when destroyed, when Janus times it out (a
// keepalive answered "no such session", or a "timeout" event), or with its
// connection; Done and Err tell.
type Session struct {
	ID uint64
	c  *conn

	stop      chan struct{}
	done      chan struct{}
	endOnce   sync.Once
	err       error
	loopEnded chan struct{}
}

// KeepaliveInterval is how often a session says it is alive. Janus's
// default session_timeout is 60 s; keep this well under a third of the
// configured timeout.
var KeepaliveInterval = 15 * time.Second

// CreateSession creates a session and starts its keepalive loop, which
// sends a keepalive every interval (0: KeepaliveInterval) until the session
// ends.
func (cl *Client) CreateSession(ctx context.Context, interval time.Duration) (*Session, error) {
	f, err := cl.c.request(ctx, map[string]any{"janus": "create"}, false)
	if err != nil {
		return nil, err
	}
	id, err := dataID("create", f)
	if err != nil {
		return nil, err
	}
	if interval <= 0 {
		interval = KeepaliveInterval
	}
	s := &Session{ID: id, c: cl.c, stop: make(chan struct{}), done: make(chan struct{}), loopEnded: make(chan struct{})}
	cl.c.addSession(s)
	go s.keepalive(interval)
	return s, nil
}

// keepalive runs until the session ends. A keepalive Janus does not know
// ends the session (it timed out there); one that gets no answer ends the
// connection (the instance is unreachable).
func (s *Session) keepalive(interval time.Duration) {
	defer close(s.loopEnded)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
		}
		ctx, cancel := context.WithTimeout(context.Background(), interval)
		_, err := s.c.request(ctx, map[string]any{"janus": "keepalive", "session_id": s.ID}, false)
		cancel()
		switch {
		case err == nil:
		case isClass(err, ErrSessionGone):
			s.end(fmt.Errorf("%w: session %d: keepalive refused: %v", ErrSessionGone, s.ID, err))
		case isClass(err, ErrUnreachable):
			s.c.close(err)
		}
	}
}

// end marks the session over with err (first cause wins) and forgets it.
func (s *Session) end(err error) {
	s.endOnce.Do(func() {
		s.err = err
		s.c.removeSession(s.ID)
		close(s.done)
	})
}

// Done is closed when the session has ended.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err is why the session ended (nil while it lives).
func (s *Session) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Destroy destroys the session in Janus (and with it its handles) and stops
// its keepalive loop; it waits for the loop to end.
func (s *Session) Destroy(ctx context.Context) error {
	var err error
	select {
	case <-s.done:
	default:
		_, err = s.c.request(ctx, map[string]any{"janus": "destroy", "session_id": s.ID}, false)
		s.end(fmt.Errorf("%w: session destroyed", ErrClosed))
	}
	<-s.loopEnded
	return err
}

// Attach attaches a handle to plugin (e.g. "janus.plugin.videoroom").
func (s *Session) Attach(ctx context.Context, plugin string) (*Handle, error) {
	if err := s.Err(); err != nil {
		return nil, err
	}
	f, err := s.c.request(ctx, map[string]any{"janus": "attach", "session_id": s.ID, "plugin": plugin}, false)
	if err != nil {
		return nil, err
	}
	id, err := dataID("attach", f)
	if err != nil {
		return nil, err
	}
	h := &Handle{ID: id, Session: s, events: make(chan Event, eventQueue)}
	s.c.addHandle(h)
	return h, nil
}

func isClass(err, class error) bool {
	return err != nil && errors.Is(err, class)
}
