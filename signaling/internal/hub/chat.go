package hub

import (
	"context"
	"errors"
	"strconv"
	"time"

	"github.com/cosmos/cosmos-sdk/types/bech32"

	"github.com/streamchain/streamchain/signaling/chain"
	"github.com/streamchain/streamchain/signaling/internal/chat"
	"github.com/streamchain/streamchain/signaling/internal/transport"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Chat: the members of a stream's session (its broadcaster and viewers,
// who were admitted by the chain) post lines every member receives; the
// broadcaster deletes lines and mutes or removes accounts. A stream's chat
// lasts the stream: a broadcaster who reconnects, or a session that moves
// to another instance, finds it as it was; it is forgotten when the stream
// ends. The rules and the state are package chat's; here is who may do
// what, and delivery.

// ChatTTL is how long a stream's chat state outlives its last change when
// the stream's end never reaches this hub (the room emptied first).
const ChatTTL = 24 * time.Hour

// chatSession names stream id's chat.
func chatSession(id uint64) string { return strconv.FormatUint(id, 10) }

// Request handles a request about m's session (chat and its moderation,
// a media server viewer's quality, the broadcaster's direct capacity), here or
// at the session's home.
func (h *Hub) Request(m *Member, msg protocol.ClientMessage) *protocol.ProtocolError {
	if rt := h.router.Routed(m); rt != nil {
		return rt.Request(msg)
	}
	return h.RequestHere(m, msg)
}

// RequestHere is Request in the hub where m's session lives.
func (h *Hub) RequestHere(m *Member, msg protocol.ClientMessage) *protocol.ProtocolError {
	switch msg.Type {
	case protocol.TypeChat:
		return h.chatPost(m, msg.Text)
	case protocol.TypeChatDelete:
		return h.chatDelete(m, msg.ID)
	case protocol.TypeChatMute:
		return h.chatRestrict(m, msg.Address, chat.Muted)
	case protocol.TypeChatRemove:
		return h.chatRestrict(m, msg.Address, chat.Removed)
	case protocol.TypeSFUQuality:
		return h.sfuQuality(m, msg.Quality)
	case protocol.TypeDirectCapacity:
		if msg.DirectCapacity == nil {
			return protocol.Errorf(protocol.CodeBadMessage, "direct_capacity needs direct_capacity")
		}
		return h.setDirectCapacity(m, uint64(msg.StreamID), *msg.DirectCapacity)
	}
	return protocol.Errorf(protocol.CodeUnknownType, "unknown message type %.32q", msg.Type)
}

// sessionOf is m's stream, whether m broadcasts it, and m's address.
func (h *Hub) sessionOf(m *Member) (id uint64, owner bool, address string, perr *protocol.ProtocolError) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if m.room == nil {
		return 0, false, "", protocol.Errorf(protocol.CodeNotInSession, "broadcast or watch a stream first")
	}
	return m.room.id, m.Role == RoleBroadcaster, m.address, nil
}

func (h *Hub) chatPost(m *Member, text string) *protocol.ProtocolError {
	id, _, address, perr := h.sessionOf(m)
	if perr != nil {
		return perr
	}
	name := h.learnName(m)
	line, err := h.chat.Post(h.ctx, chatSession(id), address, name, text)
	if err != nil {
		return chatRefusal(err, h.chat.Limits())
	}
	h.m.ChatMessages.Inc()
	h.toChat(id, protocol.ChatMsg{Type: protocol.TypeChat, StreamID: protocol.StreamID(id), Message: line})
	return nil
}

func (h *Hub) chatDelete(m *Member, msgID string) *protocol.ProtocolError {
	id, owner, _, perr := h.sessionOf(m)
	if perr != nil {
		return perr
	}
	if !owner {
		return protocol.Errorf(protocol.CodeWrongRole, "only the broadcaster deletes chat messages")
	}
	if err := h.chat.Delete(h.ctx, chatSession(id), msgID); err != nil {
		return chatRefusal(err, h.chat.Limits())
	}
	h.toChat(id, protocol.ChatDeletedMsg{Type: protocol.TypeChatDeleted, StreamID: protocol.StreamID(id), ID: msgID})
	return nil
}

