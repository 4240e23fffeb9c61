package signaling

import (
	"net/http"

	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The seam between "the session is here" and "the session is on another
// instance". New decides once which Router a Server has: the local router
// (one instance) or the shared router (instances joined through Redis).
// Nothing else asks which one it is: a connection of another instance is a
// member of this hub like any other, whose peer carries what it is sent to
// its own instance (remotePeer), and a connection of this instance whose
// session lives elsewhere is routed there by the Router.

// Router is where streams' sessions live, as the hub and the server see it.
type Router interface {
	// place decides where m's join of stream id as r happens. here is
	// true when the session is (or now becomes) this hub's: the hub joins
	// m itself. Otherwise the Router has joined m at the stream's home,
	// or says why not.
	place(m *member, id uint64, r role) (here bool, perr *protocol.ProtocolError)
	// routed is the route of m's session when it lives on another
	// instance, nil when m is in no session or in one of this hub.
	routed(m *member) route
	// gone tells the Router that m's connection ended.
	gone(m *member)

	// takeSeat counts one more viewer session of address over every
	// instance, refusing it at max; giveSeat gives a seat back (never a
	// round trip: it may be called under the hub's lock). A Router that
	// does not count across instances returns "" and the hub's own
	// per-account count is the whole count.
	takeSeat(address string, max int) (seat string, perr *protocol.ProtocolError)
	giveSeat(address, seat string)
	// roomGone says the hub dropped stream id's room (never a round trip).
	roomGone(id uint64)
	// shareEvents hands committed chain events that cut sessions to the
	// other instances.
	shareEvents(events []ChainEvent)

	// instances are the live instances, this one first; others the
	// other ones. r is the request that asked (it names this instance's
	// URL when none is configured).
	instances(r *http.Request) []protocol.Instance
	others() []protocol.Instance
	// reachedAt learns this instance's URL from a request when none is
	// configured.
	reachedAt(r *http.Request)
	// knownOrigin says whether a browser origin belongs to another
	// instance of the deployment.
	knownOrigin(origin string) bool
	// health is the state of the shared state for the health endpoints:
	// "" when there is none, else reachable or unreachable.
	health() string
	// withdraw makes this instance leave the deployment before its
	// connections are closed; stop ends the Router after the hub drained.
	withdraw()
	stop()
}

// route carries a connection's messages to its session on another
// instance.
type route interface {
	relay(msg protocol.ClientMessage, out transport.Frame) *protocol.ProtocolError
	leave() *protocol.ProtocolError
}

// localRouter is the Router of a single instance: every session is here.
type localRouter struct {
	id string // this instance's name in /instances.json
}

func newLocalRouter() *localRouter { return &localRouter{id: newPeerID()[:8]} }

func (*localRouter) place(*member, uint64, role) (bool, *protocol.ProtocolError) { return true, nil }
func (*localRouter) routed(*member) route                                        { return nil }
func (*localRouter) gone(*member)                                                {}
func (*localRouter) takeSeat(string, int) (string, *protocol.ProtocolError)      { return "", nil }
func (*localRouter) giveSeat(string, string)                                     {}
func (*localRouter) roomGone(uint64)                                             {}
func (*localRouter) shareEvents([]ChainEvent)                                    {}
func (*localRouter) others() []protocol.Instance                                 { return nil }
func (*localRouter) reachedAt(*http.Request)                                     {}
func (*localRouter) knownOrigin(string) bool                                     { return false }
func (*localRouter) health() string                                              { return "" }
func (*localRouter) withdraw()                                                   {}
func (*localRouter) stop()                                                       {}

func (l *localRouter) instances(r *http.Request) []protocol.Instance {
	return []protocol.Instance{{ID: l.id, URL: requestOrigin(r)}}
}
