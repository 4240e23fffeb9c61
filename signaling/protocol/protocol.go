package protocol

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Message types a client sends. PROTOCOL.md is the reference.
const (
	TypeChallenge = "challenge" // client: ask for a fresh challenge; server: here is one
	TypeAuth      = "auth"
	TypeBroadcast = "broadcast"
	TypeWatch     = "watch"
	TypeLeave     = "leave"
	TypeOffer     = "offer"
	TypeAnswer    = "answer"
	TypeCandidate = "candidate"
	TypeResume    = "resume" // sign in again with a resume token instead of a signature
	// TypeDirectCapacity: the broadcaster reports a new direct capacity
	// during its broadcast; the server answers with the same type and the
	// value in force (PROTOCOL.md §4.4).
	TypeDirectCapacity = "direct_capacity"
)

// Message types the server sends (besides challenge, offer, answer and
// candidate, which it also sends).
const (
	TypeAuthenticated     = "authenticated"
	TypeBroadcasting      = "broadcasting"
	TypeWatching          = "watching"
	TypeLeft              = "left"
	TypeViewerJoined      = "viewer_joined"
	TypeViewerLeft        = "viewer_left"
	TypeViewerCount       = "viewer_count"
	TypeBroadcasterJoined = "broadcaster_joined"
	TypeStreamEnded       = "stream_ended"
	TypeRemoved           = "removed"
	TypeError             = "error"
	TypeDraining          = "draining"     // this instance is stopping: reconnect elsewhere
	TypeResumeToken       = "resume_token" // a fresh resume token while signed in
	TypeICEServers        = "ice_servers"  // fresh TURN credentials for the session

	// Chat, in a session: a client posts "chat" and the server sends every
	// member "chat"; the broadcaster moderates with the others.
	TypeChat           = "chat"
	TypeChatDelete     = "chat_delete"
	TypeChatMute       = "chat_mute"
	TypeChatRemove     = "chat_remove"
	TypeChatHistory    = "chat_history"
	TypeChatDeleted    = "chat_deleted"
	TypeChatRestricted = "chat_restricted"

	// The media server tier (PROTOCOL.md §4.4): the server asks the
	// broadcaster to publish its stream to the media server, addressed as
	// the peer PeerSFU in offer, answer and candidate.
	TypeSFUPublish = "sfu_publish"
	// A viewer on the media server tier chooses the simulcast layer it
	// receives; the server confirms the choice with the same type.
	TypeSFUQuality = "sfu_quality"
)

// Qualities a viewer on the media server tier may ask for (sfu_quality).
const (
	QualityHigh   = "high"
	QualityMedium = "medium"
	QualityLow    = "low"
)

// PeerSFU is the media server's peer id in relayed messages. Real peer ids
// are 22 characters of base64url, so it never names a connection.
const PeerSFU = "sfu"

// Tiers a viewer watches on (watching's tier).
const (
	TierDirect = "direct" // peer to peer from the broadcaster's browser
	TierSFU    = "sfu"    // through a media server the stream is published to
)

// MaxDirectCapacity bounds direct_capacity in broadcast and in the
// direct_capacity message.
const MaxDirectCapacity = 1000

// Code is a stable, machine-readable error code.
type Code string

