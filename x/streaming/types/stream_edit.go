package types

import (
	errorsmod "cosmossdk.io/errors"
)

// Names of a stream's editable fields, as MsgEditStream.update_mask spells
// them.
const (
	StreamFieldTitle       = "title"
	StreamFieldDescription = "description"
	StreamFieldImgLink     = "img_link"
	StreamFieldStartTime   = "start_time"
	StreamFieldEndTime     = "end_time"
)

// streamEdit is one editable field of a stream: whether a MsgEditStream
// carries a value for it, and how that value is written into a stream.
// A required field cannot be cleared: naming it in the mask needs a value.
type streamEdit struct {
	field    string
	given    func(*MsgEditStream) bool
	apply    func(*MsgEditStream, *Stream)
	required bool
}

var streamEdits = []streamEdit{
	{field: StreamFieldTitle,
		given: func(m *MsgEditStream) bool { return m.Title != "" },
		apply: func(m *MsgEditStream, s *Stream) { s.Title = m.Title }},
	{field: StreamFieldDescription,
		given: func(m *MsgEditStream) bool { return m.Description != "" },
		apply: func(m *MsgEditStream, s *Stream) { s.Description = m.Description }},
	{field: StreamFieldImgLink,
		given: func(m *MsgEditStream) bool { return m.ImgLink != "" },
		apply: func(m *MsgEditStream, s *Stream) { s.ImgLink = m.ImgLink }},
	{field: StreamFieldStartTime, required: true,
		given: func(m *MsgEditStream) bool { return m.StartTime != nil },
		apply: func(m *MsgEditStream, s *Stream) { s.StartTime = m.StartTime.UTC() }},
	{field: StreamFieldEndTime, required: true,
		given: func(m *MsgEditStream) bool { return m.EndTime != nil },
		apply: func(m *MsgEditStream, s *Stream) { s.EndTime = m.EndTime.UTC() }},
}

// EditableStreamFields returns the names update_mask accepts, in message
// order.
func EditableStreamFields() []string {
	names := make([]string, len(streamEdits))
	for i, e := range streamEdits {
		names[i] = e.field
	}
	return names
}

// ValidateMask requires a non-empty update mask of known, distinct field
// names, a value for each named time, and refuses a value given for a field
// the mask leaves out: such a value would be silently dropped, which is
// never what the sender meant.
func (m *MsgEditStream) ValidateMask() error {
	if len(m.UpdateMask) == 0 {
		return errorsmod.Wrapf(ErrInvalidUpdateMask, "name at least one of %v", EditableStreamFields())
	}
	named := make(map[string]bool, len(m.UpdateMask))
	for _, field := range m.UpdateMask {
		if _, ok := streamEditOf(field); !ok {
			return errorsmod.Wrapf(ErrInvalidUpdateMask, "unknown field %q; editable fields are %v", field, EditableStreamFields())
		}
		if named[field] {
			return errorsmod.Wrapf(ErrInvalidUpdateMask, "field %q named twice", field)
		}
		named[field] = true
	}
	for _, e := range streamEdits {
		switch given := e.given(m); {
		case given && !named[e.field]:
			return errorsmod.Wrapf(ErrInvalidUpdateMask, "%s is set but not named in update_mask", e.field)
		case e.required && named[e.field] && !given:
			return errorsmod.Wrapf(ErrInvalidUpdateMask, "%s is named in update_mask but not set", e.field)
		}
	}
	return nil
}

// Apply returns s with the fields named in the update mask set to the
// message's values; naming a text field without a value clears it. The
// mask must have passed ValidateMask.
func (m *MsgEditStream) Apply(s Stream) Stream {
	for _, field := range m.UpdateMask {
		if e, ok := streamEditOf(field); ok {
			e.apply(m, &s)
		}
	}
	return s
}

func streamEditOf(field string) (streamEdit, bool) {
	for _, e := range streamEdits {
		if e.field == field {
			return e, true
		}
	}
	return streamEdit{}, false
}
