package types

import (
	"time"

	errorsmod "cosmossdk.io/errors"
)

// A stream's rules, written once: the keeper applies them to messages,
// genesis validation to imported streams and the simulation to the messages
// it predicts the keeper accepts.
//
// Params may be tightened by governance after a stream was scheduled. A
// stored value then stands: an edit checks against today's params only the
// fields it changes, and the schedule only when it moves a time.

// streamTextFields are a stream's user text fields and the rule each meets.
var streamTextFields = []textField[Stream]{
	{StreamFieldTitle, func(s Stream) string { return s.Title }, func(p Params, field, v string) error {
		return ValidateRequiredText(field, v, p.MaxTitleLength)
	}},
	{StreamFieldDescription, func(s Stream) string { return s.Description }, func(p Params, field, v string) error {
		return ValidateMultilineText(field, v, p.MaxDescriptionLength)
	}},
	{StreamFieldImgLink, func(s Stream) string { return s.ImgLink }, func(p Params, field, v string) error {
		return ValidateLink(field, v, p.MaxLinkLength)
	}},
}

// ValidateNew checks a stream about to be scheduled at block time now: every
// field and the schedule against params.
func (s Stream) ValidateNew(p Params, now time.Time) error {
	if err := validateTextFields(streamTextFields, p, nil, s); err != nil {
		return err
	}
	return s.validateSchedule(p, now, true)
}

// ValidateEdit checks s, the result of editing before at block time now.
// Only the text fields whose value changed are checked against params; the
// schedule is checked when the start or the end moved, and the start's own
// rules (not in the past, not too far ahead) only when the start moved, so
// that a live stream may have its end moved.
func (s Stream) ValidateEdit(p Params, now time.Time, before Stream) error {
	if err := validateTextFields(streamTextFields, p, &before, s); err != nil {
		return err
	}
	startMoved := !s.StartTime.Equal(before.StartTime)
	if !startMoved && s.EndTime.Equal(before.EndTime) {
		return nil
	}
	return s.validateSchedule(p, now, startMoved)
}

// validateSchedule checks a stream's times against params at block time
// now. When startMoved is false the start may already be in the past (a
// live stream whose end is being moved).
func (s Stream) validateSchedule(p Params, now time.Time, startMoved bool) error {
	start, end := s.StartTime, s.EndTime
	if err := validateOrder(start, end); err != nil {
		return err
	}
	if startMoved && start.Before(now) {
		return errorsmod.Wrapf(ErrStartInPast, "start %s, block time %s", start.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if !end.After(now) {
		return errorsmod.Wrapf(ErrStreamEnded, "end %s is not after block time %s", end.Format(time.RFC3339), now.Format(time.RFC3339))
	}
	if err := validateDuration(end.Sub(start), p.MinStreamDuration, p.MaxStreamDuration); err != nil {
		return err
	}
	if ahead := start.Sub(now); startMoved && ahead > p.MaxScheduleAhead {
		return errorsmod.Wrapf(ErrScheduledTooFar, "starts in %s, the maximum is %s", ahead, p.MaxScheduleAhead)
	}
	return nil
}

func validateOrder(start, end time.Time) error {
	if !end.After(start) {
		return errorsmod.Wrapf(ErrInvalidSchedule, "start %s, end %s", start.Format(time.RFC3339), end.Format(time.RFC3339))
	}
	return nil
}

func validateDuration(d, minimum, maximum time.Duration) error {
	if d < minimum {
		return errorsmod.Wrapf(ErrStreamTooShort, "%s, the minimum is %s", d, minimum)
	}
	if d > maximum {
		return errorsmod.Wrapf(ErrStreamTooLong, "%s, the maximum is %s", d, maximum)
	}
	return nil
}

// Validate checks what every stored stream holds whatever today's params:
// its text meets the text rules within the hard length ceiling, it ends
// after it starts, and it lasts at most MaxStreamDurationCeiling (which the
// "live" query relies on). Genesis validation calls it.
func (s Stream) Validate() error {
	if err := validateTextFields(streamTextFields, ceilingParams(), nil, s); err != nil {
		return err
	}
	if err := validateOrder(s.StartTime, s.EndTime); err != nil {
		return err
	}
	return validateDuration(s.EndTime.Sub(s.StartTime), 0, MaxStreamDurationCeiling)
}

// StatusAt derives a stream's status at a block time.
func (s Stream) StatusAt(now time.Time) StreamStatus {
	switch {
	case now.Before(s.StartTime):
		return STREAM_STATUS_UPCOMING
	case now.Before(s.EndTime):
		return STREAM_STATUS_LIVE
	default:
		return STREAM_STATUS_ENDED
	}
}
