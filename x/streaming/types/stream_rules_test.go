package types_test

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	errorsmod "cosmossdk.io/errors"

	"github.com/streamchain/streamchain/x/streaming/types"
)

var ruleNow = time.Date(2030, 1, 1, 12, 0, 0, 0, time.UTC)

func streamAt(startIn, length time.Duration) types.Stream {
	start := ruleNow.Add(startIn)
	return types.Stream{Title: "Live", StartTime: start, EndTime: start.Add(length)}
}

func TestStreamStatusAt(t *testing.T) {
	s := streamAt(time.Hour, time.Hour)
	require.Equal(t, types.STREAM_STATUS_UPCOMING, s.StatusAt(s.StartTime.Add(-time.Nanosecond)))
	require.Equal(t, types.STREAM_STATUS_LIVE, s.StatusAt(s.StartTime))
	require.Equal(t, types.STREAM_STATUS_LIVE, s.StatusAt(s.EndTime.Add(-time.Nanosecond)))
	require.Equal(t, types.STREAM_STATUS_ENDED, s.StatusAt(s.EndTime))
}

func TestNewStreamSchedule(t *testing.T) {
	p := types.DefaultParams()
	cases := []struct {
		name   string
		stream types.Stream
		want   *errorsmod.Error
	}{
		{"end before start", streamAt(time.Hour, -time.Second), types.ErrInvalidSchedule},
		{"end equals start", streamAt(time.Hour, 0), types.ErrInvalidSchedule},
		{"start in the past", streamAt(-time.Second, time.Hour), types.ErrStartInPast},
		{"one nanosecond", streamAt(time.Hour, time.Nanosecond), types.ErrStreamTooShort},
		{"just under the minimum", streamAt(time.Hour, p.MinStreamDuration-1), types.ErrStreamTooShort},
		{"just over the maximum", streamAt(time.Hour, p.MaxStreamDuration+1), types.ErrStreamTooLong},
		{"too far ahead", streamAt(p.MaxScheduleAhead+1, time.Hour), types.ErrScheduledTooFar},
		{"empty title", types.Stream{StartTime: ruleNow, EndTime: ruleNow.Add(time.Hour)}, types.ErrEmptyField},
		{"invisible title", types.Stream{Title: "\U0001d159", StartTime: ruleNow, EndTime: ruleNow.Add(time.Hour)}, types.ErrEmptyField},
		{"bad link", types.Stream{Title: "t", ImgLink: "https:///etc/passwd", StartTime: ruleNow, EndTime: ruleNow.Add(time.Hour)}, types.ErrInvalidLink},
		{"CR in description", types.Stream{Title: "t", Description: "a\r\nb", StartTime: ruleNow, EndTime: ruleNow.Add(time.Hour)}, types.ErrInvalidText},
	}
	for _, tc := range cases {
		require.ErrorIs(t, tc.stream.ValidateNew(p, ruleNow), tc.want, tc.name)
	}
	for _, ok := range []types.Stream{
		streamAt(0, p.MinStreamDuration), streamAt(0, p.MaxStreamDuration), streamAt(p.MaxScheduleAhead, time.Hour),
	} {
		require.NoError(t, ok.ValidateNew(p, ruleNow))
	}
}

// After governance tightens the params, an edit checks only what it
// changes; moving a time checks the schedule against today's params.
func TestStreamEditChecksOnlyWhatChanges(t *testing.T) {
	tight := types.DefaultParams()
	tight.MaxTitleLength, tight.MaxStreamDuration, tight.MinStreamDuration = 10, time.Hour, 30*time.Minute
	stored := streamAt(time.Hour, 24*time.Hour)
	stored.Title = strings.Repeat("t", 140)
	stored.Description = "old"

	edited := func(m types.MsgEditStream) types.Stream {
		require.NoError(t, m.ValidateMask())
		return m.Apply(stored)
	}
	require.NoError(t, edited(types.MsgEditStream{UpdateMask: []string{"description"}, Description: "new"}).ValidateEdit(tight, ruleNow, stored))
	require.NoError(t, edited(types.MsgEditStream{UpdateMask: []string{"img_link"}, ImgLink: "https://example.com/a.png"}).ValidateEdit(tight, ruleNow, stored))
	require.NoError(t, edited(types.MsgEditStream{UpdateMask: []string{"title"}, Title: stored.Title}).ValidateEdit(tight, ruleNow, stored))
	require.NoError(t, edited(types.MsgEditStream{UpdateMask: []string{"title"}, Title: "short"}).ValidateEdit(tight, ruleNow, stored))

	require.ErrorIs(t, edited(types.MsgEditStream{UpdateMask: []string{"title"}, Title: "eleven byte"}).ValidateEdit(tight, ruleNow, stored), types.ErrTextTooLong)
	end := stored.EndTime.Add(-time.Minute)
	require.ErrorIs(t, edited(types.MsgEditStream{UpdateMask: []string{"end_time"}, EndTime: &end}).ValidateEdit(tight, ruleNow, stored), types.ErrStreamTooLong)
	end = stored.StartTime.Add(time.Minute)
	require.ErrorIs(t, edited(types.MsgEditStream{UpdateMask: []string{"end_time"}, EndTime: &end}).ValidateEdit(tight, ruleNow, stored), types.ErrStreamTooShort)
	end = stored.StartTime.Add(time.Hour)
	require.NoError(t, edited(types.MsgEditStream{UpdateMask: []string{"end_time"}, EndTime: &end}).ValidateEdit(tight, ruleNow, stored))

	// A live stream keeps its past start while its end moves; a moved
	// start may not go into the past.
	live := streamAt(-time.Hour, 2*time.Hour)
	end = ruleNow.Add(3 * time.Hour)
	require.NoError(t, (&types.MsgEditStream{UpdateMask: []string{"end_time"}, EndTime: &end}).Apply(live).ValidateEdit(types.DefaultParams(), ruleNow, live))
	start := ruleNow.Add(-time.Minute)
	require.ErrorIs(t, (&types.MsgEditStream{UpdateMask: []string{"start_time"}, StartTime: &start}).Apply(live).ValidateEdit(types.DefaultParams(), ruleNow, live), types.ErrStartInPast)
}

