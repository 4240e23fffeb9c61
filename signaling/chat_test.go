package signaling_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// skipTo is c's next message of type typ, passing over others (counts,
// notices) on the way.
func skipTo(t *testing.T, c *signalingtest.Client, typ string) signalingtest.Msg {
	t.Helper()
	for {
		if m := c.Next(); m.Type() == typ {
			return m
		}
	}
}

// chatLine is the "message" of a chat event.
func chatLine(t *testing.T, m signalingtest.Msg) map[string]any {
	t.Helper()
	require.Equal(t, "chat", m.Type())
	line, ok := m["message"].(map[string]any)
	require.True(t, ok, "chat event without a message: %v", m)
	return line
}

// TestChatBothWaysHistoryAndModeration: the broadcaster and the viewers
// chat; every member receives each line with the sender's address,
// profile name, a server time and an id; a newcomer gets the history; the
// broadcaster deletes a line, mutes one viewer and removes another (cut
// off now, refused on the next watch); viewers cannot moderate.
func TestChatBothWaysHistoryAndModeration(t *testing.T) {
	e := newEnv(t)
	alice, bob, carol, dave := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	e.chain.SetProfile(alice.Address, "Alice")
	e.chain.SetProfile(bob.Address, "Bob")
	e.chain.SetProfile(dave.Address, "Dave")
	id := e.liveStream(alice)
	ac, _ := e.broadcaster(alice, id)
	bc, _ := e.viewer(bob, alice, id, ac)
	cc, _ := e.viewer(carol, alice, id, ac)

	before := time.Now().UTC().Add(-time.Second)
	bc.Send(map[string]any{"type": "chat", "text": "  hello from bob  "})
	var bobLine map[string]any
	for _, c := range []*signalingtest.Client{ac, bc, cc} {
		bobLine = chatLine(t, skipTo(t, c, "chat"))
		require.Equal(t, "hello from bob", bobLine["text"], "trimmed")
		require.Equal(t, bob.Address, bobLine["from"])
		require.Equal(t, "Bob", bobLine["name"])
		at, err := time.Parse(time.RFC3339Nano, bobLine["at"].(string))
		require.NoError(t, err)
		require.True(t, at.After(before) && at.Before(time.Now().Add(time.Second)), "server time %v", at)
		require.NotEmpty(t, bobLine["id"])
	}
	ac.Send(map[string]any{"type": "chat", "text": "welcome 👋"})
	for _, c := range []*signalingtest.Client{ac, bc, cc} {
		l := chatLine(t, skipTo(t, c, "chat"))
		require.Equal(t, "welcome 👋", l["text"])
		require.Equal(t, "Alice", l["name"])
	}
	cc.Send(map[string]any{"type": "chat", "text": "carol here"})
	carolLine := chatLine(t, skipTo(t, ac, "chat"))
	require.Equal(t, "", carolLine["name"], "no profile, no name")

	// A newcomer gets the history, oldest first.
	dc, _ := e.viewer(dave, alice, id, nil)
	h := skipTo(t, dc, "chat_history")
	lines := h["messages"].([]any)
	require.Len(t, lines, 3)
	require.Equal(t, "hello from bob", lines[0].(map[string]any)["text"])
	require.Equal(t, "carol here", lines[2].(map[string]any)["text"])

	// Only the broadcaster moderates.
	bc.Send(map[string]any{"type": "chat_delete", "id": carolLine["id"]})
	skipTo(t, bc, "error")
	bc.Send(map[string]any{"type": "chat_mute", "address": carol.Address})
	require.Equal(t, "wrong_role", skipTo(t, bc, "error").Str("code"))

	// Delete: everyone's view drops it; the history too.
	ac.Send(map[string]any{"type": "chat_delete", "id": bobLine["id"]})
	for _, c := range []*signalingtest.Client{ac, bc, cc, dc} {
		d := skipTo(t, c, "chat_deleted")
		require.Equal(t, bobLine["id"], d["id"])
	}
	ac.Send(map[string]any{"type": "chat_delete", "id": bobLine["id"]})
	require.Equal(t, "unknown_message", skipTo(t, ac, "error").Str("code"))

	// Mute: carol still watches and reads, and may not post.
	ac.Send(map[string]any{"type": "chat_mute", "address": carol.Address})
	r := skipTo(t, cc, "chat_restricted")
	require.Equal(t, carol.Address, r["address"])
	require.NotContains(t, r, "name", "an account without a profile is named by its address only")
	require.Equal(t, "muted", r["restriction"])
	cc.Send(map[string]any{"type": "chat", "text": "can I?"})
	require.Equal(t, "chat_muted", skipTo(t, cc, "error").Str("code"))
	bc.Send(map[string]any{"type": "chat", "text": "carol is muted"})
	require.Equal(t, "carol is muted", chatLine(t, skipTo(t, cc, "chat"))["text"], "a muted viewer still reads")
	// Watching again, carol is told at once that she is muted.
	cc.Send(map[string]any{"type": "leave"})
	skipTo(t, cc, "left")
	cc.Send(map[string]any{"type": "watch", "stream_id": id})
	skipTo(t, cc, "watching")
	r = skipTo(t, cc, "chat_restricted")
	require.Equal(t, carol.Address, r["address"])
	require.NotContains(t, r, "name")
	require.Equal(t, "muted", r["restriction"])

	// Remove: dave is cut off now and cannot watch again.
	ac.Send(map[string]any{"type": "chat_remove", "address": dave.Address})
	rm := skipTo(t, dc, "removed")
	require.Equal(t, "removed_by_broadcaster", rm.Str("reason"))
	for r = skipTo(t, bc, "chat_restricted"); r["address"] != dave.Address; r = skipTo(t, bc, "chat_restricted") {
	}
	require.Equal(t, "Dave", r["name"], "the restricted account is named by its profile")
	require.Equal(t, "removed", r["restriction"])
	dc.Send(map[string]any{"type": "watch", "stream_id": id})
	require.Equal(t, "removed_by_broadcaster", skipTo(t, dc, "error").Str("code"))
	dc.Send(map[string]any{"type": "chat", "text": "still here?"})
	require.Equal(t, "not_in_session", skipTo(t, dc, "error").Str("code"))

	// A muted account with a profile is named in what its rejoin is told.
	ac.Send(map[string]any{"type": "chat_mute", "address": bob.Address})
	for r = skipTo(t, bc, "chat_restricted"); r["address"] != bob.Address; r = skipTo(t, bc, "chat_restricted") {
	}
	bc.Send(map[string]any{"type": "leave"})
	skipTo(t, bc, "left")
	bc.Send(map[string]any{"type": "watch", "stream_id": id})
	skipTo(t, bc, "watching")
	r = skipTo(t, bc, "chat_restricted")
	require.Equal(t, []any{bob.Address, "Bob", "muted"}, []any{r["address"], r["name"], r["restriction"]})

	// Moderating oneself or nobody is refused.
	ac.Send(map[string]any{"type": "chat_mute", "address": alice.Address})
	require.Equal(t, "bad_message", skipTo(t, ac, "error").Str("code"))
	ac.Send(map[string]any{"type": "chat_remove", "address": "not-an-address"})
	require.Equal(t, "bad_message", skipTo(t, ac, "error").Str("code"))
}

