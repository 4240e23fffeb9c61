package hub

import (
	"crypto/rand"
	"encoding/base64"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The seam between "the session is here" and "the session is on another
// instance". The server decides once which Router its hub has (package
// cluster: one instance alone, or instances joined through Redis). Nothing
// in the hub asks which one it is: a connection of another instance is a
// member of this hub like any other, whose Peer carries what it is sent to
// its own instance, and a connection of this instance whose session lives
// elsewhere is routed there by the Router.

// Router is where streams' sessions live, as the hub sees it.
type Router interface {
	// Place decides where m's join of stream id as r happens. here is
	// true when the session is (or now becomes) this hub's: the hub joins
	// m itself. Otherwise the Router has joined m at the stream's home,
	// or says why not.
	Place(m *Member, id uint64, r Role) (here bool, perr *protocol.ProtocolError)
	// Routed is the route of m's session when it lives on another
	// instance, nil when m is in no session or in one of this hub.
	Routed(m *Member) Route
	// Gone tells the Router that m's connection ended.
	Gone(m *Member)

	// TakeSeat counts one more viewer session of address over every
	// instance, refusing it at max; GiveSeat gives a seat back (never a
	// round trip: it may be called under the hub's lock). A Router that
	// does not count across instances returns "" and the hub's own
	// per-account count is the whole count.
	TakeSeat(address string, max int) (seat string, perr *protocol.ProtocolError)
	GiveSeat(address, seat string)
	// RoomGone says the hub dropped stream id's room (never a round trip).
	RoomGone(id uint64)
	// ShareEvents hands committed chain events that cut sessions to the
	// other instances.
	ShareEvents(events []chain.ChainEvent)
}

// Route carries a connection's messages to its session on another
// instance.
type Route interface {
	Relay(msg protocol.ClientMessage, out transport.Frame) *protocol.ProtocolError
	// Request carries a request about the session itself (chat and its
	// moderation, the broadcaster's direct capacity) to the session's
	// home, which answers it with RequestHere.
	Request(msg protocol.ClientMessage) *protocol.ProtocolError
	Leave() *protocol.ProtocolError
}

// Here is the Router of a hub alone: every session is here. Routers of a
// deployment embed it and override what they share.
type Here struct{}

func (Here) Place(*Member, uint64, Role) (bool, *protocol.ProtocolError) { return true, nil }
func (Here) Routed(*Member) Route                                        { return nil }
func (Here) Gone(*Member)                                                {}
func (Here) TakeSeat(string, int) (string, *protocol.ProtocolError)      { return "", nil }
func (Here) GiveSeat(string, string)                                     {}
func (Here) RoomGone(uint64)                                             {}
func (Here) ShareEvents([]chain.ChainEvent)                              {}

// Unavailable is the refusal when the shared state a Router needs cannot
// be reached.
func Unavailable() *protocol.ProtocolError {
	return protocol.Errorf(protocol.CodeSharedStateUnavailable, "shared state (Redis) cannot be reached; try again shortly or another instance")
}

// NewPeerID is a random per-connection id (128 bits): it names a peer to the
// other side without revealing or depending on its address.
func NewPeerID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("signaling: no randomness: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b[:])
}
