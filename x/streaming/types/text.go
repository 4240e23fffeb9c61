package types

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
)

// The module's rules for user text, in one place. A rune is one of:
//
//   - refused everywhere: a control character (C0, C1, U+2028, U+2029),
//     except newline and tab in multi-line text (a stream's description),
//     since Go's amino JSON escapes U+2028/U+2029 and CosmJS-based wallets
//     do not, so a message holding them could never be signed in
//     amino-JSON mode (Ledger, Keplr); a noncharacter (U+FDD0–U+FDEF and
//     the last two code points of every plane, U+FFFE, U+FFFF, ...), which
//     Unicode reserves for a program's own use and never for interchange;
//     and a code point Unicode has not assigned (U+0378), whose meaning and
//     rendering a later Unicode version decides. Invalid UTF-8 is refused
//     too, and with it the surrogates U+D800–U+DFFF, which valid UTF-8
//     cannot encode;
//   - a bidirectional embedding, override or isolate (U+202A–U+202E,
//     U+2066–U+2069): refused in single-line text (names, titles, links,
//     time zones), where it can make one name or title look like another
//     ("Trojan Source"); a description may hold right-to-left passages;
//   - blank: Unicode White_Space, a format character (category Cf: U+200B,
//     U+FEFF, U+200D, tag characters, ...), another default-ignorable code
//     point (Hangul fillers, variation selectors, U+034F), a combining mark
//     (category M), a private-use character (category Co: what it shows
//     depends on the reader's fonts), or a graphic character that draws
//     nothing (blankGraphics). Blank runes are allowed, so that emoji with
//     ZWJ, variation selectors or tags and letters with combining marks
//     keep working, but they do not count towards "not empty", and a link
//     holds none;
//   - visible: every other assigned letter, number, punctuation or symbol.
//
// Which code points are assigned, and their categories, come from the
// Unicode tables of the Go release the chain is built with (unicode.Version).
// A release with newer tables accepts text an older one refused: every node
// must be built with the same tables, and changing them is a chain upgrade
// (TestUnicodeTablesArePinned fails when they change).

// ValidateText checks a user-supplied single-line string: at most maxLen
// bytes of valid UTF-8, without control, bidirectional control, unassigned
// or noncharacter code points.
func ValidateText(field, s string, maxLen uint32) error {
	return validateText(field, s, maxLen, false)
}

// ValidateMultilineText is ValidateText for text typed into a textarea (a
// stream's description): newlines, tabs and bidirectional controls are
// allowed as well. Go's amino JSON and JavaScript's JSON.stringify both
// write newline and tab as \n and \t, so amino-JSON signatures verify;
// every other control character stays refused (\r included: a browser's
// textarea value holds bare \n).
func ValidateMultilineText(field, s string, maxLen uint32) error {
	return validateText(field, s, maxLen, true)
}

// ValidateRequiredText is ValidateText for a field that must hold at least
// one visible character.
func ValidateRequiredText(field, s string, maxLen uint32) error {
	if err := ValidateText(field, s, maxLen); err != nil {
		return err
	}
	if !strings.ContainsFunc(s, isVisible) {
		return errorsmod.Wrapf(ErrEmptyField, "%s must hold at least one visible letter, digit, punctuation mark or symbol; "+
			"spaces, invisible and private-use characters and combining marks alone do not count", field)
	}
	return nil
}

func validateText(field, s string, maxLen uint32, multiline bool) error {
	if uint64(len(s)) > uint64(maxLen) {
		return errorsmod.Wrapf(ErrTextTooLong, "%s is %d bytes, the maximum is %d", field, len(s), maxLen)
	}
	if !utf8.ValidString(s) {
		return errorsmod.Wrapf(ErrInvalidText, "%s is not valid UTF-8", field)
	}
	for _, r := range s {
		switch {
		case multiline && (r == '\n' || r == '\t'):
		case unicode.IsControl(r) || r == '\u2028' || r == '\u2029':
			return errorsmod.Wrapf(ErrInvalidText, "%s holds the control character %U", field, r)
		case !multiline && isBidiControl(r):
			return errorsmod.Wrapf(ErrInvalidText, "%s holds the bidirectional control %U, which can make it look like another text", field, r)
		case isNoncharacter(r):
			return errorsmod.Wrapf(ErrInvalidText, "%s holds the noncharacter %U, which is not for use in text", field, r)
		case !isAssigned(r):
			return errorsmod.Wrapf(ErrInvalidText, "%s holds the code point %U, which Unicode %s does not assign", field, r, unicode.Version)
		}
	}
	return nil
}

func isBidiControl(r rune) bool {
	return ('\u202A' <= r && r <= '\u202E') || ('\u2066' <= r && r <= '\u2069')
}

// isNoncharacter reports whether r is one of Unicode's 66 noncharacters.
func isNoncharacter(r rune) bool {
	return ('\uFDD0' <= r && r <= '\uFDEF') || r&0xFFFE == 0xFFFE
}

// isAssigned reports whether r has a general category other than Cn
// (unassigned): the union of every other category is all assigned code
// points, private-use and surrogates included. Go's unicode.C also holds
// Cn, so its four assigned parts are named one by one.
func isAssigned(r rune) bool {
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z,
		unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs)
}

// blankGraphics are the letters and symbols whose glyph is empty. No Unicode
// property marks them; they were found by name (BLANK, FILLER, NULL, SPACE)
// among the graphic characters that are not default-ignorable.
var blankGraphics = []rune{
	'\u2800',     // BRAILLE PATTERN BLANK
	'\u303F',     // IDEOGRAPHIC HALF FILL SPACE
	'\U00013441', // EGYPTIAN HIEROGLYPH FULL BLANK
	'\U00013442', // EGYPTIAN HIEROGLYPH HALF BLANK
	'\U0001D159', // MUSICAL SYMBOL NULL NOTEHEAD
}

// isVisible reports whether r puts something on the screen by itself: an
// assigned letter, number, punctuation mark or symbol (which excludes
// spaces, controls, format, private-use, unassigned and combining code
// points) that is neither default-ignorable (Hangul fillers) nor a blank
// glyph.
func isVisible(r rune) bool {
	return unicode.In(r, unicode.L, unicode.N, unicode.P, unicode.S) &&
		!unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r) &&
		!slices.Contains(blankGraphics, r)
}
