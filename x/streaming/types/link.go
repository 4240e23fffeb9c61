package types

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	errorsmod "cosmossdk.io/errors"
	"golang.org/x/net/idna"
)

// linkSchemes are the schemes an image link may use: a browser can show
// both without mixed-content warnings, unlike http://, and neither can run
// script, unlike javascript: or data:.
var linkSchemes = []string{"https", "ipfs"}

// maxHostLength is the longest DNS name, in ASCII (RFC 1035 §2.3.4).
const maxHostLength = 253

// urlCharacters are the ASCII characters a URL may hold as written
// (RFC 3986's unreserved and reserved characters, and % for escapes), less
// the single quote, which browsers percent-encode in an https query and
// which ends a quoted HTML attribute. Every other ASCII character (space,
// ", <, >, \, ^, `, {, |, } and the controls) must be percent-encoded.
const urlCharacters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" +
	"-._~" + ":/?#[]@" + "!$&()*+,;=" + "%"

// ValidateLink checks an optional link: empty, or an absolute https:// or
// ipfs:// URL that parses as one and names its host. The link is refused
// when it:
//   - holds a character a URL must percent-encode, a blank or invisible
//     character, or a % that does not start an escape (%XX);
//   - has no host (https:///etc/passwd), or a host that is neither a DNS
//     name (an internationalized one is checked as its ASCII form) nor an
//     IP address (https://https://, https://javascript:alert(1));
//   - carries a user name or password (https://user@host), which hides the
//     real host from a reader;
//   - has a port outside 1-65535 or an empty one.
//
// Text rules (length, UTF-8, control characters) apply first.
func ValidateLink(field, s string, maxLen uint32) error {
	if err := ValidateText(field, s, maxLen); err != nil {
		return err
	}
	if s == "" {
		return nil
	}
	invalid := func(format string, args ...any) error {
		return errorsmod.Wrapf(ErrInvalidLink, "%s %q "+format, append([]any{field, s}, args...)...)
	}

	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || !slices.Contains(linkSchemes, scheme) {
		return errorsmod.Wrapf(ErrInvalidLink, "%s must start with https:// or ipfs://", field)
	}
	for i, r := range s {
		switch {
		case r >= utf8.RuneSelf && !isVisible(r):
			return invalid("holds the blank or invisible character %U", r)
		case r < utf8.RuneSelf && !strings.ContainsRune(urlCharacters, r):
			return invalid("holds %q, which a URL must percent-encode", r)
		case r == '%' && !isEscape(s[i:]):
			return invalid("holds a %% that does not start an escape like %%20")
		}
	}

	authority, path := rest, ""
	if i := strings.IndexAny(rest, "/?#"); i >= 0 {
		authority, path = rest[:i], rest[i:]
	}
	switch {
	case strings.Contains(authority, "@"):
		return invalid("holds a user name or password before its host")
	case strings.Contains(authority, "%"):
		return invalid("has a percent-encoded host")
	case authority == "":
		return invalid("has no host")
	case strings.ContainsAny(path, "[]"):
		return invalid("holds [ or ] outside an IPv6 host")
	}
	u, err := url.Parse(s)
	if err != nil {
		return invalid("is not a URL")
	}
	if problem := hostProblem(u.Hostname(), strings.HasPrefix(authority, "[")); problem != "" {
		return invalid("%s", problem)
	}
	if strings.HasSuffix(authority, ":") {
		return invalid("has an empty port")
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.ParseUint(port, 10, 16); err != nil || n == 0 {
			return invalid("has the port %s, not a number in [1, 65535]", port)
		}
	}
	return nil
}

// isEscape reports whether s starts with a percent escape: % and two hex
// digits.
func isEscape(s string) bool {
	return len(s) >= 3 && s[0] == '%' && isHex(s[1]) && isHex(s[2])
}

func isHex(c byte) bool {
	return ('0' <= c && c <= '9') || ('a' <= c && c <= 'f') || ('A' <= c && c <= 'F')
}

// hostProblem says what is wrong with a link's host, or "" when it is an
// IP address (IPv6 only in brackets) or a DNS name whose ASCII form (UTS #46
// lookup, as browsers apply it) has labels of 1-63 letters, digits and inner
// hyphens, at most 253 bytes in all, and does not end in a number, which a
// browser would read as an IPv4 address.
func hostProblem(host string, bracketed bool) string {
	ip := net.ParseIP(host)
	switch {
	case bracketed && (ip == nil || !strings.Contains(host, ":")):
		return "has a bracketed host that is not an IPv6 address"
	case bracketed || ip != nil:
		return ""
	case host == "":
		return "has no host"
	}
	ascii, err := idna.Lookup.ToASCII(host)
	if err != nil {
		return "has a host that is not a valid domain name"
	}
	if len(ascii) > maxHostLength {
		return fmt.Sprintf("has a host of %d bytes, the maximum is %d", len(ascii), maxHostLength)
	}
	labels := strings.Split(ascii, ".")
	for _, label := range labels {
		if !isHostLabel(label) {
			return "has a host that is not a valid domain name"
		}
	}
	if endsInNumber(labels[len(labels)-1]) {
		return "has a host that ends in a number but is not an IP address"
	}
	return ""
}

// endsInNumber is the WHATWG URL standard's test on a host's last label:
// decimal digits, or 0x and hex digits.
func endsInNumber(label string) bool {
	if hex, ok := strings.CutPrefix(label, "0x"); ok {
		return strings.Trim(hex, "0123456789abcdef") == ""
	}
	return strings.Trim(label, "0123456789") == ""
}

// isHostLabel reports whether label is an LDH label (RFC 1123 §2.1).
func isHostLabel(label string) bool {
	if len(label) == 0 || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
		return false
	}
	for i := 0; i < len(label); i++ {
		c := label[i]
		if !('a' <= c && c <= 'z') && !('0' <= c && c <= '9') && c != '-' {
			return false
		}
	}
	return true
}
