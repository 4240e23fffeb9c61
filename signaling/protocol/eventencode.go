package protocol

import (
	"strconv"
	"time"
)

// The session events a join sends (watching, broadcasting, viewer_joined,
// viewer_count, ...) are written by hand: encoding/json spends more on them
// than the rest of a join together (reflection, StreamID's MarshalJSON
// output validated and compacted again, the times). Each appender writes
// exactly what encode writes through encoding/json, or reports that it
// cannot: a string that needs escaping, or a time encoding/json refuses,
// goes to encoding/json instead. TestEventEncodersMatchEncodingJSON and
// FuzzEventEncoders compare the two.

// fastEncoder is a message that can write itself as JSON.
type fastEncoder interface {
	// appendJSON appends the message to b; ok is false when it cannot
	// write it exactly as encoding/json would (b is then to be dropped).
	appendJSON(b []byte) (out []byte, ok bool)
}

func (m StreamEventMsg) appendJSON(b []byte) ([]byte, bool) {
	ok := plainJSON(m.Type) && plainJSON(m.PeerID) && plainJSON(m.Reason)
	b = append(b, `{"type":"`...)
	b = append(b, m.Type...)
	b = appendStreamIDField(b, m.StreamID)
	if m.PeerID != "" {
		b = append(b, `,"peer_id":"`...)
		b = append(b, m.PeerID...)
		b = append(b, '"')
	}
	if m.Reason != "" {
		b = append(b, `,"reason":"`...)
		b = append(b, m.Reason...)
		b = append(b, '"')
	}
	return append(b, '}'), ok
}

func (m ViewerCountMsg) appendJSON(b []byte) ([]byte, bool) {
	b = append(b, `{"type":"`...)
	b = append(b, m.Type...)
	b = appendStreamIDField(b, m.StreamID)
	b = append(b, `,"count":`...)
	b = strconv.AppendInt(b, int64(m.Count), 10)
	return append(b, '}'), plainJSON(m.Type)
}

func (m WatchingMsg) appendJSON(b []byte) ([]byte, bool) {
	ok := plainJSON(m.Type) && plainJSON(m.PeerID) && plainJSON(m.Broadcaster) && plainJSON(m.BroadcasterPeerID)
	b = append(b, `{"type":"`...)
	b = append(b, m.Type...)
	b = appendStreamIDField(b, m.StreamID)
	b = append(b, `,"peer_id":"`...)
	b = append(b, m.PeerID...)
	b = append(b, `","broadcaster":"`...)
	b = append(b, m.Broadcaster...)
	b = append(b, `","broadcaster_peer_id":"`...)
	b = append(b, m.BroadcasterPeerID...)
	b = append(b, '"')
	b, rest := appendJoinDetails(b, m.ICEServers, m.ViewerCount, m.StartTime, m.EndTime)
	b = append(b[:len(b)-1], `,"tier":"`...)
	b = append(b, m.Tier...)
	b = append(b, `"}`...)
	return b, ok && rest && plainJSON(m.Tier)
}

func (m BroadcastingMsg) appendJSON(b []byte) ([]byte, bool) {
	ok := plainJSON(m.Type) && plainJSON(m.PeerID)
	b = append(b, `{"type":"`...)
	b = append(b, m.Type...)
	b = appendStreamIDField(b, m.StreamID)
	b = append(b, `,"peer_id":"`...)
	b = append(b, m.PeerID...)
	b = append(b, '"')
	b, rest := appendJoinDetails(b, m.ICEServers, m.ViewerCount, m.StartTime, m.EndTime)
	b = append(b[:len(b)-1], `,"sfu":`...)
	b = strconv.AppendBool(b, m.SFU)
	b = append(b, `,"direct_capacity":`...)
	b = strconv.AppendInt(b, int64(m.DirectCapacity), 10)
	return append(b, '}'), ok && rest
}

// appendJoinDetails writes what watching and broadcasting end with: the ICE
// servers, the viewer count and the schedule, and closes the object.
func appendJoinDetails(b []byte, servers []ICEServer, viewers int, start, end time.Time) ([]byte, bool) {
	b = append(b, `,"ice_servers":`...)
	b, okServers := appendICEServers(b, servers)
	b = append(b, `,"viewer_count":`...)
	b = strconv.AppendInt(b, int64(viewers), 10)
	b, okTimes := appendTimes(b, start, end)
	return append(b, '}'), okServers && okTimes
}

// appendStreamIDField writes `","stream_id":"<id>"` after the type's value.
func appendStreamIDField(b []byte, id StreamID) []byte {
	b = append(b, `","stream_id":"`...)
	b = strconv.AppendUint(b, uint64(id), 10)
	return append(b, '"')
}

// appendICEServers writes the list as encoding/json does: null for a nil
// slice, empty username and credential left out.
func appendICEServers(b []byte, servers []ICEServer) ([]byte, bool) {
	if servers == nil {
		return append(b, "null"...), true
	}
	ok := true
	b = append(b, '[')
	for i, s := range servers {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"urls":`...)
		if s.URLs == nil {
			b = append(b, "null"...)
		} else {
			b = append(b, '[')
			for j, u := range s.URLs {
				if j > 0 {
					b = append(b, ',')
				}
				ok = ok && plainJSON(u)
				b = append(b, '"')
				b = append(b, u...)
				b = append(b, '"')
			}
			b = append(b, ']')
		}
		if s.Username != "" {
			ok = ok && plainJSON(s.Username)
			b = append(b, `,"username":"`...)
			b = append(b, s.Username...)
			b = append(b, '"')
		}
		if s.Credential != "" {
			ok = ok && plainJSON(s.Credential)
			b = append(b, `,"credential":"`...)
			b = append(b, s.Credential...)
			b = append(b, '"')
		}
		b = append(b, '}')
	}
	return append(b, ']'), ok
}

// appendTimes writes the start_time and end_time fields.
func appendTimes(b []byte, start, end time.Time) ([]byte, bool) {
	b = append(b, `,"start_time":`...)
	b, okStart := appendTime(b, start)
	b = append(b, `,"end_time":`...)
	b, okEnd := appendTime(b, end)
	return b, okStart && okEnd
}

// appendTime writes t as time.Time's MarshalJSON does (RFC 3339 with
// nanoseconds, quoted) for what the daemon sends: UTC times of the years
// MarshalJSON accepts.
func appendTime(b []byte, t time.Time) ([]byte, bool) {
	if _, off := t.Zone(); off != 0 {
		return b, false
	}
	if y := t.Year(); y < 0 || y > 9999 {
		return b, false
	}
	b = append(b, '"')
	b = t.AppendFormat(b, time.RFC3339Nano)
	return append(b, '"'), true
}

// plainJSON says whether s is written by encoding/json (without HTML
// escaping) as its own bytes between quotes: printable ASCII other than
// the quote and the backslash.
func plainJSON(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
