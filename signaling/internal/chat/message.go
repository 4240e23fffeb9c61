package chat

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/streamchain/streamchain/signaling/protocol"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// Message is one chat line as members receive it (the protocol's shape).
type Message = protocol.ChatLine

// The refusals, told apart with errors.Is; the hub maps each to a
// protocol error code.
var (
	ErrInvalidText   = errors.New("chat: invalid text")
	ErrMuted         = errors.New("chat: muted by the broadcaster")
	ErrRemoved       = errors.New("chat: removed by the broadcaster")
	ErrRateLimited   = errors.New("chat: too many messages")
	ErrNoSuchMessage = errors.New("chat: no such message")
	ErrUnavailable   = errors.New("chat: state unavailable")
)

// checkText applies the module's rules for a single line of user text
// (those of names and titles: no control or bidirectional-override
// characters, something visible) and a length cap in bytes. Leading and
// trailing spaces are dropped first.
func checkText(text string, maxBytes int) (string, error) {
	text = strings.TrimSpace(text)
	if len(text) > maxBytes {
		return "", fmt.Errorf("%w: %d bytes, at most %d", ErrInvalidText, len(text), maxBytes)
	}
	if err := types.ValidateRequiredText("message", text, uint32(maxBytes)); err != nil {
		return "", fmt.Errorf("%w: %v", ErrInvalidText, err)
	}
	return text, nil
}

// newID is a message id: the time in milliseconds and 6 random bytes, in
// hex, so ids sort by time and never repeat across instances.
func newID(at time.Time) string {
	var b [14]byte
	binary.BigEndian.PutUint64(b[:8], uint64(at.UnixMilli()))
	_, _ = rand.Read(b[8:])
	return hex.EncodeToString(b[2:]) // 6 bytes of time last until the year 10889
}
