package keeper_test

import (
	"strings"
	"testing"
	"time"

	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"
	"github.com/stretchr/testify/require"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestEditProfileCreatesThenReplaces(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")

	f.ResetEvents()
	_, err := f.Msgs.EditProfile(f.Ctx, &types.MsgEditProfile{
		Owner: alice, Name: "Alice", Surname: "Smith", ImgLink: "https://example.com/a.png", TimeZone: "Europe/Berlin",
	})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventProfileEdited{Owner: alice, Created: true})
	require.Equal(t, types.Profile{
		Address: alice, Name: "Alice", Surname: "Smith", ImgLink: "https://example.com/a.png",
		TimeZone: "Europe/Berlin", CreatedAt: testkeeper.GenesisTime,
	}, profile(t, f, alice))

	// Counters and creation time survive an edit; each field lands in its
	// own place (the original wrote the image link into the time zone).
	bob := f.Addr(t, "bob")
	createProfile(t, f, bob, "Bob")
	subscribe(t, f, bob, alice)
	f.At(testkeeper.GenesisTime.Add(time.Hour))
	f.ResetEvents()
	_, err = f.Msgs.EditProfile(f.Ctx, &types.MsgEditProfile{
		Owner: alice, Name: "Alicia", ImgLink: "ipfs://bafy/cover.png", TimeZone: "UTC+2",
	})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventProfileEdited{Owner: alice, Created: false})
	require.Equal(t, types.Profile{
		Address: alice, Name: "Alicia", Surname: "", ImgLink: "ipfs://bafy/cover.png", TimeZone: "UTC+2",
		CreatedAt: testkeeper.GenesisTime, SubscriberCount: 1,
	}, profile(t, f, alice))
}

