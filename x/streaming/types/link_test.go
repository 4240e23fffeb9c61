package types_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/streamchain/streamchain/x/streaming/types"
)

func TestLinksParseAsURLs(t *testing.T) {
	refused := []string{
		// Not https:// or ipfs://.
		"http://example.com/a.png", "HTTPS://example.com/a.png", "https:example.com/a.png", "//example.com/a.png",
		"ftp://example.com/a.png", "javascript:alert(1)", "data:image/png;base64,AAAA", " https://example.com/",
		// No host, or one that is not a DNS name or an IP address.
		"https:///etc/passwd", "ipfs:///bafy", "https://", "https://?x", "https://#x",
		"https://https://", "https://https://example.com/", "https://javascript:alert(1)",
		"https://-example.com/", "https://example-.com/", "https://exa_mple.com/", "https://a..b/",
		"https://.example.com/", "https://example.com./", "https://ab--cd.com/", "https://xn--/",
		"https://" + strings.Repeat("a", 64) + ".com/", "https://" + strings.Repeat("abcdefghi.", 26) + "com/",
		"https://999.999.999.999/", "https://1234/", "https://example.0x1f/", "https://01.02.03.04/",
		"https://[::1/", "https://[example.com]/", "https://[1.2.3.4]/", "https://::1/",
		// A port that is empty, zero or too large.
		"https://example.com:/", "https://example.com:0/", "https://example.com:65536/", "https://example.com:99999999999/",
		"https://example.com:http/",
		// User info hides the real host.
		"https://user:pw@example.com/a.png", "https://@example.com/", "https://example.com@evil.example/",
		// Characters a URL must percent-encode.
		`https://"><script>alert(1)</script>`, "https://example.com/a b.png", `https://example.com/a\b.png`,
		`https://example.com\@evil.example/`, "https://example.com/<x>", "https://example.com/'x'",
		`https://example.com/"x"`, "https://example.com/{x}", "https://example.com/a|b", "https://example.com/a^b",
		"https://example.com/`x`", "https://example.com/[x]", "https://example.com/a\u00a0b", "https://exa\u200bmple.com/",
		// Broken or host-hiding percent escapes.
		"https://example.com/%zz", "https://example.com/%", "https://example.com/?q=%2", "https://ex%61mple.com/",
	}
	for _, link := range refused {
		require.ErrorIs(t, types.ValidateLink("img_link", link, 1024), types.ErrInvalidLink, "%q", link)
	}

	accepted := []string{
		"", "https://example.com/a.png?x=1&y=2#top", "https://example.com", "https://Example.COM/A.png",
		"https://example.com:8443/a.png", "https://127.0.0.1/a.png", "https://[2001:db8::1]:8443/a.png",
		"https://例え.jp/画像.png", "https://xn--r8jz45g.jp/a.png", "https://cdn-1.example.co.uk/a%20b.png",
		"https://example.com/~user/(1)!$*+,;=:@.png", "https://localhost/a.png",
		"ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi/cover.png",
		"ipfs://QmXoypizjW3WknFiJnKLwHCnL72vedxjQkDDP1mXWo6uco",
	}
	for _, link := range accepted {
		require.NoError(t, types.ValidateLink("img_link", link, 1024), "%q", link)
	}
}

// The error names the field and the problem, and quotes the link escaped,
// never as raw bytes.
func TestLinkErrorIsASentence(t *testing.T) {
	err := types.ValidateLink("img_link", `https://example.com/"x"`, 512)
	require.ErrorIs(t, err, types.ErrInvalidLink)
	require.Contains(t, err.Error(), `img_link "https://example.com/\"x\"" holds '"', which a URL must percent-encode`)
}

// Whatever ValidateLink accepts, a URL parser reads as an https or ipfs URL
// with a host and no user info, written without characters a URL must
// escape; and it never panics.
func FuzzValidateLink(f *testing.F) {
	for _, seed := range []string{
		"https://example.com/a.png", "ipfs://bafy/cover.png", "https://[::1]:8443/x", "https://例え.jp/画像.png",
		"https://https://", "https:///etc/passwd", "https://javascript:alert(1)", "https://a@b/", "https://x/%zz",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, link string) {
		if types.ValidateLink("img_link", link, 512) != nil || link == "" {
			return
		}
		u, err := url.Parse(link)
		require.NoError(t, err, "%q", link)
		require.Contains(t, []string{"https", "ipfs"}, u.Scheme, "%q", link)
		require.NotEmpty(t, u.Hostname(), "%q", link)
		require.Nil(t, u.User, "%q", link)
		require.False(t, strings.ContainsAny(link, " \"'<>\\^`{|}"), "%q", link)
		require.True(t, utf8.ValidString(link))
	})
}
