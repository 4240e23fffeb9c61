package types

import (
	"time"

	errorsmod "cosmossdk.io/errors"
)

// Default params: generous for people, small enough that no single value can
// bloat state.
const (
	DefaultMaxNameLength        uint32 = 64
	DefaultMaxSurnameLength     uint32 = 64
	DefaultMaxTitleLength       uint32 = 140
	DefaultMaxDescriptionLength uint32 = 2000
	DefaultMaxLinkLength        uint32 = 512
	DefaultMaxTimeZoneLength    uint32 = 64

	DefaultMaxStreamDuration = 24 * time.Hour
	DefaultMinStreamDuration = time.Minute
	DefaultMaxScheduleAhead  = 365 * 24 * time.Hour
)

// Hard ceilings no governance vote can exceed: they keep a single stored
// value small whatever the params say. MaxStreamDurationCeiling also bounds
// how far back the "live" streams query has to look in the start-time index.
const (
	maxTextLengthCeiling     uint32 = 16 * 1024
	MaxStreamDurationCeiling        = 7 * 24 * time.Hour
	maxScheduleAheadLimit           = 10 * 365 * 24 * time.Hour
)

// DefaultParams returns the module's default params.
func DefaultParams() Params {
	return Params{
		MaxNameLength:        DefaultMaxNameLength,
		MaxSurnameLength:     DefaultMaxSurnameLength,
		MaxTitleLength:       DefaultMaxTitleLength,
		MaxDescriptionLength: DefaultMaxDescriptionLength,
		MaxLinkLength:        DefaultMaxLinkLength,
		MaxTimeZoneLength:    DefaultMaxTimeZoneLength,
		MaxStreamDuration:    DefaultMaxStreamDuration,
		MaxScheduleAhead:     DefaultMaxScheduleAhead,
		MinStreamDuration:    DefaultMinStreamDuration,
	}
}

// Validate checks that every limit is positive and below its ceiling, and
// that the shortest allowed stream is no longer than the longest.
func (p Params) Validate() error {
	lengths := []struct {
		name  string
		value uint32
	}{
		{"max_name_length", p.MaxNameLength},
		{"max_surname_length", p.MaxSurnameLength},
		{"max_title_length", p.MaxTitleLength},
		{"max_description_length", p.MaxDescriptionLength},
		{"max_link_length", p.MaxLinkLength},
		{"max_time_zone_length", p.MaxTimeZoneLength},
	}
	for _, l := range lengths {
		if l.value == 0 || l.value > maxTextLengthCeiling {
			return errorsmod.Wrapf(ErrInvalidParams, "%s must be in [1, %d], got %d", l.name, maxTextLengthCeiling, l.value)
		}
	}
	if p.MaxStreamDuration <= 0 || p.MaxStreamDuration > MaxStreamDurationCeiling {
		return errorsmod.Wrapf(ErrInvalidParams, "max_stream_duration must be in (0, %s], got %s", MaxStreamDurationCeiling, p.MaxStreamDuration)
	}
	if p.MinStreamDuration <= 0 || p.MinStreamDuration > p.MaxStreamDuration {
		return errorsmod.Wrapf(ErrInvalidParams, "min_stream_duration must be in (0, max_stream_duration=%s], got %s", p.MaxStreamDuration, p.MinStreamDuration)
	}
	if p.MaxScheduleAhead <= 0 || p.MaxScheduleAhead > maxScheduleAheadLimit {
		return errorsmod.Wrapf(ErrInvalidParams, "max_schedule_ahead must be in (0, %s], got %s", maxScheduleAheadLimit, p.MaxScheduleAhead)
	}
	return nil
}
