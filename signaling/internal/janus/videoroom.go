package janus

import (
	"context"
	"encoding/json"
	"fmt"
)

// VideoRoomPlugin is the VideoRoom plugin's package name.
const VideoRoomPlugin = "janus.plugin.videoroom"

// VideoRoom is a handle attached to the VideoRoom plugin. One handle plays
// one role: room administration (create, destroy, kick, list), a publisher,
// or a subscriber.
type VideoRoom struct{ *Handle }

// AttachVideoRoom attaches a handle to the VideoRoom plugin.
func (s *Session) AttachVideoRoom(ctx context.Context) (*VideoRoom, error) {
	h, err := s.Attach(ctx, VideoRoomPlugin)
	if err != nil {
		return nil, err
	}
	return &VideoRoom{h}, nil
}

// Room describes a room to create. Rooms are never permanent: Janus keeps
// them in memory, and the application server recreates them after a restart.
type Room struct {
	ID          uint64
	Description string
	// Secret is needed to destroy the room and to kick participants.
	Secret string
	// Publishers is the most publishers at once (1 for a broadcast).
	Publishers int
	// Bitrate caps each publisher's video (bits/s; 0 = Janus's default).
	Bitrate int
	// VideoCodec, AudioCodec: e.g. "vp8,h264", "opus" (empty = Janus's
	// defaults, vp8 and opus).
	VideoCodec, AudioCodec string
	// H264Profile, VP9Profile: the profile the room offers subscribers
	// ("42e01f", "2"; empty = Janus's choice).
	H264Profile, VP9Profile string
	// FIRFreq asks publishers for a keyframe every so many seconds, so a new
	// subscriber does not wait long for one (0 = never).
	FIRFreq int
}

// CreateRoom creates a room.
func (v *VideoRoom) CreateRoom(ctx context.Context, r Room) error {
	body := map[string]any{
		"request": "create", "room": r.ID, "permanent": false, "is_private": true,
		"description": r.Description, "secret": r.Secret, "publishers": max(r.Publishers, 1),
	}
	setIf(body, "bitrate", r.Bitrate)
	setIf(body, "fir_freq", r.FIRFreq)
	setIf(body, "videocodec", r.VideoCodec)
	setIf(body, "audiocodec", r.AudioCodec)
	setIf(body, "h264_profile", r.H264Profile)
	setIf(body, "vp9_profile", r.VP9Profile)
	data, _, err := v.Message(ctx, body, nil, false)
	if err != nil {
		return err
	}
	return expect("create", data, "videoroom", "created")
}

// DestroyRoom destroys a room; its participants are told and dropped.
func (v *VideoRoom) DestroyRoom(ctx context.Context, room uint64, secret string) error {
	data, _, err := v.Message(ctx, map[string]any{"request": "destroy", "room": room, "secret": secret, "permanent": false}, nil, false)
	if err != nil {
		return err
	}
	return expect("destroy", data, "videoroom", "destroyed")
}

// RoomExists says whether room exists.
func (v *VideoRoom) RoomExists(ctx context.Context, room uint64) (bool, error) {
	data, _, err := v.Message(ctx, map[string]any{"request": "exists", "room": room}, nil, false)
	if err != nil {
		return false, err
	}
	var d struct {
		Exists *bool `json:"exists"`
	}
	if json.Unmarshal(data, &d) != nil || d.Exists == nil {
		return false, malformed("exists", fmt.Errorf("%.200s", data))
	}
	return *d.Exists, nil
}

// Participant is one entry of a room's participant list.
type Participant struct {
	ID        uint64 `json:"id"`
	Display   string `json:"display"`
	Publisher bool   `json:"publisher"`
}

// Participants lists a room's participants (publishers and, as Janus
// counts them, participants that joined as publishers without publishing).
func (v *VideoRoom) Participants(ctx context.Context, room uint64) ([]Participant, error) {
	data, _, err := v.Message(ctx, map[string]any{"request": "listparticipants", "room": room}, nil, false)
	if err != nil {
		return nil, err
	}
	var d struct {
		VideoRoom    string        `json:"videoroom"`
		Participants []Participant `json:"participants"`
	}
	if json.Unmarshal(data, &d) != nil || d.VideoRoom != "participants" {
		return nil, malformed("listparticipants", fmt.Errorf("%.200s", data))
	}
	return d.Participants, nil
}

// Kick removes participant id from room (its PeerConnection is closed).
func (v *VideoRoom) Kick(ctx context.Context, room uint64, secret string, id uint64) error {
	data, _, err := v.Message(ctx, map[string]any{"request": "kick", "room": room, "secret": secret, "id": id}, nil, false)
	if err != nil {
		return err
	}
	return expect("kick", data, "videoroom", "success")
}

// Joined is the answer to a publisher's join.
type Joined struct {
	Room      uint64 `json:"room"`
	ID        uint64 `json:"id"`
	PrivateID uint64 `json:"private_id"`
}

