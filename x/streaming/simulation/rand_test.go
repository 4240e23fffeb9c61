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
		MinStreamDuration: time.Nanosecond, MaxStreamDuration: time.Nanosecond, MaxScheduleAhead: time.Nanosecond,
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
		require.NoError(t, types.Stream{Title: "t", StartTime: start, EndTime: end}.ValidateNew(p, now))
	}
}