// TestChatBadInputNeverReachesOthers: refused lines get the protocol's
// codes and nobody else receives them; a flood is cut by the chat rate.
func TestChatBadInputNeverReachesOthers(t *testing.T) {
	e := newEnv(t)
	alice, bob := signalingtest.NewWallet(), signalingtest.NewWallet()
	id := e.liveStream(alice)
	ac, _ := e.broadcaster(alice, id)
	bc, _ := e.viewer(bob, alice, id, ac)

	for text, code := range map[string]string{
		"":                        "bad_message",
		"   ":                     "chat_invalid",
		"two\nlines":              "chat_invalid",
		"bell\a":                  "chat_invalid",
		"\u202egnp.exe":           "chat_invalid",
		"\u200b\u200b":            "chat_invalid",
		strings.Repeat("x", 501):  "chat_invalid",
		strings.Repeat("x", 3000): "chat_invalid",
	} {
		bc.Send(map[string]any{"type": "chat", "text": text})
		require.Equal(t, code, skipTo(t, bc, "error").Str("code"), "%q", text)
	}
	bc.SendRaw([]byte(`{"type":"chat","text":42}`))
	require.Equal(t, "bad_message", skipTo(t, bc, "error").Str("code"))

	// Burst of 5, then the rate.
	for i := range 5 {
		bc.Send(map[string]any{"type": "chat", "text": "flood"})
		require.Equal(t, "flood", chatLine(t, skipTo(t, ac, "chat"))["text"], "line %d", i)
	}
	bc.Send(map[string]any{"type": "chat", "text": "flood"})
	require.Equal(t, "chat_rate_limited", skipTo(t, bc, "error").Str("code"))

	// The broadcaster saw none of the refused lines: the next thing it
	// gets from bob's chat is a line bob sends after a second.
	time.Sleep(1100 * time.Millisecond)
	bc.Send(map[string]any{"type": "chat", "text": "after a pause"})
	require.Equal(t, "after a pause", chatLine(t, skipTo(t, ac, "chat"))["text"])
	require.EqualValues(t, 6, e.metric("signaling_chat_messages_total"))

	// Not in a session: no chat.
	lone := signalingtest.NewWallet()
	lc, _ := e.signedIn(lone)
	lc.Send(map[string]any{"type": "chat", "text": "hi"})
	require.Equal(t, "not_in_session", skipTo(t, lc, "error").Str("code"))
}