// Error codes. They are part of the protocol: never rename one.
const (
	CodeBadMessage         Code = "bad_message"
	CodeUnknownType        Code = "unknown_type"
	CodeUnauthenticated    Code = "unauthenticated"
	CodeAlreadyAuth        Code = "already_authenticated"
	CodeAuthMalformed      Code = "auth_malformed"
	CodeAuthAddrMismatch   Code = "auth_address_mismatch"
	CodeAuthBadSignature   Code = "auth_bad_signature"
	CodeAuthWrongChain     Code = "auth_wrong_chain"
	CodeAuthWrongOrigin    Code = "auth_wrong_origin"
	CodeAuthUnknownNonce   Code = "auth_unknown_nonce"
	CodeAuthReplayed       Code = "auth_replayed"
	CodeAuthExpired        Code = "auth_expired"
	CodeStreamNotFound     Code = "stream_not_found"
	CodeNotStreamOwner     Code = "not_stream_owner"
	CodeStreamNotStarted   Code = "stream_not_started"
	CodeStreamEnded        Code = "stream_ended"
	CodeNotSubscribed      Code = "not_subscribed"
	CodeStreamFull         Code = "stream_full"
	CodeChainUnavailable   Code = "chain_unavailable"
	CodeAlreadyInSession   Code = "already_in_session"
	CodeNotInSession       Code = "not_in_session"
	CodeUnknownPeer        Code = "unknown_peer"
	CodeWrongRole          Code = "wrong_role"
	CodeCandidateQueueFull Code = "candidate_queue_full"
	CodeRateLimited        Code = "rate_limited"
	CodeTooManySessions    Code = "too_many_sessions"
	CodePayloadTooLarge    Code = "payload_too_large"
	CodePeerBusy           Code = "peer_busy"
	CodeInternal           Code = "internal"
	// CodeSharedStateUnavailable: in shared mode, Redis cannot be reached,
	// so what needs shared state (a sign-in challenge, watch, broadcast)
	// is refused; try again shortly, or another instance.
	CodeSharedStateUnavailable Code = "shared_state_unavailable"
	// CodeAuthResumeInvalid: the resume token is unknown, expired or
	// already used; sign in with a challenge.
	CodeAuthResumeInvalid Code = "auth_resume_invalid"
	// Chat refusals.
	CodeChatInvalid     Code = "chat_invalid"           // empty, too long, or characters the text rules refuse
	CodeChatMuted       Code = "chat_muted"             // the broadcaster muted you for this stream
	CodeChatRateLimited Code = "chat_rate_limited"      // more chat messages than the per-account rate
	CodeUnknownMessage  Code = "unknown_message"        // chat_delete of an id not (or no longer) kept
	CodeRemovedByOwner  Code = "removed_by_broadcaster" // watch refused: the broadcaster removed you from this stream
	// Media server tier refusals.
	CodeSFUUnavailable Code = "sfu_unavailable" // no media server can take the publication or the viewer
	CodeSFUInvalidSDP  Code = "sfu_invalid_sdp" // the media server refused the description
	CodeWrongTier      Code = "wrong_tier"      // a media server request from a viewer who watches peer to peer
)

// Reasons carried by stream_ended, removed and viewer_left.
const (
	ReasonBroadcasterLeft = "broadcaster_left"
	ReasonStreamDeleted   = "stream_deleted"
	ReasonStreamOver      = "stream_over"
	ReasonNotSubscribed   = "not_subscribed"
	// ReasonBlocked and ReasonSubscriptionExpired: the subscription ended
	// because the broadcaster blocked the account, or because a paid one
	// ran out (not_subscribed: its holder unsubscribed).
	ReasonBlocked             = "blocked"
	ReasonSubscriptionExpired = "subscription_expired"
	ReasonChainUnavailable    = "chain_unavailable"
	ReasonLeft                = "left"
	ReasonDisconnected        = "disconnected"
	// ReasonInstanceLost: the instance that carried the other side, or
	// the session's home, stopped answering (shared mode).
	ReasonInstanceLost = "instance_lost"
	// ReasonRemovedByBroadcaster: the broadcaster removed the viewer from
	// the stream's chat and session (chat_remove).
	ReasonRemovedByBroadcaster = "removed_by_broadcaster"
	// ReasonSFUUnavailable: the viewer's media server was lost and no
	// other could take it.
	ReasonSFUUnavailable = "sfu_unavailable"
)

// WebSocket close codes the server uses besides the standard 1001 (going
// away, on shutdown) and 1009 (message too big).
const (
	CloseTakenOver     = 4000 // another connection of the same owner took over the stream
	CloseAuthFailed    = 4001 // too many failed sign-in attempts
	CloseAuthTimeout   = 4002 // not signed in within the auth timeout
	CloseRateLimited   = 4003 // kept sending faster than the rate limit
	CloseSlowConsumer  = 4004 // send queue overflowed (usually no frame reaches such a peer)
	CloseServerDrained = 1001 // websocket.CloseGoingAway
	CloseInvalidUTF8   = 1007 // websocket.CloseInvalidFramePayloadData: a text frame that is not UTF-8
)

// StreamID is an on-chain stream id. It is written as a decimal string, the
// way the chain's REST API writes 64-bit integers, and read from either a
// decimal string or a JSON number with an integer value (42, 42.0, 4.2e1).
type StreamID uint64

func (id StreamID) MarshalJSON() ([]byte, error) {
	return []byte(`"` + strconv.FormatUint(uint64(id), 10) + `"`), nil
}

var errStreamIDSyntax = errors.New("stream_id must be a positive integer or a decimal string")

func (id *StreamID) UnmarshalJSON(b []byte) error {
	v, err := parseStreamID(b)
	if err != nil {
		return err
	}
	*id = v
	return nil
}

// StdSignature is what Keplr's signArbitrary returns.
type StdSignature struct {
	PubKey    PubKeyJSON `json:"pub_key"`
	Signature string     `json:"signature"`
}