func TestUpdateMask(t *testing.T) {
	require.Equal(t, []string{"title", "description", "img_link", "start_time", "end_time"}, types.EditableStreamFields())
	at := ruleNow
	cases := map[string]types.MsgEditStream{
		"empty mask":                 {Title: "x"},
		"unknown field":              {UpdateMask: []string{"broadcaster"}},
		"field twice":                {UpdateMask: []string{"title", "title"}, Title: "x"},
		"value outside the mask":     {UpdateMask: []string{"title"}, Title: "x", Description: "lost"},
		"time outside the mask":      {UpdateMask: []string{"title"}, Title: "x", EndTime: &at},
		"start named without value":  {UpdateMask: []string{"start_time"}},
		"end named without value":    {UpdateMask: []string{"end_time"}},
		"mask spelled in camel case": {UpdateMask: []string{"imgLink"}, ImgLink: "https://example.com/a.png"},
	}
	for name, m := range cases {
		require.ErrorIs(t, m.ValidateMask(), types.ErrInvalidUpdateMask, name)
	}

	// Only the named fields change; a named text field without a value is
	// cleared; times are stored in UTC.
	s := types.Stream{Id: 7, Broadcaster: "b", Title: "Old", Description: "Keep", ImgLink: "https://example.com/old.png", StartTime: ruleNow, EndTime: ruleNow.Add(time.Hour)}
	berlin := time.FixedZone("CET", 3600)
	end := ruleNow.Add(2 * time.Hour).In(berlin)
	m := types.MsgEditStream{UpdateMask: []string{"end_time", "img_link", "title"}, Title: "New", EndTime: &end}
	require.NoError(t, m.ValidateMask())
	got := m.Apply(s)
	want := s
	want.Title, want.ImgLink, want.EndTime = "New", "", ruleNow.Add(2*time.Hour)
	require.Equal(t, want, got)
	require.Equal(t, time.UTC, got.EndTime.Location())
}

// Stream.Validate holds for every stored stream whatever today's params:
// genesis calls it.
func TestStoredStreamInvariants(t *testing.T) {
	long := streamAt(-time.Hour, types.MaxStreamDurationCeiling)
	long.Title = strings.Repeat("t", 140)
	require.NoError(t, long.Validate(), "values above today's defaults stand")
	short := streamAt(0, time.Nanosecond)
	require.NoError(t, short.Validate(), "a stream stored before the minimum existed stands")

	require.ErrorIs(t, streamAt(0, 0).Validate(), types.ErrInvalidSchedule)
	require.ErrorIs(t, streamAt(0, types.MaxStreamDurationCeiling+1).Validate(), types.ErrStreamTooLong)
	blank := streamAt(0, time.Hour)
	blank.Title = "\u200b"
	require.ErrorIs(t, blank.Validate(), types.ErrEmptyField)
	badLink := streamAt(0, time.Hour)
	badLink.ImgLink = "javascript:alert(1)"
	require.ErrorIs(t, badLink.Validate(), types.ErrInvalidLink)
}

func TestProfileEditChecksOnlyWhatChanges(t *testing.T) {
	tight := types.DefaultParams()
	tight.MaxNameLength = 10
	stored := types.Profile{Address: "a", Name: strings.Repeat("n", 60), TimeZone: "Europe/Berlin"}

	kept := (&types.MsgEditProfile{Name: stored.Name, TimeZone: "UTC"}).Apply(stored)
	require.Equal(t, "UTC", kept.TimeZone)
	require.Equal(t, "a", kept.Address)
	require.NoError(t, kept.ValidateEdit(tight, stored))
	require.ErrorIs(t, kept.ValidateNew(tight), types.ErrTextTooLong, "a new profile meets every limit")

	renamed := (&types.MsgEditProfile{Name: "eleven byte"}).Apply(stored)
	require.ErrorIs(t, renamed.ValidateEdit(tight, stored), types.ErrTextTooLong)
	blank := (&types.MsgEditProfile{Name: "\ue000"}).Apply(stored)
	require.ErrorIs(t, blank.ValidateEdit(tight, stored), types.ErrEmptyField)
	link := (&types.MsgEditProfile{Name: stored.Name, ImgLink: "https://https://"}).Apply(stored)
	require.ErrorIs(t, link.ValidateEdit(tight, stored), types.ErrInvalidLink)

	require.NoError(t, stored.Validate())
	stored.Name = "\U000f0000"
	require.ErrorIs(t, stored.Validate(), types.ErrEmptyField)
}
