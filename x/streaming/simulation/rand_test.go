package simulation

import (
	"math/rand"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/x/streaming/types"
)

// The generators must only produce values the keeper accepts, under any
// valid params, including the tightest.
func TestGeneratorsStayWithinParams(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	now := time.Unix(1_800_000_000, 0).UTC()
	tight := types.Params{
		MaxNameLength: 1, MaxSurnameLength: 1, MaxTitleLength: 1, MaxDescriptionLength: 1,
		MaxLinkLength: 8, MaxTimeZoneLength: 1,
		MaxStreamDuration: time.Nanosecond, MaxScheduleAhead: time.Nanosecond,
	}
	for i := range 5000 {
		p := RandomParams(r)
		if i%10 == 0 {
			p = tight
		}
		require.NoError(t, types.ValidateRequiredText("name", randRequiredText(r, p.MaxNameLength), p.MaxNameLength))
		require.NoError(t, types.ValidateText("surname", randOptionalText(r, p.MaxSurnameLength), p.MaxSurnameLength))
		require.NoError(t, types.ValidateLink("img_link", randLink(r, p.MaxLinkLength), p.MaxLinkLength))
		require.NoError(t, types.ValidateText("time_zone", randTimeZone(r, p.MaxTimeZoneLength), p.MaxTimeZoneLength))

		start, end := randSchedule(r, p, now)
		require.False(t, start.Before(now))
		require.True(t, end.After(start))
		require.LessOrEqual(t, end.Sub(start), p.MaxStreamDuration)
		require.LessOrEqual(t, start.Sub(now), p.MaxScheduleAhead)
	}
}

func TestCheckEditedStreamMirrorsKeeperRules(t *testing.T) {
	now := time.Unix(1_800_000_000, 0).UTC()
	p := types.DefaultParams()
	live := types.Stream{Title: "t", StartTime: now.Add(-time.Hour), EndTime: now.Add(time.Hour)}

	// A live stream may keep its past start while its end moves.
	moved := live
	moved.EndTime = now.Add(2 * time.Hour)
	require.NoError(t, checkEditedStream(p, now, live, moved))

	// A changed start may not be in the past.
	restarted := live
	restarted.StartTime = now.Add(-time.Minute)
	require.Error(t, checkEditedStream(p, now, live, restarted))

	// Params that shrank after scheduling make an untouched stream invalid.
	p.MaxStreamDuration = time.Minute
	renamed := live
	renamed.Title = "u"
	require.Error(t, checkEditedStream(p, now, live, renamed))
}
