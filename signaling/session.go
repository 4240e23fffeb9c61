package signaling

import (
	"errors"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/streamchain/streamchain/signaling/internal/auth"
	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// session is the protocol spoken over one connection: the sign-in exchange,
// the rate limits, and the dispatch of signed-in messages to the hub. It
// runs on the connection's reader goroutine; the hub holds the session's
// place in streams (its member), not the session itself.
type session struct {
	srv    *Server
	conn   *transport.Conn
	member *hub.Member
	ip     string // the client's address key (transport.AddrKey)
	origin string // this server's origin, as written into challenges
	log    *slog.Logger

	authed       atomic.Bool
	authFailures int
	limiter      *transport.MessageLimiter
	relayBytes   *transport.ByteBudget
	// pending is released once: at sign-in or when the connection ends,
	// whichever comes first.
	pending atomic.Bool
	// resumes sends fresh resume tokens while signed in (resumerenew.go).
	resumes resumeRenewal
}

// serve runs the session until the connection ends.
func (s *session) serve() {
	authTimer := time.AfterFunc(s.srv.cfg.AuthTimeout, func() {
		if !s.authed.Load() {
			s.srv.metrics.AuthFailures.WithLabelValues("timeout").Inc()
			s.conn.CloseWith(protocol.CloseAuthTimeout, "not signed in in time")
		}
	})
	s.sendChallenge()
	reason := s.conn.Run(s, s.srv.cfg.MaxMessageSize)
	authTimer.Stop()
	s.resumes.stop()
	s.releasePending()
	s.srv.hub.Unregister(s.member)
	s.srv.metrics.Connections.Dec()
	s.srv.auth.Release(s.member.ID())
	s.srv.metrics.Disconnects.WithLabelValues(reason).Inc()
	s.log.Debug("connection closed", "reason", reason, "address", s.srv.hub.AddressOf(s.member))
}

func (s *session) releasePending() {
	if s.pending.CompareAndSwap(true, false) {
		s.srv.unauthenticated.Add(-1)
		s.srv.unauthByAddr.Release(s.ip)
	}
}

// Control charges a ping against the message rate.
func (s *session) Control() bool {
	ok, exhausted := s.limiter.Allow()
	if exhausted {
		s.conn.CloseWith(protocol.CloseRateLimited, "rate limit exceeded")
	}
	return ok
}

// Message handles one data frame of the connection.
func (s *session) Message(mt int, data []byte, received time.Time) {
	if ok, exhausted := s.limiter.Allow(); !ok {
		if exhausted {
			s.conn.CloseWith(protocol.CloseRateLimited, "rate limit exceeded")
			return
		}
		s.reject("", protocol.Errorf(protocol.CodeRateLimited, "more than %g messages per second", s.srv.cfg.MessagesPerSecond))
		return
	}
	if mt != websocket.TextMessage {
		s.reject("", protocol.Errorf(protocol.CodeBadMessage, "text frames with JSON only"))
		return
	}
	msg, err := protocol.DecodeClientMessage(data)
	if err != nil {
		var perr *protocol.ProtocolError
		if !errors.As(err, &perr) {
			perr = protocol.Errorf(protocol.CodeBadMessage, "malformed message")
		}
		s.reject(msg.Type, perr)
		return
	}
	s.handle(msg, received)
}

// handle dispatches one decoded message. Before sign-in only the challenge
// exchange is accepted.
func (s *session) handle(m protocol.ClientMessage, received time.Time) {
	if !s.authed.Load() {
		switch m.Type {
		case protocol.TypeChallenge:
			s.sendChallenge()
		case protocol.TypeAuth:
			s.authenticate(m)
		case protocol.TypeResume:
			s.resume(m)
		default:
			s.reject(m.Type, protocol.Errorf(protocol.CodeUnauthenticated, "sign in first: answer the challenge with an auth message"))
		}
		return
	}
	h := s.srv.hub
	var perr *protocol.ProtocolError
	switch m.Type {
	case protocol.TypeChallenge, protocol.TypeAuth, protocol.TypeResume:
		perr = protocol.Errorf(protocol.CodeAlreadyAuth, "already signed in as %s", s.srv.hub.AddressOf(s.member))
	case protocol.TypeBroadcast, protocol.TypeWatch:
		// Each join may query the node: bounded per address range, so
		// throwaway keys and ids cannot make it work for every message.
		r := hub.RoleViewer
		if m.Type == protocol.TypeBroadcast {
			r = hub.RoleBroadcaster
		}
		if !s.srv.joinRates.Allow(s.ip) {
			perr = protocol.Errorf(protocol.CodeRateLimited, "more than %g joins per second from your address", s.srv.cfg.JoinsPerSecondPerIP)
		} else {
			if r == hub.RoleBroadcaster {
				h.SetDirectCapacity(s.member, m.DirectCapacity)
			}
			perr = h.Join(s.member, uint64(m.StreamID), r)
		}
	case protocol.TypeLeave:
		perr = h.Leave(s.member)
	case protocol.TypeOffer, protocol.TypeAnswer, protocol.TypeCandidate:
		perr = s.relay(m, received)
	case protocol.TypeChat, protocol.TypeChatDelete, protocol.TypeChatMute, protocol.TypeChatRemove, protocol.TypeSFUQuality,
		protocol.TypeDirectCapacity:
		perr = h.Request(s.member, m)
	}
	if perr != nil {
		s.reject(m.Type, perr)
	}
}

// relay checks the sender's byte budget, then hands the message to the hub.
func (s *session) relay(m protocol.ClientMessage, received time.Time) *protocol.ProtocolError {
	if len(m.SDP) > s.srv.cfg.MaxSDPSize {
		return protocol.Errorf(protocol.CodePayloadTooLarge, "sdp larger than %d bytes", s.srv.cfg.MaxSDPSize)
	}
	if len(m.Candidate) > s.srv.cfg.MaxCandidateSize {
		return protocol.Errorf(protocol.CodePayloadTooLarge, "candidate larger than %d bytes", s.srv.cfg.MaxCandidateSize)
	}
	out := transport.Frame{
		// protocol.Encode before the hub's lock: payloads can be tens of kilobytes.
		Data:      protocol.EncodeRelay(m.Type, s.member.PeerID(), m.SDP, m.Candidate),
		RelayType: m.Type,
		Received:  received,
		Charge:    s.member.Queued(),
	}
	if !s.relayBytes.Allow(len(out.Data)) {
		return protocol.Errorf(protocol.CodeRateLimited, "more than %d relayed bytes per second", s.srv.cfg.RelayBytesPerSecond)
	}
	return s.srv.hub.Relay(s.member, m, out)
}

func (s *session) sendChallenge() {
	ch, err := s.srv.auth.Issue(s.member.ID(), s.origin)
	if errors.Is(err, auth.ErrStoreUnavailable) {
		s.log.Warn("issuing challenge", "err", err)
		s.reject(protocol.TypeChallenge, hub.Unavailable())
		return
	}
	if err != nil {
		s.log.Error("issuing challenge", "err", err)
		s.reject(protocol.TypeChallenge, protocol.Errorf(protocol.CodeInternal, "could not issue a challenge"))
		return
	}
	s.member.Event(transport.Frame{Data: protocol.Encode(protocol.ChallengeMsg{
		Type: protocol.TypeChallenge, Nonce: ch.Nonce, Message: ch.Text,
		ChainID: ch.ChainID, Origin: ch.Origin, ExpiresAt: ch.ExpiresAt,
	})})
}

func (s *session) authenticate(m protocol.ClientMessage) {
	// The signature check runs deep (bech32, secp256k1): on a goroutine of
	// its own, so the reader's stack, which every idle connection keeps,
	// never grows to its depth.
	type verdict struct {
		addr string
		perr *protocol.ProtocolError
	}
	done := make(chan verdict, 1)
	go func() {
		addr, perr := s.srv.auth.Verify(s.member.ID(), s.origin, auth.AuthProof{Address: m.Address, Message: m.Message, Signature: *m.Signature})
		done <- verdict{addr, perr}
	}()
	v := <-done
	addr, perr := v.addr, v.perr
	if perr != nil {
		s.reject(protocol.TypeAuth, perr)
		return
	}
	s.signedIn(addr, time.Now())
}

// resume signs in with a resume token instead of a signature.
func (s *session) resume(m protocol.ClientMessage) {
	addr, signedAt, perr := s.srv.resumes.Take(m.Token)
	if perr != nil {
		s.reject(protocol.TypeResume, perr)
		return
	}
	s.log.Info("session resumed")
	s.signedIn(addr, signedAt)
}

// signedIn completes a sign-in: the address is proven. The answer carries
// a fresh resume token, which lives no longer than the signature checked
// at signedAt allows.
func (s *session) signedIn(addr string, signedAt time.Time) {
	s.srv.hub.SignedIn(s.member, addr)
	s.authed.Store(true)
	s.releasePending()
	s.log.Info("signed in", "address", addr)
	msg := protocol.AuthenticatedMsg{Type: protocol.TypeAuthenticated, Address: addr, PeerID: s.member.PeerID()}
	if token, expires, ok := s.srv.resumes.Issue(addr, signedAt); ok {
		msg.ResumeToken, msg.ResumeExpiresAt = token, &expires
		s.resumes.start(s, addr, signedAt)
	}
	s.member.Event(transport.Frame{Data: protocol.Encode(msg)})
}

// reject tells the peer why its message was refused. Before sign-in every
// refusal counts as a failed attempt.
func (s *session) reject(req string, e *protocol.ProtocolError) {
	s.srv.metrics.Errors.WithLabelValues(string(e.Code)).Inc()
	// An error answers the peer's own message. When its queue is full (it
	// is flooding us, or a burst of its messages failed at once) the error
	// is dropped instead of the connection: only events the peer needs
	// make a full queue fatal.
	if !s.conn.Send(transport.Frame{Data: protocol.ErrorFrame(req, e)}) {
		s.log.Debug("send queue full, error dropped", "code", e.Code)
	}
	if s.authed.Load() {
		// A signed-in client that keeps sending what it cannot have
		// meant spends the same patience as one over the rate.
		if (e.Code == protocol.CodeBadMessage || e.Code == protocol.CodeUnknownType) && s.limiter.Violation() {
			s.conn.CloseWith(protocol.CloseRateLimited, "too many malformed messages")
		}
		return
	}
	s.srv.metrics.AuthFailures.WithLabelValues(string(e.Code)).Inc()
	s.authFailures++
	if s.authFailures >= s.srv.cfg.MaxAuthFailures {
		s.conn.CloseWith(protocol.CloseAuthFailed, "too many failed sign-in attempts")
	}
}