// chatRestrict mutes or removes account for the rest of the stream; a
// removed account's viewers are cut off now, and its next watch refused.
func (h *Hub) chatRestrict(m *Member, account string, r chat.Restriction) *protocol.ProtocolError {
	id, owner, address, perr := h.sessionOf(m)
	if perr != nil {
		return perr
	}
	if !owner {
		return protocol.Errorf(protocol.CodeWrongRole, "only the broadcaster mutes or removes accounts")
	}
	if _, _, err := bech32.DecodeAndConvert(account); err != nil {
		return protocol.Errorf(protocol.CodeBadMessage, "%.128q is not an account address", account)
	}
	if account == address {
		return protocol.Errorf(protocol.CodeBadMessage, "you cannot mute or remove yourself")
	}
	if err := h.chat.Restrict(h.ctx, chatSession(id), account, r); err != nil {
		return chatRefusal(err, h.chat.Limits())
	}
	what := "muted"
	if r == chat.Removed {
		what = "removed"
	}
	h.toChat(id, protocol.ChatRestrictedMsg{Type: protocol.TypeChatRestricted, StreamID: protocol.StreamID(id), Address: account, Name: h.profileName(account), Restriction: what})
	if r == chat.Removed {
		h.mu.Lock()
		if room := h.rooms[id]; room != nil {
			for _, v := range sortedViewers(room) {
				if v.m.address == account {
					h.removeViewerLocked(room, v, protocol.ReasonRemovedByBroadcaster)
				}
			}
		}
		h.mu.Unlock()
	}
	return nil
}

// toChat delivers a chat event to every member of stream id's session. A
// member whose queue is full misses it rather than being dropped: chat is
// not worth a viewer's video, and the history fills the gap on a rejoin.
func (h *Hub) toChat(id uint64, v any) {
	out := transport.Frame{Data: protocol.Encode(v)}
	h.mu.Lock()
	defer h.mu.Unlock()
	r := h.rooms[id]
	if r == nil {
		return
	}
	if b := r.broadcaster; b != nil {
		b.p.Send(out)
	}
	for _, v := range r.viewers {
		v.m.p.Send(out)
	}
}

// chatAdmits checks, before a join takes a seat, that the broadcaster has
// not removed address from stream id.
// It returns whether the account is muted, which the join then tells it
// (sendChatState) without reading the restriction again.
func (h *Hub) chatAdmits(id uint64, address string) (muted bool, perr *protocol.ProtocolError) {
	r, err := h.chat.Restriction(h.ctx, chatSession(id), address)
	switch {
	case err != nil:
		h.log.Warn("chat state unavailable", "stream_id", id, "err", err)
		return false, Unavailable()
	case r == chat.Removed:
		return false, protocol.Errorf(protocol.CodeRemovedByOwner, "the broadcaster removed you from stream %d", id)
	}
	return r == chat.Muted, nil
}

// sendChatState sends m, which has just joined stream id, the chat so
// far, when there is any, and, when the broadcaster muted m's account,
// chat_restricted naming it (so a client that rejoins knows before it
// posts). A line posted meanwhile may come both live and in the history;
// clients keep one per id.
func (h *Hub) sendChatState(m *Member, id uint64) {
	lines, err := h.chat.History(h.ctx, chatSession(id))
	if err != nil {
		h.log.Warn("chat history unavailable", "stream_id", id, "err", err)
	}
	if len(lines) > 0 {
		m.Event(transport.Frame{Data: protocol.Encode(protocol.ChatHistoryMsg{Type: protocol.TypeChatHistory, StreamID: protocol.StreamID(id), Messages: lines})})
	}
	h.mu.Lock()
	address, muted := m.address, m.chatMuted
	h.mu.Unlock()
	if muted {
		m.Event(transport.Frame{Data: protocol.Encode(protocol.ChatRestrictedMsg{Type: protocol.TypeChatRestricted, StreamID: protocol.StreamID(id), Address: address, Name: h.learnName(m), Restriction: "muted"})})
	}
}