// Publish joins room as a publisher and publishes offer at once
// (joinandconfigure); it returns the participant and Janus's SDP answer.
func (v *VideoRoom) Publish(ctx context.Context, room uint64, display string, offer JSEP) (*Joined, *JSEP, error) {
	if offer.Type != "offer" || offer.SDP == "" {
		return nil, nil, fmt.Errorf("%w: publish needs an SDP offer", ErrInvalidSDP)
	}
	data, answer, err := v.Message(ctx, map[string]any{
		"request": "joinandconfigure", "ptype": "publisher", "room": room, "display": display,
	}, &offer, true)
	if err != nil {
		return nil, nil, err
	}
	var j Joined
	if err := expect("joinandconfigure", data, "videoroom", "joined"); err != nil {
		return nil, nil, err
	}
	if json.Unmarshal(data, &j) != nil || j.ID == 0 || answer == nil || answer.Type != "answer" {
		return nil, nil, malformed("joinandconfigure", fmt.Errorf("no participant id or answer: %.200s", data))
	}
	return &j, answer, nil
}

// Configure changes a publisher's settings (bitrate cap in bits/s, 0 = as
// is; a keyframe request) and, with offer, renegotiates (returning Janus's
// answer).
func (v *VideoRoom) Configure(ctx context.Context, bitrate int, keyframe bool, offer *JSEP) (*JSEP, error) {
	body := map[string]any{"request": "configure"}
	setIf(body, "bitrate", bitrate)
	if keyframe {
		body["keyframe"] = true
	}
	data, answer, err := v.Message(ctx, body, offer, true)
	if err != nil {
		return nil, err
	}
	if err := expect("configure", data, "configured", "ok"); err != nil {
		return nil, err
	}
	return answer, nil
}

// Unpublish stops publishing (the participant stays in the room).
func (v *VideoRoom) Unpublish(ctx context.Context) error {
	data, _, err := v.Message(ctx, map[string]any{"request": "unpublish"}, nil, true)
	if err != nil {
		return err
	}
	return expect("unpublish", data, "unpublished", "ok")
}

// Leave leaves the room (publisher or subscriber).
func (v *VideoRoom) Leave(ctx context.Context) error {
	data, _, err := v.Message(ctx, map[string]any{"request": "leave"}, nil, true)
	if err != nil {
		return err
	}
	var d struct {
		Leaving any `json:"leaving"`
		Left    any `json:"left"`
	}
	if json.Unmarshal(data, &d) != nil || (d.Leaving == nil && d.Left == nil) {
		return malformed("leave", fmt.Errorf("%.200s", data))
	}
	return nil
}

// Subscribe joins room as a subscriber to publisher feed; Janus answers with
// its SDP offer, which the subscriber answers with Start.
func (v *VideoRoom) Subscribe(ctx context.Context, room, feed uint64) (*JSEP, error) {
	data, offer, err := v.Message(ctx, map[string]any{
		"request": "join", "ptype": "subscriber", "room": room,
		"streams": []map[string]any{{"feed": feed}},
	}, nil, true)
	if err != nil {
		return nil, err
	}
	if err := expect("subscribe", data, "videoroom", "attached"); err != nil {
		return nil, err
	}
	if offer == nil || offer.Type != "offer" {
		return nil, malformed("subscribe", fmt.Errorf("no SDP offer: %.200s", data))
	}
	return offer, nil
}

// Start sends the subscriber's SDP answer; media starts flowing.
func (v *VideoRoom) Start(ctx context.Context, answer JSEP) error {
	if answer.Type != "answer" || answer.SDP == "" {
		return fmt.Errorf("%w: start needs an SDP answer", ErrInvalidSDP)
	}
	data, _, err := v.Message(ctx, map[string]any{"request": "start"}, &answer, true)
	if err != nil {
		return err
	}
	return expect("start", data, "started", "ok")
}

// SetSubstream asks Janus to send this subscriber the simulcast layer
// substream (0, the lowest, to 2) of the video in m-line mid. While that
// layer does not arrive Janus sends the nearest one that does.
func (v *VideoRoom) SetSubstream(ctx context.Context, mid string, substream int) error {
	data, _, err := v.Message(ctx, map[string]any{
		"request": "configure",
		"streams": []map[string]any{{"mid": mid, "substream": substream}},
	}, nil, true)
	if err != nil {
		return err
	}
	return expect("configure", data, "configured", "ok")
}

// expect checks that the plugin's data has key = value.
func expect(op string, data json.RawMessage, key, value string) error {
	var d map[string]json.RawMessage
	if err := json.Unmarshal(data, &d); err != nil {
		return malformed(op, err)
	}
	var got string
	if json.Unmarshal(d[key], &got) != nil || got != value {
		return malformed(op, fmt.Errorf("expected %s=%q in %.200s", key, value, data))
	}
	return nil
}

func setIf[T comparable](m map[string]any, key string, v T) {
	var zero T
	if v != zero {
		m[key] = v
	}
}