// PubKeyJSON is an amino-JSON public key.
type PubKeyJSON struct {
	Type  string `json:"type"`
	Value string `json:"value"`
}

// ClientMessage is any message a client sends: an envelope whose type says
// which of the other fields matter. Unknown fields are ignored.
type ClientMessage struct {
	Type string `json:"type"`

	// broadcast, watch, direct_capacity
	StreamID StreamID `json:"stream_id,omitempty"`
	// broadcast (optional) and direct_capacity (required): how many
	// viewers the broadcaster's uplink carries peer to peer (nil: the
	// server's default; 0: all through the media server).
	DirectCapacity *int `json:"direct_capacity,omitempty"`

	// offer, answer, candidate: the peer id it is for and the opaque payload.
	To        string          `json:"to,omitempty"`
	SDP       json.RawMessage `json:"sdp,omitempty"`
	Candidate json.RawMessage `json:"candidate,omitempty"`

	// auth
	Address   string        `json:"address,omitempty"`
	Message   string        `json:"message,omitempty"`
	Signature *StdSignature `json:"signature,omitempty"`

	// resume
	Token string `json:"token,omitempty"`

	// chat: the line; chat_delete: the message id; chat_mute and
	// chat_remove name an account in Address.
	Text string `json:"text,omitempty"`
	ID   string `json:"id,omitempty"`

	// sfu_quality: high, medium or low.
	Quality string `json:"quality,omitempty"`
}

// ProtocolError is an error a client is told about.
type ProtocolError struct {
	Code    Code
	Message string
}

func (e *ProtocolError) Error() string { return string(e.Code) + ": " + e.Message }

func Errorf(code Code, format string, args ...any) *ProtocolError {
	return &ProtocolError{Code: code, Message: fmt.Sprintf(format, args...)}
}

const (
	maxPeerIDLen   = 64
	maxAuthTextLen = 2048
	// maxResumeTokenLen is well above a token's 43 characters.
	maxResumeTokenLen = 128
	// maxChatTextLen bounds a chat line before the chat rules read it (they
	// allow less; see the chat package).
	maxChatTextLen = 2048
	maxAddressLen  = 128
)

// DecodeClientMessage parses and validates one client message. Every error
// it returns has code bad_message or unknown_type. When the message is a
// JSON object with a string type, the returned message carries that type
// even on error, so the error can name its request.
func DecodeClientMessage(data []byte) (ClientMessage, error) {
	m, ok := decodeFast(data)
	if !ok {
		var perr *ProtocolError
		if m, perr = decodeStrict(data); perr != nil {
			return m, perr
		}
	}
	if err := m.validate(); err != nil {
		return ClientMessage{Type: m.Type}, err
	}
	return m, nil
}

const maxTypeLen = 32

func (m *ClientMessage) validate() *ProtocolError {
	switch m.Type {
	case "":
		return Errorf(CodeBadMessage, "missing type")
	case TypeChallenge, TypeLeave:
		return nil
	case TypeAuth:
		if m.Address == "" || m.Message == "" || m.Signature == nil {
			return Errorf(CodeBadMessage, "auth needs address, message and signature")
		}
		if len(m.Message) > maxAuthTextLen {
			return Errorf(CodeBadMessage, "auth message longer than %d bytes", maxAuthTextLen)
		}
		return nil
	case TypeResume:
		if m.Token == "" || len(m.Token) > maxResumeTokenLen {
			return Errorf(CodeBadMessage, "resume needs the token from authenticated")
		}
		return nil
	case TypeBroadcast, TypeWatch:
		if m.StreamID == 0 {
			return Errorf(CodeBadMessage, "%s needs a stream_id", m.Type)
		}
		return nil
	case TypeDirectCapacity:
		if m.StreamID == 0 {
			return Errorf(CodeBadMessage, "direct_capacity needs a stream_id")
		}
		if m.DirectCapacity == nil {
			return Errorf(CodeBadMessage, "direct_capacity needs direct_capacity, an integer from 0 to %d", MaxDirectCapacity)
		}
		return nil
	case TypeOffer, TypeAnswer:
		if err := validPeerID(m.To); err != nil {
			return err
		}
		if !present(m.SDP) {
			return Errorf(CodeBadMessage, "%s needs sdp", m.Type)
		}
		return nil
	case TypeChat:
		if m.Text == "" {
			return Errorf(CodeBadMessage, "chat needs text")
		}
		if len(m.Text) > maxChatTextLen {
			return Errorf(CodeChatInvalid, "chat text longer than %d bytes", maxChatTextLen)
		}
		return nil
	case TypeChatDelete:
		if m.ID == "" || len(m.ID) > maxPeerIDLen {
			return Errorf(CodeBadMessage, "chat_delete needs the id of a chat message")
		}
		return nil
	case TypeSFUQuality:
		if m.Quality != QualityHigh && m.Quality != QualityMedium && m.Quality != QualityLow {
			return Errorf(CodeBadMessage, "sfu_quality needs a quality: %q, %q or %q", QualityHigh, QualityMedium, QualityLow)
		}
		return nil
	case TypeChatMute, TypeChatRemove:
		if m.Address == "" || len(m.Address) > maxAddressLen {
			return Errorf(CodeBadMessage, "%s needs the address of an account", m.Type)
		}
		return nil
	case TypeCandidate:
		if err := validPeerID(m.To); err != nil {
			return err
		}
		if !present(m.Candidate) {
			return Errorf(CodeBadMessage, "candidate needs candidate")
		}
		return nil
	default:
		return Errorf(CodeUnknownType, "unknown message type %.32q", m.Type)
	}
}

