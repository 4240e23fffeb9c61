package keeper_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	testkeeper "github.com/streamchain/streamchain/testutil/keeper"
	"github.com/streamchain/streamchain/x/streaming/types"
)

// Governance may lower a limit after values were stored under the old one.
// The stored values stand: an edit checks against today's params only what
// it changes, and the schedule only when it moves a time.
func TestLoweredLimitsLeaveStoredValuesStanding(t *testing.T) {
	f := testkeeper.NewFixture(t)
	alice := f.Addr(t, "alice")
	now := testkeeper.GenesisTime
	setParams := func(p types.Params) {
		t.Helper()
		_, err := f.Msgs.UpdateParams(f.Ctx, &types.MsgUpdateParams{Authority: f.Authority, Params: p})
		require.NoError(t, err)
	}
	get := func(id uint64) types.Stream {
		t.Helper()
		s, err := f.Keeper.Streams.Get(f.Ctx, id)
		require.NoError(t, err)
		return s
	}
	edit := func(msg types.MsgEditStream) error {
		msg.Broadcaster = alice
		_, err := f.Msgs.EditStream(f.Ctx, &msg)
		return err
	}

	// Stored under loose params: a 60-byte name, a 24-hour stream with a
	// 140-byte title, and a 7-day stream.
	loose := types.DefaultParams()
	loose.MaxStreamDuration = types.MaxStreamDurationCeiling
	setParams(loose)
	longName := repeat("n", 60)
	_, err := f.Msgs.EditProfile(f.Ctx, &types.MsgEditProfile{Owner: alice, Name: longName, TimeZone: "Europe/Berlin"})
	require.NoError(t, err)
	longTitle := repeat("t", 140)
	day := newStream(t, f, alice, longTitle, time.Hour, 24*time.Hour)
	week := newStream(t, f, alice, "week", time.Hour, 7*24*time.Hour)

	tight := types.DefaultParams()
	tight.MaxStreamDuration = time.Hour
	tight.MaxTitleLength = 10
	tight.MaxNameLength = 10
	setParams(tight)

	t.Run("140-byte title: edit the description", func(t *testing.T) {
		require.NoError(t, edit(types.MsgEditStream{StreamId: day, UpdateMask: []string{"description"}, Description: "New words"}))
		s := get(day)
		require.Equal(t, longTitle, s.Title)
		require.Equal(t, "New words", s.Description)
		// Naming the title with its stored value changes nothing either.
		require.NoError(t, edit(types.MsgEditStream{StreamId: day, UpdateMask: []string{"title", "img_link"}, Title: longTitle, ImgLink: "https://example.com/a.png"}))
	})
	t.Run("24-hour stream: edit its title", func(t *testing.T) {
		require.NoError(t, edit(types.MsgEditStream{StreamId: day, UpdateMask: []string{"title"}, Title: "Renamed"}))
		require.Equal(t, "Renamed", get(day).Title)
	})
	t.Run("7-day stream: change its picture", func(t *testing.T) {
		require.NoError(t, edit(types.MsgEditStream{StreamId: week, UpdateMask: []string{"img_link"}, ImgLink: "https://example.com/cover.png"}))
		require.Equal(t, "https://example.com/cover.png", get(week).ImgLink)
	})
	t.Run("profile: edit the time zone, keep the long name", func(t *testing.T) {
		_, err := f.Msgs.EditProfile(f.Ctx, &types.MsgEditProfile{Owner: alice, Name: longName, TimeZone: "UTC"})
		require.NoError(t, err)
		require.Equal(t, longName, profile(t, f, alice).Name)
	})

	// What an edit changes meets today's params.
	t.Run("a new title is checked", func(t *testing.T) {
		msg := types.MsgEditStream{StreamId: day, UpdateMask: []string{"title"}, Title: repeat("x", 11)}
		requireRejected(t, f, types.ErrTextTooLong, func() error { return edit(msg) })
	})
	t.Run("a new name is checked", func(t *testing.T) {
		requireRejected(t, f, types.ErrTextTooLong, func() error {
			_, err := f.Msgs.EditProfile(f.Ctx, &types.MsgEditProfile{Owner: alice, Name: repeat("m", 11)})
			return err
		})
	})
	t.Run("a moved end checks the schedule", func(t *testing.T) {
		end := get(day).EndTime.Add(-time.Minute)
		msg := types.MsgEditStream{StreamId: day, UpdateMask: []string{"end_time"}, EndTime: &end}
		requireRejected(t, f, types.ErrStreamTooLong, func() error { return edit(msg) })
	})
	t.Run("a moved start checks the schedule", func(t *testing.T) {
		start := get(week).StartTime.Add(time.Minute)
		msg := types.MsgEditStream{StreamId: week, UpdateMask: []string{"start_time"}, StartTime: &start}
		requireRejected(t, f, types.ErrStreamTooLong, func() error { return edit(msg) })
	})
	t.Run("a moved schedule that fits today's params", func(t *testing.T) {
		start := now.Add(2 * time.Hour)
		require.NoError(t, edit(types.MsgEditStream{
			StreamId: day, UpdateMask: []string{"start_time", "end_time"},
			StartTime: &start, EndTime: timePtr(start.Add(time.Hour)),
		}))
	})
}