// learnName is m's profile name for its chat lines, read at its first line
// (not at its join: a join must not wait on one more query).
func (h *Hub) learnName(m *Member) string {
	h.mu.Lock()
	name, address := m.name, m.address
	h.mu.Unlock()
	if name != "" {
		return name
	}
	name = h.profileName(address)
	if name != "" {
		h.mu.Lock()
		m.name = name
		h.mu.Unlock()
	}
	return name
}

// profileName is address's profile name, "" when it has none or the chain
// cannot say now: a name only decorates a chat event, which never waits
// for one longer than the chain's answer cache takes.
func (h *Hub) profileName(address string) string {
	name, err := h.chain.ProfileName(h.ctx, address)
	if err != nil {
		h.log.Debug("profile name unavailable", "address", address, "err", err)
		return ""
	}
	return name
}

// tipped shows a tip to a stream whose session is here as a highlighted
// chat line, once per event however many times it is heard of.
func (h *Hub) tipped(ev chain.ChainEvent) {
	h.mu.Lock()
	r := h.rooms[ev.StreamID]
	here := r != nil && r.info.Broadcaster == ev.Broadcaster
	seen := false
	if here && ev.Key != "" {
		_, seen = h.tipsShown.Get(ev.Key)
		h.tipsShown.Put(ev.Key, struct{}{}, h.now().Add(time.Hour))
	}
	h.mu.Unlock()
	if !here || seen {
		return
	}
	go func() {
		line, err := h.chat.Tip(h.ctx, chatSession(ev.StreamID), ev.Sender, h.profileName(ev.Sender), ev.Amount, ev.Memo)
		if err != nil {
			h.log.Warn("tip not shown in chat", "stream_id", ev.StreamID, "err", err)
			return
		}
		h.toChat(ev.StreamID, protocol.ChatMsg{Type: protocol.TypeChat, StreamID: protocol.StreamID(ev.StreamID), Message: line})
	}()
}

// endChat forgets stream id's chat: the stream is over or deleted.
func (h *Hub) endChat(id uint64) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := h.chat.End(ctx, chatSession(id)); err != nil {
			h.log.Debug("ending chat", "stream_id", id, "err", err)
		}
	}()
}

// chatRefusal is the protocol's word for a chat refusal.
func chatRefusal(err error, l chat.Limits) *protocol.ProtocolError {
	switch {
	case errors.Is(err, chat.ErrInvalidText):
		return protocol.Errorf(protocol.CodeChatInvalid, "a chat message is 1 to %d bytes of text on one line, with something visible: %v", l.MaxBytes, err)
	case errors.Is(err, chat.ErrMuted):
		return protocol.Errorf(protocol.CodeChatMuted, "the broadcaster muted you for this stream")
	case errors.Is(err, chat.ErrRemoved):
		return protocol.Errorf(protocol.CodeRemovedByOwner, "the broadcaster removed you from this stream")
	case errors.Is(err, chat.ErrRateLimited):
		return protocol.Errorf(protocol.CodeChatRateLimited, "at most %g chat messages a second (bursts of %d)", l.Rate, l.Burst)
	case errors.Is(err, chat.ErrNoSuchMessage):
		return protocol.Errorf(protocol.CodeUnknownMessage, "no such chat message (it may have been deleted or be too old)")
	case errors.Is(err, chat.ErrUnavailable):
		return Unavailable()
	}
	return protocol.Errorf(protocol.CodeInternal, "chat failed")
}
