package janus

import (
	"context"
	"encoding/json"
	"fmt"
)

// Cascading a room to another Janus instance, with the VideoRoom's "remote
// publishers" (Janus >= 1.1.0): the target instance gets a remote publisher
// that subscribers there see like any other, and the source instance relays
// the publisher's RTP to it (an internal RTP forwarder, plain RTP unless
// SRTP is configured). Both calls carry the rooms' secrets.

// RemoteStream describes one of the source publisher's streams to the
// target instance.
type RemoteStream struct {
	Type   string `json:"type"` // audio, video, data
	MIndex int    `json:"mindex"`
	MID    string `json:"mid"`
	Codec  string `json:"codec,omitempty"`
	// H264Profile, VP9Profile: the profile the source negotiated
	// (profile-level-id, profile-id). Janus 1.1.2 refuses them here (it
	// checks these stream fields as booleans), so they travel as the
	// target room's profile (CascadeRoom).
	H264Profile string `json:"-"`
	VP9Profile  string `json:"-"`
	// Simulcast: the source receives this video as simulcast layers,
	// which the relay forwards as separate substreams. Without it the
	// target keeps only the first substream (Janus's lowest layer), which
	// a browser that sends fewer layers than it offered never fills.
	Simulcast bool `json:"simulcast,omitempty"`
}

// RemotePublisher is where the target instance receives a cascaded
// publisher's RTP.
type RemotePublisher struct {
	ID       uint64 `json:"id"`
	IP       string `json:"ip"`
	Port     int    `json:"port"`
	RTCPPort int    `json:"rtcp_port"`
}

// AddRemotePublisher creates, on this (target) instance, a publisher in
// room fed from another instance; iface is the address to receive on.
func (v *VideoRoom) AddRemotePublisher(ctx context.Context, room uint64, secret, display, iface string, streams []RemoteStream) (*RemotePublisher, error) {
	data, _, err := v.Message(ctx, map[string]any{
		"request": "add_remote_publisher", "room": room, "secret": secret, "display": display,
		"iface": iface, "streams": streams,
	}, nil, false)
	if err != nil {
		return nil, err
	}
	var rp RemotePublisher
	if err := expect("add_remote_publisher", data, "videoroom", "success"); err != nil {
		return nil, err
	}
	if json.Unmarshal(data, &rp) != nil || rp.ID == 0 || rp.Port == 0 {
		return nil, malformed("add_remote_publisher", fmt.Errorf("%.200s", data))
	}
	return &rp, nil
}

// RemoveRemotePublisher removes a remote publisher from this (target) instance.
func (v *VideoRoom) RemoveRemotePublisher(ctx context.Context, room uint64, secret string, id uint64) error {
	data, _, err := v.Message(ctx, map[string]any{"request": "remove_remote_publisher", "room": room, "secret": secret, "id": id}, nil, false)
	if err != nil {
		return err
	}
	return expect("remove_remote_publisher", data, "videoroom", "success")
}

// PublishRemotely makes this (source) instance relay publisher's media to
// a remote publisher on another instance; remoteID names this relay.
func (v *VideoRoom) PublishRemotely(ctx context.Context, room uint64, secret string, publisher uint64, remoteID string, to RemotePublisher) error {
	data, _, err := v.Message(ctx, map[string]any{
		"request": "publish_remotely", "room": room, "secret": secret, "publisher_id": publisher,
		"remote_id": remoteID, "host": to.IP, "port": to.Port, "rtcp_port": to.RTCPPort,
	}, nil, false)
	if err != nil {
		return err
	}
	return expect("publish_remotely", data, "videoroom", "success")
}

// UnpublishRemotely stops the relay remoteID of publisher.
func (v *VideoRoom) UnpublishRemotely(ctx context.Context, room uint64, secret string, publisher uint64, remoteID string) error {
	data, _, err := v.Message(ctx, map[string]any{
		"request": "unpublish_remotely", "room": room, "secret": secret, "publisher_id": publisher, "remote_id": remoteID,
	}, nil, false)
	if err != nil {
		return err
	}
	return expect("unpublish_remotely", data, "videoroom", "success")
}

// CascadeRoom sets on room, the target of a cascade, the codec profiles of
// streams. Without them the target offers its subscribers H.264 with no
// fmtp (no profile-level-id, packetization-mode 0), which browsers and
// pion take for another codec and never decode.
func CascadeRoom(room Room, streams []RemoteStream) Room {
	for _, s := range streams {
		if room.H264Profile == "" {
			room.H264Profile = s.H264Profile
		}
		if room.VP9Profile == "" {
			room.VP9Profile = s.VP9Profile
		}
	}
	return room
}
