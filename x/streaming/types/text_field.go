package types

// textField is one user text field of a T (a profile, a stream) and the rule
// its value meets under given params.
type textField[T any] struct {
	name  string
	value func(T) string
	check func(p Params, field, value string) error
}

// validateTextFields checks the fields of after against params: every field
// when before is nil (a new value), otherwise only the fields whose value
// differs from before's, so that a value stored under looser params stands
// until it is changed.
func validateTextFields[T any](fields []textField[T], p Params, before *T, after T) error {
	for _, f := range fields {
		v := f.value(after)
		if before != nil && f.value(*before) == v {
			continue
		}
		if err := f.check(p, f.name, v); err != nil {
			return err
		}
	}
	return nil
}

// ceilingParams are the loosest text limits any params may set: what a value
// stored under some past params still meets.
func ceilingParams() Params {
	return Params{
		MaxNameLength:        maxTextLengthCeiling,
		MaxSurnameLength:     maxTextLengthCeiling,
		MaxTitleLength:       maxTextLengthCeiling,
		MaxDescriptionLength: maxTextLengthCeiling,
		MaxLinkLength:        maxTextLengthCeiling,
		MaxTimeZoneLength:    maxTextLengthCeiling,
		MaxMemoLength:        maxTextLengthCeiling,
		MaxBlockReasonLength: maxTextLengthCeiling,
	}
}
