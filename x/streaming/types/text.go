package types

import (
	"strings"
	"unicode"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
)

// ValidateText checks a user-supplied single-line string: valid UTF-8, no
// control characters, and at most maxLen bytes. U+2028 and U+2029 are
// refused too: Go's amino JSON escapes them and CosmJS-based wallets do not,
// so a message holding them could never be signed in amino-JSON mode
// (Ledger, Keplr).
func ValidateText(field, s string, maxLen uint32) error {
	return validateText(field, s, maxLen, false)
}

// ValidateMultilineText is ValidateText for text typed into a textarea (a
// stream's description): newlines and tabs are allowed as well. Go's amino
// JSON and JavaScript's JSON.stringify both write them as \n and \t, so
// amino-JSON signatures verify; every other control character stays
// refused (\r included: a browser's textarea value holds bare \n).
func ValidateMultilineText(field, s string, maxLen uint32) error {
	return validateText(field, s, maxLen, true)
}

func validateText(field, s string, maxLen uint32, multiline bool) error {
	if uint64(len(s)) > uint64(maxLen) {
		return errorsmod.Wrapf(ErrTextTooLong, "%s is %d bytes, the maximum is %d", field, len(s), maxLen)
	}
	if !utf8.ValidString(s) {
		return errorsmod.Wrapf(ErrInvalidText, "%s is not valid UTF-8", field)
	}
	for _, r := range s {
		if multiline && (r == '\n' || r == '\t') {
			continue
		}
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return errorsmod.Wrapf(ErrInvalidText, "%s holds the control character %U", field, r)
		}
	}
	return nil
}

// ValidateRequiredText is ValidateText for a field that must not be blank.
func ValidateRequiredText(field, s string, maxLen uint32) error {
	if strings.TrimSpace(s) == "" {
		return errorsmod.Wrapf(ErrEmptyField, "%s must not be empty", field)
	}
	return ValidateText(field, s, maxLen)
}

// linkSchemes are the schemes an image link may use: a browser can show
// both without mixed-content warnings, unlike http://, and neither can run
// script, unlike javascript: or data:.
var linkSchemes = []string{"https://", "ipfs://"}

// ValidateLink checks an optional link: empty, or an https:// or ipfs://
// URL with something after the scheme and no spaces.
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
		if rest == "" || strings.ContainsAny(rest, " \t") {
			return errorsmod.Wrapf(ErrInvalidLink, "%s %q has no target", field, s)
		}
		return nil
	}
	return errorsmod.Wrapf(ErrInvalidLink, "%s must start with https:// or ipfs://", field)
}
