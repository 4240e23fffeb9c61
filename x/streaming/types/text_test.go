package types_test

import (
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
	"golang.org/x/net/idna"

	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestRequiredTextNeedsSomethingVisible(t *testing.T) {
	blank := map[string]string{
		"empty":                  "",
		"spaces":                 "  ",
		"zero-width spaces":      "\u200b\u200b",
		"byte order marks":       "\ufeff",
		"no-break space":         "\u00a0",
		"ideographic space":      "\u3000",
		"word joiner and ZWJ":    "\u2060\u200d",
		"Hangul filler":          "\u3164",
		"lone combining mark":    "\u0301",
		"variation selector":     "\ufe0f",
		"braille blank":          "\u2800",
		"combining grapheme jnr": "\u034f ",
		"null notehead":          "\U0001d159",
		"half fill space":        "\u303f",
		"hieroglyph blanks":      "\U00013441\U00013442",
		"private use":            "\ue000\uf8ff",
		"private use, plane 15":  "\U000f0000",
		"tag characters":         "\U000e0041\U000e007f",
		"soft hyphen":            "\u00ad",
		"Mongolian vowel sep":    "\u180e",
		"invisible operators":    "\u2062\u2064",
		"Hangul fillers":         "\u115f\u1160\uffa0",
		"variation selector 17":  "\U000e0100",
		"combining marks only":   "\u0300\u0301\u20e3",
	}
	for name, s := range blank {
		err := types.ValidateRequiredText("name", s, 64)
		require.ErrorIs(t, err, types.ErrEmptyField, "%s %q", name, s)
	}
	visible := map[string]string{
		"letters":            "Alice",
		"emoji with ZWJ":     "👨\u200d👩\u200d👧",
		"keycap":             "1\ufe0f\u20e3",
		"combining acute":    "Ame\u0301lie",
		"flag":               "🇩🇪",
		"Arabic with RLM":    "\u200fمرحبا",
		"CJK":                "日本語",
		"padded with ZWSP":   "\u200bA\u200b",
		"emoji only":         "🎥",
		"punctuation only":   "?!",
		"private use beside": "A\ue000",
		"tagged flag":        "\U0001f3f4\U000e0067\U000e0062\U000e0065\U000e006e\U000e0067\U000e007f",
	}
	for name, s := range visible {
		require.NoError(t, types.ValidateRequiredText("name", s, 64), "%s %q", name, s)
	}
}

func TestBidiControlsOnlyInMultilineText(t *testing.T) {
	for _, r := range []rune{'\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'} {
		s := "abc" + string(r) + "def"
		require.ErrorIs(t, types.ValidateText("title", s, 64), types.ErrInvalidText, "%U", r)
		require.ErrorIs(t, types.ValidateRequiredText("name", s, 64), types.ErrInvalidText, "%U", r)
		require.ErrorIs(t, types.ValidateLink("img_link", "https://example.com/"+string(r)+"x", 64), types.ErrInvalidText, "%U", r)
		require.NoError(t, types.ValidateMultilineText("description", s, 64), "%U", r)
	}
}

func TestLinkTargetIsVisible(t *testing.T) {
	for _, link := range []string{
		"https://", "ipfs://", "https://\u00a0", "https://\u3000", "https://\u200b", "https:// ",
		"https://example.com/a b.png", "https://exa\u200bmple.com/", "ipfs://\ufeffbafy", "https://\u2800",
	} {
		err := types.ValidateLink("img_link", link, 512)
		require.ErrorIs(t, err, types.ErrInvalidLink, "%q", link)
	}
	for _, link := range []string{"", "https://example.com/a.png?x=1&y=2", "ipfs://bafybeigdyrzt/cover.png", "https://例え.jp/画像.png"} {
		require.NoError(t, types.ValidateLink("img_link", link, 512), "%q", link)
	}
}

func TestMultilineTextKeepsOnlyNewlineAndTab(t *testing.T) {
	require.NoError(t, types.ValidateMultilineText("description", "a\n\tb\n", 64))
	for _, s := range []string{"a\rb", "a\vb", "a\x00b", "a\x7fb", "a\u0085b", "a\u2028b", "a\u2029b", "a\fb"} {
		err := types.ValidateMultilineText("description", s, 64)
		require.ErrorIs(t, err, types.ErrInvalidText, "%q", s)
	}
	for _, s := range []string{"a\nb", "a\tb"} {
		require.ErrorIs(t, types.ValidateText("title", s, 64), types.ErrInvalidText, "%q", s)
	}
}

// Noncharacters and code points Unicode has not assigned are refused in
// every kind of user text, alone or beside visible characters; so is
// anything that is not UTF-8, surrogates included.
func TestUnassignedAndNoncharactersAreRefusedEverywhere(t *testing.T) {
	bad := []rune{
		'\uffff', '\ufffe', '\ufdd0', '\ufdef', '\U0001fffe', '\U0001ffff', '\U0010fffe', '\U0010ffff', // noncharacters
		'\u0378', '\u0379', '\u05ff', '\U0002fffd', '\U000e0080', '\U000effff', // unassigned
	}
	for _, r := range bad {
		for _, s := range []string{string(r), "Alice" + string(r), string(r) + "🎥"} {
			require.ErrorIs(t, types.ValidateRequiredText("name", s, 64), types.ErrInvalidText, "%U in %q", r, s)
			require.ErrorIs(t, types.ValidateText("surname", s, 64), types.ErrInvalidText, "%U in %q", r, s)
			require.ErrorIs(t, types.ValidateMultilineText("description", s, 64), types.ErrInvalidText, "%U in %q", r, s)
		}
		require.ErrorIs(t, types.ValidateLink("img_link", "https://example.com/"+string(r), 64), types.ErrInvalidText, "%U", r)
	}
	for _, s := range []string{"\xed\xa0\x80", "a\xed\xbf\xbfb", "\xff", "\xc3\x28", "\xf4\x90\x80\x80"} {
		require.ErrorIs(t, types.ValidateText("title", s, 64), types.ErrInvalidText, "%q", s)
		require.ErrorIs(t, types.ValidateMultilineText("description", s, 64), types.ErrInvalidText, "%q", s)
	}
}

// The text rules read Go's Unicode tables (and x/net's for host names): a
// Go release with other tables accepts other text, so nodes built with it
// would disagree with nodes built with this one about past transactions.
// When this fails, the new tables must ship as a chain upgrade.
func TestUnicodeTablesArePinned(t *testing.T) {
	require.Equal(t, "15.0.0", unicode.Version)
	require.Equal(t, "15.0.0", idna.UnicodeVersion)
}
