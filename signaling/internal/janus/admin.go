package janus

import (
	"context"
	"encoding/json"
	"fmt"
)

// Admin is a connection to Janus's admin API (its own WebSocket, with the
// admin_secret): what Janus holds, for health checks and leak tests.
type Admin struct{ c *conn }

// DialAdmin connects to the admin API at url (ws://host:port).
func DialAdmin(ctx context.Context, url, adminSecret string) (*Admin, error) {
	c, err := dial(ctx, url, adminProtocol, "admin_secret", adminSecret)
	if err != nil {
		return nil, err
	}
	return &Admin{c: c}, nil
}

// Close ends the admin connection.
func (a *Admin) Close() error {
	a.c.close(fmt.Errorf("%w: admin closed", ErrClosed))
	return nil
}

// Sessions lists the ids of every session Janus holds.
func (a *Admin) Sessions(ctx context.Context) ([]uint64, error) {
	f, err := a.c.request(ctx, map[string]any{"janus": "list_sessions"}, false)
	if err != nil {
		return nil, err
	}
	var d struct {
		Sessions *[]uint64 `json:"sessions"`
	}
	if f.Janus != "success" || json.Unmarshal(f.raw, &d) != nil || d.Sessions == nil {
		return nil, malformed("list_sessions", fmt.Errorf("%.200s", f.raw))
	}
	return *d.Sessions, nil
}

// Handles lists the ids of a session's handles.
func (a *Admin) Handles(ctx context.Context, session uint64) ([]uint64, error) {
	f, err := a.c.request(ctx, map[string]any{"janus": "list_handles", "session_id": session}, false)
	if err != nil {
		return nil, err
	}
	var d struct {
		Handles *[]uint64 `json:"handles"`
	}
	if f.Janus != "success" || json.Unmarshal(f.raw, &d) != nil || d.Handles == nil {
		return nil, malformed("list_handles", fmt.Errorf("%.200s", f.raw))
	}
	return *d.Handles, nil
}
