package types_test

import (
	"testing"

	"github.com/stretchr/testify/require"

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
	}
	for name, s := range blank {
		err := types.ValidateRequiredText("name", s, 64)
		require.ErrorIs(t, err, types.ErrEmptyField, "%s %q", name, s)
	}
	visible := map[string]string{
		"letters":          "Alice",
		"emoji with ZWJ":   "👨\u200d👩\u200d👧",
		"keycap":           "1\ufe0f\u20e3",
		"combining acute":  "Ame\u0301lie",
		"flag":             "🇩🇪",
		"Arabic with RLM":  "\u200fمرحبا",
		"CJK":              "日本語",
		"padded with ZWSP": "\u200bA\u200b",
		"emoji only":       "🎥",
		"punctuation only": "?!",
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