func validPeerID(id string) *ProtocolError {
	if id == "" {
		return Errorf(CodeBadMessage, "missing to (a peer id)")
	}
	if len(id) > maxPeerIDLen {
		return Errorf(CodeBadMessage, "peer id too long")
	}
	return nil
}

// present is false for an absent payload and for JSON null.
func present(raw json.RawMessage) bool {
	return len(raw) > 0 && !bytes.Equal(bytes.TrimSpace(raw), []byte("null"))
}

// Server → client messages.

// ICEServer is one entry of RTCConfiguration.iceServers, in the browser's
// own JSON shape so clients can pass the list through unchanged.
type ICEServer struct {
	URLs       []string `json:"urls"`
	Username   string   `json:"username,omitempty"`
	Credential string   `json:"credential,omitempty"`
}

// Instance is one live instance, as /instances.json and draining list it.
type Instance struct {
	ID  string `json:"id"`
	URL string `json:"url"`
}

// ICEServersMsg carries fresh ice_servers to a peer in a session.
type ICEServersMsg struct {
	Type       string      `json:"type"`
	StreamID   StreamID    `json:"stream_id"`
	ICEServers []ICEServer `json:"ice_servers"`
}

// DrainingMsg tells a client to move before the drain's deadline, naming
// where it can go.
type DrainingMsg struct {
	Type              string     `json:"type"`
	ReconnectWithinMS int64      `json:"reconnect_within_ms"`
	Instances         []Instance `json:"instances"`
}

type ChallengeMsg struct {
	Type      string    `json:"type"`
	Nonce     string    `json:"nonce"`
	Message   string    `json:"message"`
	ChainID   string    `json:"chain_id"`
	Origin    string    `json:"origin"`
	ExpiresAt time.Time `json:"expires_at"`
}

type AuthenticatedMsg struct {
	Type    string `json:"type"`
	Address string `json:"address"`
	PeerID  string `json:"peer_id"`
	// ResumeToken signs in again once, on a new connection, without a
	// signature, until ResumeExpiresAt; absent when none could be stored.
	ResumeToken     string     `json:"resume_token,omitempty"`
	ResumeExpiresAt *time.Time `json:"resume_expires_at,omitempty"`
}

// ResumeTokenMsg is a fresh resume token for a connection that stays
// signed in.
type ResumeTokenMsg struct {
	Type            string    `json:"type"`
	ResumeToken     string    `json:"resume_token"`
	ResumeExpiresAt time.Time `json:"resume_expires_at"`
}

type BroadcastingMsg struct {
	Type        string      `json:"type"`
	StreamID    StreamID    `json:"stream_id"`
	PeerID      string      `json:"peer_id"`
	ICEServers  []ICEServer `json:"ice_servers"`
	ViewerCount int         `json:"viewer_count"`
	StartTime   time.Time   `json:"start_time"`
	EndTime     time.Time   `json:"end_time"`
	// SFU says whether the server has a media server tier; DirectCapacity
	// is how many viewers watch peer to peer before the others go
	// through it.
	SFU            bool `json:"sfu"`
	DirectCapacity int  `json:"direct_capacity"`
}

// DirectCapacityMsg answers the broadcaster's direct_capacity with the
// capacity now in force for its stream (as broadcasting's fields).
type DirectCapacityMsg struct {
	Type           string   `json:"type"`
	StreamID       StreamID `json:"stream_id"`
	SFU            bool     `json:"sfu"`
	DirectCapacity int      `json:"direct_capacity"`
}

