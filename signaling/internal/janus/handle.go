package janus

import (
	"context"
	"encoding/json"
	"fmt"
)

// JSEP is an SDP offer or answer as Janus carries it.
type JSEP struct {
	Type    string `json:"type"`
	SDP     string `json:"sdp"`
	Trickle *bool  `json:"trickle,omitempty"`
}

// Candidate is one trickled ICE candidate (the browser's RTCIceCandidateInit).
type Candidate struct {
	Candidate     string  `json:"candidate"`
	SDPMid        *string `json:"sdpMid,omitempty"`
	SDPMLineIndex *uint16 `json:"sdpMLineIndex,omitempty"`
}

// Event is something Janus says about a handle without being asked:
// "webrtcup", "media", "slowlink", "hangup", "detached", "trickle", or a
// plugin "event" (Plugin holds the plugin's data; JSEP an offer, if any).
type Event struct {
	Type      string
	Plugin    json.RawMessage
	JSEP      *JSEP
	Reason    string // hangup
	Media     string // media: "audio"/"video"
	Receiving *bool  // media
	Uplink    *bool  // slowlink
	Candidate json.RawMessage
}

// Handle is a handle attached to a plugin.
type Handle struct {
	ID      uint64
	Session *Session

	events chan Event
}

// Events are the handle's events, buffered; a reader that falls behind
// loses the newest events rather than stalling other handles. The channel is never closed: watch Session.Done.
func (h *Handle) Events() <-chan Event { return h.events }

func (h *Handle) deliver(f *frame) {
	ev := Event{Type: f.Janus, JSEP: f.JSEP, Reason: f.Reason, Media: f.Type, Receiving: f.Receiving, Uplink: f.Uplink, Candidate: f.Candidate}
	switch f.Janus {
	case "event":
		if f.PluginData != nil {
			ev.Plugin = f.PluginData.Data
		}
	case "webrtcup", "media", "slowlink", "hangup", "detached", "trickle":
	default:
		return // late answers to requests that gave up
	}
	if f.Janus == "detached" {
		h.Session.c.removeHandle(h.ID)
	}
	select {
	case h.events <- ev:
	default: // the reader fell behind
	}
}

// Message sends body (and jsep, if not nil) to the plugin. Synchronous
// plugin requests are answered with "success"; asynchronous ones with an
// "ack" and then an "event": async says which to wait for. It returns the
// plugin's data and the JSEP, if any; a plugin error ("error_code" in its
// data) is an *Error with Plugin set.
func (h *Handle) Message(ctx context.Context, body any, jsep *JSEP, async bool) (json.RawMessage, *JSEP, error) {
	msg := map[string]any{"janus": "message", "session_id": h.Session.ID, "handle_id": h.ID, "body": body}
	if jsep != nil {
		msg["jsep"] = jsep
	}
	f, err := h.Session.c.request(ctx, msg, async)
	if err != nil {
		return nil, nil, err
	}
	return pluginResult(f)
}

// pluginResult reads a plugin's answer: its data and JSEP, or its error.
func pluginResult(f *frame) (json.RawMessage, *JSEP, error) {
	if f.PluginData == nil {
		return nil, nil, malformed("message", fmt.Errorf("answer without plugindata: %.200s", f.raw))
	}
	var perr struct {
		Code   int    `json:"error_code"`
		Reason string `json:"error"`
	}
	if err := json.Unmarshal(f.PluginData.Data, &perr); err != nil {
		return nil, nil, malformed("message", err)
	}
	if perr.Code != 0 {
		return nil, nil, &Error{Plugin: true, Code: perr.Code, Reason: perr.Reason}
	}
	return f.PluginData.Data, f.JSEP, nil
}

// Trickle sends one ICE candidate to Janus.
func (h *Handle) Trickle(ctx context.Context, c Candidate) error {
	if c.Candidate == "" {
		return h.TrickleDone(ctx)
	}
	_, err := h.Session.c.request(ctx, map[string]any{"janus": "trickle", "session_id": h.Session.ID, "handle_id": h.ID, "candidate": c}, false)
	return err
}

// TrickleDone tells Janus no more candidates will come.
func (h *Handle) TrickleDone(ctx context.Context) error {
	_, err := h.Session.c.request(ctx, map[string]any{"janus": "trickle", "session_id": h.Session.ID, "handle_id": h.ID,
		"candidate": map[string]bool{"completed": true}}, false)
	return err
}

// Hangup closes the handle's PeerConnection but keeps the handle.
func (h *Handle) Hangup(ctx context.Context) error {
	_, err := h.Session.c.request(ctx, map[string]any{"janus": "hangup", "session_id": h.Session.ID, "handle_id": h.ID}, false)
	return err
}

// Detach detaches the handle from its plugin (closing its PeerConnection).
func (h *Handle) Detach(ctx context.Context) error {
	_, err := h.Session.c.request(ctx, map[string]any{"janus": "detach", "session_id": h.Session.ID, "handle_id": h.ID}, false)
	h.Session.c.removeHandle(h.ID)
	return err
}
