package types

// A profile's rules, written once for the keeper and genesis validation.
// As with streams, a value stored under looser params stands until the
// owner changes it.

// profileTextFields are a profile's user text fields and the rule each meets.
var profileTextFields = []textField[Profile]{
	{"name", func(p Profile) string { return p.Name }, func(p Params, field, v string) error {
		return ValidateRequiredText(field, v, p.MaxNameLength)
	}},
	{"surname", func(p Profile) string { return p.Surname }, func(p Params, field, v string) error {
		return ValidateText(field, v, p.MaxSurnameLength)
	}},
	{"img_link", func(p Profile) string { return p.ImgLink }, func(p Params, field, v string) error {
		return ValidateLink(field, v, p.MaxLinkLength)
	}},
	{"time_zone", func(p Profile) string { return p.TimeZone }, func(p Params, field, v string) error {
		return ValidateText(field, v, p.MaxTimeZoneLength)
	}},
}

// Apply returns p with the fields MsgEditProfile sets replaced: a profile
// edit rewrites every user field, and a field left out is cleared.
func (m *MsgEditProfile) Apply(p Profile) Profile {
	p.Name, p.Surname, p.ImgLink, p.TimeZone = m.Name, m.Surname, m.ImgLink, m.TimeZone
	return p
}

// ValidateNew checks every field of a profile being created against params.
func (p Profile) ValidateNew(params Params) error {
	return validateTextFields(profileTextFields, params, nil, p)
}

// ValidateEdit checks against params only the fields of p that differ from
// before.
func (p Profile) ValidateEdit(params Params, before Profile) error {
	return validateTextFields(profileTextFields, params, &before, p)
}

// Validate checks what every stored profile holds whatever today's params:
// its text meets the text rules within the hard length ceiling. Genesis
// validation calls it.
func (p Profile) Validate() error {
	return validateTextFields(profileTextFields, ceilingParams(), nil, p)
}