func TestEditProfileRejects(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	p := types.DefaultParams()

	cases := []struct {
		name string
		msg  types.MsgEditProfile
		want *errorsmodError
	}{
		{"empty owner", types.MsgEditProfile{Name: "x"}, types.ErrInvalidAddress},
		{"foreign prefix", types.MsgEditProfile{Owner: "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du", Name: "x"}, types.ErrInvalidAddress},
		{"empty name", types.MsgEditProfile{Owner: alice, Name: "  "}, types.ErrEmptyField},
		{"zero-width name", types.MsgEditProfile{Owner: alice, Name: "\u200b\u200b"}, types.ErrEmptyField},
		{"BOM name", types.MsgEditProfile{Owner: alice, Name: "\ufeff"}, types.ErrEmptyField},
		{"blank notehead name", types.MsgEditProfile{Owner: alice, Name: "\U0001d159"}, types.ErrEmptyField},
		{"private-use name", types.MsgEditProfile{Owner: alice, Name: "\ue000"}, types.ErrEmptyField},
		{"noncharacter name", types.MsgEditProfile{Owner: alice, Name: "\uffff"}, types.ErrInvalidText},
		{"noncharacter U+FFFE name", types.MsgEditProfile{Owner: alice, Name: "\ufffe"}, types.ErrInvalidText},
		{"unassigned name", types.MsgEditProfile{Owner: alice, Name: "\u0378"}, types.ErrInvalidText},
		{"unassigned in surname", types.MsgEditProfile{Owner: alice, Name: "a", Surname: "b\u0378"}, types.ErrInvalidText},
		{"javascript host link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https://javascript:alert(1)"}, types.ErrInvalidLink},
		{"markup in link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: `https://"><script>alert(1)</script>`}, types.ErrInvalidLink},
		{"hostless link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https:///etc/passwd"}, types.ErrInvalidLink},
		{"scheme as host", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https://https://"}, types.ErrInvalidLink},
		{"user info in link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https://alice@example.com/a.png"}, types.ErrInvalidLink},
		{"bidi override in name", types.MsgEditProfile{Owner: alice, Name: "Alice\u202egnp."}, types.ErrInvalidText},
		{"no-break space link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https://\u00a0"}, types.ErrInvalidLink},
		{"ideographic space link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https://\u3000"}, types.ErrInvalidLink},
		{"name too long", types.MsgEditProfile{Owner: alice, Name: repeat("a", int(p.MaxNameLength)+1)}, types.ErrTextTooLong},
		{"surname too long", types.MsgEditProfile{Owner: alice, Name: "a", Surname: repeat("b", int(p.MaxSurnameLength)+1)}, types.ErrTextTooLong},
		{"time zone too long", types.MsgEditProfile{Owner: alice, Name: "a", TimeZone: repeat("z", int(p.MaxTimeZoneLength)+1)}, types.ErrTextTooLong},
		{"newline in name", types.MsgEditProfile{Owner: alice, Name: "a\nb"}, types.ErrInvalidText},
		{"U+2028 in surname", types.MsgEditProfile{Owner: alice, Name: "a", Surname: "x\u2028y"}, types.ErrInvalidText},
		{"U+2029 in time zone", types.MsgEditProfile{Owner: alice, Name: "a", TimeZone: "x\u2029"}, types.ErrInvalidText},
		{"invalid UTF-8", types.MsgEditProfile{Owner: alice, Name: "a\xffb"}, types.ErrInvalidText},
		{"http link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "http://example.com/a.png"}, types.ErrInvalidLink},
		{"javascript link", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "javascript:alert(1)"}, types.ErrInvalidLink},
		{"bare scheme", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https://"}, types.ErrInvalidLink},
		{"link too long", types.MsgEditProfile{Owner: alice, Name: "a", ImgLink: "https://" + repeat("l", int(p.MaxLinkLength))}, types.ErrTextTooLong},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejected(t, f, tc.want, func() error {
				_, err := f.Msgs.EditProfile(f.Ctx, &msg)
				return err
			})
		})
	}
}

func TestNewStreamAssignsDistinctIDs(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	start := testkeeper.GenesisTime.Add(time.Hour)
	msg := types.MsgNewStream{
		Broadcaster: alice, Title: "Same title", Description: "d", ImgLink: "https://example.com/c.png",
		StartTime: start, EndTime: start.Add(time.Hour),
	}

	f.ResetEvents()
	first, err := f.Msgs.NewStream(f.Ctx, &msg)
	require.NoError(t, err)
	require.Equal(t, types.FirstStreamID, first.StreamId)
	requireEvent(t, f, &types.EventStreamScheduled{StreamId: first.StreamId, Broadcaster: alice, StartTime: start, EndTime: start.Add(time.Hour)})

	// Same block time, same title: the original derived ids from these and
	// overwrote the first stream. Ours come from a sequence.
	second, err := f.Msgs.NewStream(f.Ctx, &msg)
	require.NoError(t, err)
	require.Equal(t, first.StreamId+1, second.StreamId)

	got, err := f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: first.StreamId})
	require.NoError(t, err)
	require.Equal(t, types.Stream{
		Id: first.StreamId, Broadcaster: alice, Title: "Same title", Description: "d", ImgLink: "https://example.com/c.png",
		StartTime: start, EndTime: start.Add(time.Hour), CreatedAt: testkeeper.GenesisTime,
	}, got.Stream)
	require.Equal(t, types.STREAM_STATUS_UPCOMING, got.Status)
	require.EqualValues(t, 2, profile(t, f, alice).StreamCount)

	// A deleted id is never handed out again.
	_, err = f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: alice, StreamId: second.StreamId})
	require.NoError(t, err)
	third, err := f.Msgs.NewStream(f.Ctx, &msg)
	require.NoError(t, err)
	require.Equal(t, second.StreamId+1, third.StreamId)
}

func TestNewStreamRejects(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, nobody := f.Addr(t, "alice"), f.Addr(t, "nobody")
	createProfile(t, f, alice, "Alice")
	p := types.DefaultParams()
	now := testkeeper.GenesisTime
	ok := func(m func(*types.MsgNewStream)) types.MsgNewStream {
		msg := types.MsgNewStream{Broadcaster: alice, Title: "t", StartTime: now.Add(time.Minute), EndTime: now.Add(time.Hour)}
		m(&msg)
		return msg
	}

	cases := []struct {
		name string
		msg  types.MsgNewStream
		want *errorsmodError
	}{
		{"bad address", ok(func(m *types.MsgNewStream) { m.Broadcaster = "stream1bad" }), types.ErrInvalidAddress},
		{"no profile", ok(func(m *types.MsgNewStream) { m.Broadcaster = nobody }), types.ErrProfileNotFound},
		{"empty title", ok(func(m *types.MsgNewStream) { m.Title = "" }), types.ErrEmptyField},
		{"title too long", ok(func(m *types.MsgNewStream) { m.Title = repeat("t", int(p.MaxTitleLength)+1) }), types.ErrTextTooLong},
		{"description too long", ok(func(m *types.MsgNewStream) { m.Description = repeat("d", int(p.MaxDescriptionLength)+1) }), types.ErrTextTooLong},
		{"control char in description", ok(func(m *types.MsgNewStream) { m.Description = "a\x00b" }), types.ErrInvalidText},
		{"invisible title", ok(func(m *types.MsgNewStream) { m.Title = "\u200b\ufeff\u3164" }), types.ErrEmptyField},
		{"bidi isolate in title", ok(func(m *types.MsgNewStream) { m.Title = "Live \u2067now\u2069" }), types.ErrInvalidText},
		{"U+2028 in title", ok(func(m *types.MsgNewStream) { m.Title = "a\u2028" }), types.ErrInvalidText},
		{"newline in title", ok(func(m *types.MsgNewStream) { m.Title = "a\nb" }), types.ErrInvalidText},
		{"tab in title", ok(func(m *types.MsgNewStream) { m.Title = "a\tb" }), types.ErrInvalidText},
		{"carriage return in description", ok(func(m *types.MsgNewStream) { m.Description = "a\r\nb" }), types.ErrInvalidText},
		{"vertical tab in description", ok(func(m *types.MsgNewStream) { m.Description = "a\vb" }), types.ErrInvalidText},
		{"U+2029 in description", ok(func(m *types.MsgNewStream) { m.Description = "a\u2029b" }), types.ErrInvalidText},
		{"ftp link", ok(func(m *types.MsgNewStream) { m.ImgLink = "ftp://x/y" }), types.ErrInvalidLink},
		{"end before start", ok(func(m *types.MsgNewStream) { m.EndTime = m.StartTime.Add(-time.Second) }), types.ErrInvalidSchedule},
		{"end equals start", ok(func(m *types.MsgNewStream) { m.EndTime = m.StartTime }), types.ErrInvalidSchedule},
		{"start in the past", ok(func(m *types.MsgNewStream) { m.StartTime = now.Add(-time.Second) }), types.ErrStartInPast},
		{"too long", ok(func(m *types.MsgNewStream) { m.EndTime = m.StartTime.Add(p.MaxStreamDuration + time.Second) }), types.ErrStreamTooLong},
		{"one nanosecond", ok(func(m *types.MsgNewStream) { m.EndTime = m.StartTime.Add(time.Nanosecond) }), types.ErrStreamTooShort},
		{"under the minimum", ok(func(m *types.MsgNewStream) { m.EndTime = m.StartTime.Add(p.MinStreamDuration - 1) }), types.ErrStreamTooShort},
		{"blank notehead title", ok(func(m *types.MsgNewStream) { m.Title = "\U0001d159\U0001d159" }), types.ErrEmptyField},
		{"noncharacter in description", ok(func(m *types.MsgNewStream) { m.Description = "a\uffffb" }), types.ErrInvalidText},
		{"hostless link", ok(func(m *types.MsgNewStream) { m.ImgLink = "https:///etc/passwd" }), types.ErrInvalidLink},
		{"too far ahead", ok(func(m *types.MsgNewStream) {
			m.StartTime = now.Add(p.MaxScheduleAhead + time.Second)
			m.EndTime = m.StartTime.Add(time.Hour)
		}), types.ErrScheduledTooFar},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejected(t, f, tc.want, func() error {
				_, err := f.Msgs.NewStream(f.Ctx, &msg)
				return err
			})
		})
	}

	// The limits themselves are accepted.
	_, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{
		Broadcaster: alice, Title: repeat("t", int(p.MaxTitleLength)),
		StartTime: now, EndTime: now.Add(p.MaxStreamDuration),
	})
	require.NoError(t, err)
	_, err = f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{
		Broadcaster: alice, Title: "short", StartTime: now, EndTime: now.Add(p.MinStreamDuration),
	})
	require.NoError(t, err)
}

// A description comes from a textarea: its newlines and tabs are kept
// as typed, in a new stream and in an edit.
func TestDescriptionKeepsLinesAndTabs(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	now := testkeeper.GenesisTime
	multiline := "Line one\n\tindented\n\nlast line 🎥"
	res, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{
		Broadcaster: alice, Title: "t", Description: multiline, StartTime: now.Add(time.Minute), EndTime: now.Add(time.Hour),
	})
	require.NoError(t, err)
	s, err := f.Keeper.Streams.Get(f.Ctx, res.StreamId)
	require.NoError(t, err)
	require.Equal(t, multiline, s.Description)

	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{
		Broadcaster: alice, StreamId: res.StreamId, UpdateMask: []string{"description"}, Description: "a\nb",
	})
	require.NoError(t, err)
	s, err = f.Keeper.Streams.Get(f.Ctx, res.StreamId)
	require.NoError(t, err)
	require.Equal(t, "a\nb", s.Description)
}

func TestEditStreamAppliesOnlyTheMask(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	start := testkeeper.GenesisTime.Add(time.Hour)
	res, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{
		Broadcaster: alice, Title: "Old", Description: "Keep me", ImgLink: "https://example.com/old.png",
		StartTime: start, EndTime: start.Add(time.Hour),
	})
	require.NoError(t, err)
	id := res.StreamId
	get := func() types.Stream {
		r, err := f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: id})
		require.NoError(t, err)
		return r.Stream
	}

	// Changing the title leaves the description alone (the original always
	// cleared it).
	f.ResetEvents()
	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{Broadcaster: alice, StreamId: id, UpdateMask: []string{"title"}, Title: "New"})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventStreamEdited{StreamId: id, Broadcaster: alice, Fields: []string{"title"}})
	s := get()
	require.Equal(t, "New", s.Title)
	require.Equal(t, "Keep me", s.Description)
	require.Equal(t, "https://example.com/old.png", s.ImgLink)

	// Clearing is an explicit choice: name the field, give no value.
	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{Broadcaster: alice, StreamId: id, UpdateMask: []string{"description", "img_link"}})
	require.NoError(t, err)
	s = get()
	require.Equal(t, "", s.Description)
	require.Equal(t, "", s.ImgLink)
	require.Equal(t, "New", s.Title)

	// Times move together and keep their index entry current.
	newStart := start.Add(2 * time.Hour)
	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{
		Broadcaster: alice, StreamId: id, UpdateMask: []string{"start_time", "end_time"},
		StartTime: timePtr(newStart), EndTime: timePtr(newStart.Add(30 * time.Minute)),
	})
	require.NoError(t, err)
	s = get()
	require.Equal(t, newStart, s.StartTime)
	require.Equal(t, newStart.Add(30*time.Minute), s.EndTime)
	list, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Status: types.STREAM_STATUS_UPCOMING})
	require.NoError(t, err)
	require.Len(t, list.Streams, 1)
	require.Equal(t, newStart, list.Streams[0].Stream.StartTime)

	// A live stream may have its end moved although its start is past.
	f.At(newStart.Add(time.Minute))
	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{
		Broadcaster: alice, StreamId: id, UpdateMask: []string{"end_time"}, EndTime: timePtr(newStart.Add(time.Hour)),
	})
	require.NoError(t, err)
	require.Equal(t, newStart.Add(time.Hour), get().EndTime)
}

func TestEditStreamRejects(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	id := newStream(t, f, alice, "t", time.Hour, time.Hour)
	now := testkeeper.GenesisTime
	p := types.DefaultParams()
	edit := func(m func(*types.MsgEditStream)) types.MsgEditStream {
		msg := types.MsgEditStream{Broadcaster: alice, StreamId: id, UpdateMask: []string{"title"}, Title: "x"}
		m(&msg)
		return msg
	}

	cases := []struct {
		name string
		msg  types.MsgEditStream
		want *errorsmodError
	}{
		{"bad address", edit(func(m *types.MsgEditStream) { m.Broadcaster = "" }), types.ErrInvalidAddress},
		{"not the owner", edit(func(m *types.MsgEditStream) { m.Broadcaster = bob }), types.ErrUnauthorized},
		{"unknown stream", edit(func(m *types.MsgEditStream) { m.StreamId = 999 }), types.ErrStreamNotFound},
		{"empty mask", edit(func(m *types.MsgEditStream) { m.UpdateMask = nil }), types.ErrInvalidUpdateMask},
		{"unknown field", edit(func(m *types.MsgEditStream) { m.UpdateMask = []string{"broadcaster"} }), types.ErrInvalidUpdateMask},
		{"field twice", edit(func(m *types.MsgEditStream) { m.UpdateMask = []string{"title", "title"} }), types.ErrInvalidUpdateMask},
		{"value outside the mask", edit(func(m *types.MsgEditStream) { m.Description = "lost" }), types.ErrInvalidUpdateMask},
		{"masked time without value", edit(func(m *types.MsgEditStream) { m.UpdateMask = []string{"start_time"}; m.Title = "" }), types.ErrInvalidUpdateMask},
		{"clearing the title", edit(func(m *types.MsgEditStream) { m.Title = "" }), types.ErrEmptyField},
		{"title too long", edit(func(m *types.MsgEditStream) { m.Title = repeat("t", int(p.MaxTitleLength)+1) }), types.ErrTextTooLong},
		{"bad link", edit(func(m *types.MsgEditStream) {
			m.UpdateMask, m.Title, m.ImgLink = []string{"img_link"}, "", "data:image/png;base64,AAAA"
		}), types.ErrInvalidLink},
		{"start into the past", edit(func(m *types.MsgEditStream) {
			m.UpdateMask, m.Title, m.StartTime = []string{"start_time"}, "", timePtr(now.Add(-time.Minute))
		}), types.ErrStartInPast},
		{"end before start", edit(func(m *types.MsgEditStream) {
			m.UpdateMask, m.Title, m.EndTime = []string{"end_time"}, "", timePtr(now.Add(30*time.Minute))
		}), types.ErrInvalidSchedule},
		{"too long", edit(func(m *types.MsgEditStream) {
			m.UpdateMask, m.Title, m.EndTime = []string{"end_time"}, "", timePtr(now.Add(time.Hour+p.MaxStreamDuration+time.Second))
		}), types.ErrStreamTooLong},
		{"too short", edit(func(m *types.MsgEditStream) {
			m.UpdateMask, m.Title, m.EndTime = []string{"end_time"}, "", timePtr(now.Add(time.Hour+time.Nanosecond))
		}), types.ErrStreamTooShort},
		{"too far ahead", edit(func(m *types.MsgEditStream) {
			start := now.Add(p.MaxScheduleAhead + time.Hour)
			m.UpdateMask, m.Title, m.StartTime, m.EndTime = []string{"start_time", "end_time"}, "", &start, timePtr(start.Add(time.Hour))
		}), types.ErrScheduledTooFar},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejected(t, f, tc.want, func() error {
				_, err := f.Msgs.EditStream(f.Ctx, &msg)
				return err
			})
		})
	}

	t.Run("ended stream", func(t *testing.T) {
		f.At(now.Add(2 * time.Hour))
		msg := edit(func(*types.MsgEditStream) {})
		requireRejected(t, f, types.ErrStreamEnded, func() error {
			_, err := f.Msgs.EditStream(f.Ctx, &msg)
			return err
		})
	})
}

func TestDeleteStream(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	keep := newStream(t, f, alice, "keep", time.Hour, time.Hour)
	gone := newStream(t, f, alice, "gone", 2*time.Hour, time.Hour)

	requireRejected(t, f, types.ErrUnauthorized, func() error {
		_, err := f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: bob, StreamId: gone})
		return err
	})
	requireRejected(t, f, types.ErrStreamNotFound, func() error {
		_, err := f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: alice, StreamId: 42})
		return err
	})
	requireRejected(t, f, types.ErrInvalidAddress, func() error {
		_, err := f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: "x", StreamId: gone})
		return err
	})

	f.ResetEvents()
	_, err := f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: alice, StreamId: gone})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventStreamDeleted{StreamId: gone, Broadcaster: alice})
	require.EqualValues(t, 1, profile(t, f, alice).StreamCount)

	// Gone from the primary map and from both indexes.
	_, err = f.Queries.Stream(f.Ctx, &types.QueryStreamRequest{StreamId: gone})
	requireGRPCCode(t, err, codesNotFound)
	byOwner, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.Equal(t, []uint64{keep}, streamIDs(byOwner.Streams))
	byStart, err := f.Queries.Streams(f.Ctx, &types.QueryStreamsRequest{})
	require.NoError(t, err)
	require.Equal(t, []uint64{keep}, streamIDs(byStart.Streams))
}

func TestSubscribeAndUnsubscribe(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")

	f.ResetEvents()
	_, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: bob, Broadcaster: alice})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventSubscribed{Subscriber: bob, Broadcaster: alice})
	require.EqualValues(t, 1, profile(t, f, alice).SubscriberCount)
	require.EqualValues(t, 0, profile(t, f, alice).SubscriptionCount)
	require.EqualValues(t, 1, profile(t, f, bob).SubscriptionCount)
	sub, err := f.Queries.Subscription(f.Ctx, &types.QuerySubscriptionRequest{Subscriber: bob, Broadcaster: alice})
	require.NoError(t, err)
	require.True(t, sub.Subscribed)
	require.Equal(t, testkeeper.GenesisTime, *sub.Since)

	f.ResetEvents()
	_, err = f.Msgs.Unsubscribe(f.Ctx, &types.MsgUnsubscribe{Subscriber: bob, Broadcaster: alice})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventUnsubscribed{Subscriber: bob, Broadcaster: alice})
	require.EqualValues(t, 0, profile(t, f, alice).SubscriberCount)
	require.EqualValues(t, 0, profile(t, f, bob).SubscriptionCount)
	sub, err = f.Queries.Subscription(f.Ctx, &types.QuerySubscriptionRequest{Subscriber: bob, Broadcaster: alice})
	require.NoError(t, err)
	require.False(t, sub.Subscribed)
	require.Nil(t, sub.Since)
	subs, err := f.Queries.Subscribers(f.Ctx, &types.QuerySubscribersRequest{Broadcaster: alice})
	require.NoError(t, err)
	require.Empty(t, subs.Subscriptions)
}

func TestSubscribeRejects(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob, nobody := f.Addr(t, "alice"), f.Addr(t, "bob"), f.Addr(t, "nobody")
	createProfile(t, f, alice, "Alice")
	createProfile(t, f, bob, "Bob")
	subscribe(t, f, bob, alice)

	cases := []struct {
		name string
		msg  types.MsgSubscribe
		want *errorsmodError
	}{
		{"bad subscriber", types.MsgSubscribe{Subscriber: "nope", Broadcaster: alice}, types.ErrInvalidAddress},
		{"bad broadcaster", types.MsgSubscribe{Subscriber: bob, Broadcaster: ""}, types.ErrInvalidAddress},
		{"self", types.MsgSubscribe{Subscriber: alice, Broadcaster: alice}, types.ErrSelfSubscription},
		{"subscriber without profile", types.MsgSubscribe{Subscriber: nobody, Broadcaster: alice}, types.ErrProfileNotFound},
		{"broadcaster without profile", types.MsgSubscribe{Subscriber: alice, Broadcaster: nobody}, types.ErrProfileNotFound},
		{"twice", types.MsgSubscribe{Subscriber: bob, Broadcaster: alice}, types.ErrAlreadySubscribed},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			msg := tc.msg
			requireRejected(t, f, tc.want, func() error {
				_, err := f.Msgs.Subscribe(f.Ctx, &msg)
				return err
			})
		})
	}

	t.Run("unsubscribe when not subscribed", func(t *testing.T) {
		requireRejected(t, f, types.ErrNotSubscribed, func() error {
			_, err := f.Msgs.Unsubscribe(f.Ctx, &types.MsgUnsubscribe{Subscriber: alice, Broadcaster: bob})
			return err
		})
	})
	t.Run("unsubscribe with bad address", func(t *testing.T) {
		requireRejected(t, f, types.ErrInvalidAddress, func() error {
			_, err := f.Msgs.Unsubscribe(f.Ctx, &types.MsgUnsubscribe{Subscriber: bob, Broadcaster: "stream1zzz"})
			return err
		})
	})
}

func TestUpdateParams(t *testing.T) {
	f := testkeeper.NewFixture(t)
	p := types.DefaultParams()
	p.MaxTitleLength = 10

	requireRejected(t, f, types.ErrInvalidAuthority, func() error {
		_, err := f.Msgs.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Addr(t, "alice"), Params: p})
		return err
	})
	bad := p
	bad.MaxStreamDuration = 0
	requireRejected(t, f, types.ErrInvalidParams, func() error {
		_, err := f.Msgs.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: bad})
		return err
	})

	f.ResetEvents()
	_, err := f.Msgs.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventParamsUpdated{Params: p})
	got, err := f.Queries.Params(f.Ctx, &types.QueryParamsRequest{})
	require.NoError(t, err)
	require.Equal(t, p, got.Params)

	// A consensus-params authority overrides the gov module account, as
	// sdk.ValidateAuthority has it.
	override := f.Addr(t, "override")
	withOverride := f.Ctx.WithConsensusParams(cmtproto.ConsensusParams{Authority: &cmtproto.AuthorityParams{Authority: override}})
	_, err = f.Msgs.UpdateParams(withOverride, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
	require.ErrorIs(t, err, types.ErrInvalidAuthority)
	_, err = f.Msgs.UpdateParams(withOverride, &types.MsgUpdateParams{Authority: strings.ToUpper(override), Params: p})
	require.NoError(t, err)

	// The new limit applies at once.
	alice := f.Addr(t, "alice")
	createProfile(t, f, alice, "Alice")
	requireRejected(t, f, types.ErrTextTooLong, func() error {
		start := testkeeper.GenesisTime.Add(time.Hour)
		_, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{Broadcaster: alice, Title: repeat("t", 11), StartTime: start, EndTime: start.Add(time.Hour)})
		return err
	})
}

// Bech32 also accepts an address spelled in upper case. State must keep the
// one canonical spelling, or string comparisons (ownership, genesis checks)
// would treat one account as two.
func TestAddressesAreStoredCanonically(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice, bob := f.Addr(t, "alice"), f.Addr(t, "bob")
	upper := strings.ToUpper

	_, err := f.Msgs.EditProfile(f.Ctx, &types.MsgEditProfile{Owner: upper(alice), Name: "Alice"})
	require.NoError(t, err)
	createProfile(t, f, bob, "Bob")
	require.Equal(t, alice, profile(t, f, alice).Address)

	start := testkeeper.GenesisTime.Add(time.Hour)
	res, err := f.Msgs.NewStream(f.Ctx, &types.MsgNewStream{Broadcaster: upper(alice), Title: "t", StartTime: start, EndTime: start.Add(time.Hour)})
	require.NoError(t, err)
	// The owner may spell the address either way.
	_, err = f.Msgs.EditStream(f.Ctx, &types.MsgEditStream{Broadcaster: alice, StreamId: res.StreamId, UpdateMask: []string{"title"}, Title: "u"})
	require.NoError(t, err)

	f.ResetEvents()
	_, err = f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: upper(bob), Broadcaster: upper(alice)})
	require.NoError(t, err)
	requireEvent(t, f, &types.EventSubscribed{Subscriber: bob, Broadcaster: alice})
	requireRejected(t, f, types.ErrAlreadySubscribed, func() error {
		_, err := f.Msgs.Subscribe(f.Ctx, &types.MsgSubscribe{Subscriber: bob, Broadcaster: alice})
		return err
	})

	gs, err := f.Keeper.ExportGenesis(f.Ctx)
	require.NoError(t, err)
	require.NoError(t, gs.Validate(f.AddressCode))
	require.Equal(t, alice, gs.Streams[0].Broadcaster)
	require.Equal(t, types.Subscription{Subscriber: bob, Broadcaster: alice, Since: testkeeper.GenesisTime}, gs.Subscriptions[0])
	_, err = f.Msgs.DeleteStream(f.Ctx, &types.MsgDeleteStream{Broadcaster: upper(alice), StreamId: res.StreamId})
	require.NoError(t, err)
}
