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

	// An ended stream stays a month: long enough for viewers and tools to
	// look it up afterwards, short enough that state follows the schedule
	// rather than the chain's age.
	DefaultEndedStreamRetention = 30 * 24 * time.Hour
	// 100 prunes cost a few milliseconds of end blocker (BENCHMARKS.md);
	// at one block a second that is 8.6 million streams a day.
	DefaultMaxPrunesPerBlock uint32 = 100
	// A broadcaster with a daily show can schedule three months ahead.
	DefaultMaxOpenStreamsPerBroadcaster uint32 = 100

	// Paid subscriptions run from an hour (a single event) to a year.
	DefaultMinSubscriptionPeriod = time.Hour
	DefaultMaxSubscriptionPeriod = 366 * 24 * time.Hour
	// 1,000,000 STREAM: a cap against a fat-fingered price, not a policy.
	DefaultMaxSubscriptionPrice uint64 = 1_000_000_000_000
	// The same bound as pruning: a few milliseconds of end blocker.
	DefaultMaxExpirationsPerBlock uint32 = 100
	DefaultMaxMemoLength          uint32 = 140
	DefaultMaxBlockReasonLength   uint32 = 140
)

// Hard ceilings no governance vote can exceed: they keep a single stored
// value small whatever the params say. MaxStreamDurationCeiling also bounds
// how far back the "live" streams query has to look in the start-time index.
const (
	maxTextLengthCeiling     uint32 = 16 * 1024
	MaxStreamDurationCeiling        = 7 * 24 * time.Hour
	maxScheduleAheadLimit           = 10 * 365 * 24 * time.Hour
	// MaxEndedStreamRetentionCeiling keeps ended streams from outliving
	// their purpose; the floor keeps a stream visible for a while after it
	// ended, so that a viewer who arrives late learns that it ended rather
	// than that it never existed.
	MaxEndedStreamRetentionCeiling = 10 * 365 * 24 * time.Hour
	MinEndedStreamRetention        = time.Minute
	// The end blocker's work per block stays bounded whatever the params say.
	maxPrunesPerBlockCeiling uint32 = 10_000
	// Each NewStream may walk up to this many of the broadcaster's streams
	// to bring its count up to date (keeper/open_streams.go).
	maxOpenStreamsCeiling uint32 = 10_000
	// Subscription periods: at least a minute, at most ten years.
	MinSubscriptionPeriodFloor          = time.Minute
	MaxSubscriptionPeriodCeiling        = 10 * 365 * 24 * time.Hour
	maxExpirationsCeiling        uint32 = 10_000
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

		EndedStreamRetention:         DefaultEndedStreamRetention,
		MaxPrunesPerBlock:            DefaultMaxPrunesPerBlock,
		MaxOpenStreamsPerBroadcaster: DefaultMaxOpenStreamsPerBroadcaster,

		MinSubscriptionPeriod:  DefaultMinSubscriptionPeriod,
		MaxSubscriptionPeriod:  DefaultMaxSubscriptionPeriod,
		MaxSubscriptionPrice:   DefaultMaxSubscriptionPrice,
		MaxExpirationsPerBlock: DefaultMaxExpirationsPerBlock,
		MaxMemoLength:          DefaultMaxMemoLength,
		MaxBlockReasonLength:   DefaultMaxBlockReasonLength,
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
		{"max_memo_length", p.MaxMemoLength},
		{"max_block_reason_length", p.MaxBlockReasonLength},
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
	if p.EndedStreamRetention < MinEndedStreamRetention || p.EndedStreamRetention > MaxEndedStreamRetentionCeiling {
		return errorsmod.Wrapf(ErrInvalidParams, "ended_stream_retention must be in [%s, %s], got %s", MinEndedStreamRetention, MaxEndedStreamRetentionCeiling, p.EndedStreamRetention)
	}
	if p.MaxPrunesPerBlock == 0 || p.MaxPrunesPerBlock > maxPrunesPerBlockCeiling {
		return errorsmod.Wrapf(ErrInvalidParams, "max_prunes_per_block must be in [1, %d], got %d", maxPrunesPerBlockCeiling, p.MaxPrunesPerBlock)
	}
	if p.MaxOpenStreamsPerBroadcaster == 0 || p.MaxOpenStreamsPerBroadcaster > maxOpenStreamsCeiling {
		return errorsmod.Wrapf(ErrInvalidParams, "max_open_streams_per_broadcaster must be in [1, %d], got %d", maxOpenStreamsCeiling, p.MaxOpenStreamsPerBroadcaster)
	}
	if p.MinSubscriptionPeriod < MinSubscriptionPeriodFloor || p.MinSubscriptionPeriod > p.MaxSubscriptionPeriod {
		return errorsmod.Wrapf(ErrInvalidParams, "min_subscription_period must be in [%s, max_subscription_period=%s], got %s", MinSubscriptionPeriodFloor, p.MaxSubscriptionPeriod, p.MinSubscriptionPeriod)
	}
	if p.MaxSubscriptionPeriod > MaxSubscriptionPeriodCeiling {
		return errorsmod.Wrapf(ErrInvalidParams, "max_subscription_period must be at most %s, got %s", MaxSubscriptionPeriodCeiling, p.MaxSubscriptionPeriod)
	}
	if p.MaxSubscriptionPrice == 0 {
		return errorsmod.Wrap(ErrInvalidParams, "max_subscription_price must be positive")
	}
	if p.MaxExpirationsPerBlock == 0 || p.MaxExpirationsPerBlock > maxExpirationsCeiling {
		return errorsmod.Wrapf(ErrInvalidParams, "max_expirations_per_block must be in [1, %d], got %d", maxExpirationsCeiling, p.MaxExpirationsPerBlock)
	}
	return nil
}
