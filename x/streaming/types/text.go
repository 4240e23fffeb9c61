package types

import (
	"strings"
	"unicode"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
)

// The module's rules for user text, in one place. A rune is one of:
//
//   - a control character (C0, C1, U+2028, U+2029): refused everywhere,
//     except newline and tab in multi-line text (a stream's description).
//     Go's amino JSON escapes U+2028/U+2029 and CosmJS-based wallets do
//     not, so a message holding them could never be signed in amino-JSON
//     mode (Ledger, Keplr);
//   - a bidirectional embedding, override or isolate (U+202A–U+202E,
//     U+2066–U+2069): refused in single-line text (names, titles, links,
//     time zones), where it can make one name or title look like another
//     ("Trojan Source"); a description may hold right-to-left passages;
//   - blank: Unicode White_Space, a format character (category Cf: U+200B,
//     U+FEFF, U+200D, ...), another default-ignorable code point (Hangul
//     fillers, variation selectors, U+034F), a lone combining mark, or
//     U+2800 (braille blank). Blank runes are allowed, so that emoji with
//     ZWJ or variation selectors and letters with combining marks keep
//     working, but they do not count towards "not empty", and a link holds
//     none after its scheme;
//   - visible: everything else.

// ValidateText checks a user-supplied single-line string: at most maxLen
// bytes of valid UTF-8, without control or bidirectional control
// characters.
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
		return errorsmod.Wrapf(ErrEmptyField, "%s must not be empty or invisible", field)
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
		}
	}
	return nil
}

func isBidiControl(r rune) bool {
	return ('\u202A' <= r && r <= '\u202E') || ('\u2066' <= r && r <= '\u2069')
}

// isVisible reports whether r puts something on the screen by itself.
func isVisible(r rune) bool {
	return !unicode.In(r, unicode.White_Space, unicode.Cc, unicode.Cf, unicode.M,
		unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector) && r != '\u2800'
}

// linkSchemes are the schemes an image link may use: a browser can show
// both without mixed-content warnings, unlike http://, and neither can run
// script, unlike javascript: or data:.
var linkSchemes = []string{"https://", "ipfs://"}

// ValidateLink checks an optional link: empty, or an https:// or ipfs://
// URL whose target (after the scheme) is visible characters only: no
// spaces of any kind and no invisible characters.
func ValidateLink(field, s string, maxLen uint32) error {
	if err := ValidateText(field, s, maxLen); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	for _, scheme := range linkSchemes {
		rest, ok := strings.CutPrefix(s, scheme)
		if !ok {
			continue
		}
		if rest == "" {
			return errorsmod.Wrapf(ErrInvalidLink, "%s %q has no target", field, s)
		}
		if i := strings.IndexFunc(rest, func(r rune) bool { return !isVisible(r) }); i >= 0 {
			r, _ := utf8.DecodeRuneInString(rest[i:])
			return errorsmod.Wrapf(ErrInvalidLink, "%s %q has no target: it holds the blank or invisible character %U", field, s, r)
		}
		return nil
	}
	return errorsmod.Wrapf(ErrInvalidLink, "%s must start with https:// or ipfs://", field)
}