type WatchingMsg struct {
	Type              string      `json:"type"`
	StreamID          StreamID    `json:"stream_id"`
	PeerID            string      `json:"peer_id"`
	Broadcaster       string      `json:"broadcaster"`
	BroadcasterPeerID string      `json:"broadcaster_peer_id"`
	ICEServers        []ICEServer `json:"ice_servers"`
	ViewerCount       int         `json:"viewer_count"`
	StartTime         time.Time   `json:"start_time"`
	EndTime           time.Time   `json:"end_time"`
	// Tier is TierDirect or TierSFU, for the whole session.
	Tier string `json:"tier"`
}

type SFUQualityMsg struct {
	Type     string   `json:"type"`
	StreamID StreamID `json:"stream_id"`
	Quality  string   `json:"quality"`
}

type StreamEventMsg struct {
	Type     string   `json:"type"`
	StreamID StreamID `json:"stream_id"`
	PeerID   string   `json:"peer_id,omitempty"`
	Reason   string   `json:"reason,omitempty"`
}

// ChatLine is one chat message as members receive it.
type ChatLine struct {
	ID   string `json:"id"`
	From string `json:"from"` // the sender's address
	Name string `json:"name"` // the sender's profile name when sent ("" without one)
	Text string `json:"text"`
	// At is the server's time, to the millisecond.
	At time.Time `json:"at"`
	// Tip is set on a line announcing a tip (its amount, e.g.
	// "5000000ustream"); Text is then the tip's memo.
	Tip string `json:"tip,omitempty"`
}

type ChatMsg struct {
	Type     string   `json:"type"`
	StreamID StreamID `json:"stream_id"`
	Message  ChatLine `json:"message"`
}

type ChatHistoryMsg struct {
	Type     string     `json:"type"`
	StreamID StreamID   `json:"stream_id"`
	Messages []ChatLine `json:"messages"`
}

type ChatDeletedMsg struct {
	Type     string   `json:"type"`
	StreamID StreamID `json:"stream_id"`
	ID       string   `json:"id"`
}

type ChatRestrictedMsg struct {
	Type        string   `json:"type"`
	StreamID    StreamID `json:"stream_id"`
	Address     string   `json:"address"`
	Name        string   `json:"name,omitempty"` // the account's profile name, when it has one
	Restriction string   `json:"restriction"`    // "muted" or "removed"
}

type ViewerCountMsg struct {
	Type     string   `json:"type"`
	StreamID StreamID `json:"stream_id"`
	Count    int      `json:"count"`
}

// encodeRelay is a relayed message: {"type":..., "from":..., "sdp" or
// "candidate": the payload as the sender wrote it}. Written by hand: it is
// the hot path, every part is already valid JSON (the payload was parsed,
// type and peer ids are plain ASCII), and the payload reaches the other
// side byte for byte.
func EncodeRelay(typ, from string, sdp, candidate json.RawMessage) []byte {
	key, payload := `","sdp":`, sdp
	if typ == TypeCandidate {
		key, payload = `","candidate":`, candidate
	}
	b := make([]byte, 0, len(`{"type":"","from":`)+len(typ)+len(from)+len(key)+len(payload)+1)
	b = append(b, `{"type":"`...)
	b = append(b, typ...)
	b = append(b, `","from":"`...)
	b = append(b, from...)
	b = append(b, key...)
	b = append(b, payload...)
	return append(b, '}')
}

type errorMsg struct {
	Type    string `json:"type"`
	Code    Code   `json:"code"`
	Message string `json:"message"`
	Request string `json:"request,omitempty"`
}

// encode marshals a server message. HTML escaping is off so relayed payloads
// reach the other side as close to byte-for-byte as JSON allows.
func Encode(v any) []byte {
	if f, ok := v.(fastEncoder); ok {
		if b, ok := f.appendJSON(make([]byte, 0, 128)); ok {
			return b
		}
	}
	return encodeJSON(v)
}

// encodeJSON is encode through encoding/json alone.
func encodeJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only a bug (an unmarshalable type) gets here.
		panic(fmt.Sprintf("signaling: encoding %T: %v", v, err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

func ErrorFrame(req string, e *ProtocolError) []byte {
	return Encode(errorMsg{Type: TypeError, Code: e.Code, Message: e.Message, Request: req})
}

// PrintableASCII reports whether s is made of printable ASCII characters
// only, no space: what chain ids, origins and the challenge's fields are.
func PrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x21 || s[i] > 0x7e {
			return false
		}
	}
	return true
}