// TestSharedChatAcrossInstances: in shared mode a viewer on another
// instance chats with the broadcaster; a newcomer on either instance gets
// the same history; a mute set through one instance holds on the other.
func TestSharedChatAcrossInstances(t *testing.T) {
	c := newCluster(t)
	a, b := c.twoInstances()
	alice, bob, carol := signalingtest.NewWallet(), signalingtest.NewWallet(), signalingtest.NewWallet()
	id := a.liveStream(alice)
	ac, _ := a.broadcaster(alice, id)
	bc, _ := b.viewer(bob, alice, id, ac)

	bc.Send(map[string]any{"type": "chat", "text": "from b"})
	require.Equal(t, "from b", chatLine(t, skipTo(t, ac, "chat"))["text"])
	require.Equal(t, "from b", chatLine(t, skipTo(t, bc, "chat"))["text"])
	ac.Send(map[string]any{"type": "chat", "text": "from a"})
	require.Equal(t, "from a", chatLine(t, skipTo(t, bc, "chat"))["text"])

	cc, _ := b.viewer(carol, alice, id, nil)
	lines := skipTo(t, cc, "chat_history")["messages"].([]any)
	require.Len(t, lines, 2)
	require.Equal(t, "from b", lines[0].(map[string]any)["text"])

	ac.Send(map[string]any{"type": "chat_mute", "address": bob.Address})
	skipTo(t, bc, "chat_restricted")
	bc.Send(map[string]any{"type": "chat", "text": "muted?"})
	require.Equal(t, "chat_muted", skipTo(t, bc, "error").Str("code"))
}

// TestTipShownInChat: a committed tip that names a live stream is a
// highlighted line in that stream's chat, once however often it is heard
// of; a tip for another broadcaster's stream id shows nowhere.
func TestTipShownInChat(t *testing.T) {
	feed := newFakeFeed()
	e := newEnvWith(t, []signaling.Option{signaling.WithEventFeed(feed)})
	alice, bob := signalingtest.NewWallet(), signalingtest.NewWallet()
	e.chain.SetProfile(bob.Address, "Bob")
	id := e.liveStream(alice)
	ac, _ := e.broadcaster(alice, id)
	bc, _ := e.viewer(bob, alice, id, ac)

	tip := signaling.ChainEvent{Kind: signaling.EventTip, StreamID: id, Broadcaster: alice.Address, Sender: bob.Address,
		Amount: "5000000ustream", Memo: "great show", Key: "12/3"}
	feed.blocks <- []signaling.ChainEvent{tip, tip} // heard twice
	for _, c := range []*signalingtest.Client{ac, bc} {
		l := chatLine(t, skipTo(t, c, "chat"))
		require.Equal(t, "5000000ustream", l["tip"])
		require.Equal(t, "great show", l["text"])
		require.Equal(t, bob.Address, l["from"])
		require.Equal(t, "Bob", l["name"])
	}
	other := tip
	other.Broadcaster, other.Key = bob.Address, "12/4"
	feed.blocks <- []signaling.ChainEvent{other}
	bc.Send(map[string]any{"type": "chat", "text": "next"})
	require.Equal(t, "next", chatLine(t, skipTo(t, ac, "chat"))["text"], "the duplicate and the other broadcaster's tip showed nothing")
}
