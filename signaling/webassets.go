package signaling

import (
	"bytes"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"regexp"
	"strings"
	"time"
)

// The web bundle's files are served as the build compressed them: the
// build (signaling/web/vite.config.ts) writes NAME.br and NAME.gz beside
// every text file, reproducibly, so signalingd spends no CPU compressing
// and a browser downloads a fraction of the bytes.

// hashedAsset matches the content-hashed names the bundler gives its
// output (assets/index-BOHJng6_.js): a new build gets new names, so these
// may be cached for ever.
var hashedAsset = regexp.MustCompile(`^assets/[^/]+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$`)

// encodings are the precompressed variants, best first, with their suffix.
var encodings = []struct{ token, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// webCacheControl: hashed assets are immutable; everything else (index.html)
// is revalidated on every load, so a new build reaches the page at once.
func webCacheControl(name string) string {
	if hashedAsset.MatchString(name) {
		return "public, max-age=31536000, immutable"
	}
	return "no-cache"
}

// serveWebFile answers for the bundle's file `name` (known to exist): its
// caching, then the best precompressed variant the client accepts, else
// the file itself. The variants are not files of their own: asking for
// NAME.gz by name is a 404.
func serveWebFile(w http.ResponseWriter, r *http.Request, dist fs.FS, name string, files http.Handler) {
	for _, e := range encodings {
		if base, ok := strings.CutSuffix(name, e.suffix); ok {
			if _, err := fs.Stat(dist, base); err == nil {
				http.NotFound(w, r)
				return
			}
		}
	}
	h := w.Header()
	h.Set("Cache-Control", webCacheControl(name))
	variants := false
	for _, e := range encodings {
		if _, err := fs.Stat(dist, name+e.suffix); err != nil {
			continue
		}
		variants = true
		if !acceptsEncoding(r.Header.Get("Accept-Encoding"), e.token) {
			continue
		}
		body, err := fs.ReadFile(dist, name+e.suffix)
		if err != nil {
			break
		}
		h.Add("Vary", "Accept-Encoding")
		h.Set("Content-Encoding", e.token)
		if ct := mime.TypeByExtension(path.Ext(name)); ct != "" {
			h.Set("Content-Type", ct)
		}
		http.ServeContent(w, r, name, time.Time{}, bytes.NewReader(body))
		return
	}
	if variants {
		h.Add("Vary", "Accept-Encoding")
	}
	files.ServeHTTP(w, r)
}

// acceptsEncoding reports whether an Accept-Encoding header allows coding
// `token` (RFC 9110 §12.5.3): named, or covered by "*", with q > 0.
func acceptsEncoding(header, token string) bool {
	star := false
	for _, part := range strings.Split(header, ",") {
		coding, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		coding = strings.ToLower(strings.TrimSpace(coding))
		zero := false
		for _, p := range strings.Split(params, ";") {
			k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
			if strings.EqualFold(strings.TrimSpace(k), "q") {
				v = strings.TrimSpace(v)
				zero = strings.Trim(v, "0.") == "" && v != ""
			}
		}
		switch coding {
		case token:
			return !zero
		case "*":
			star = !zero
		}
	}
	return star
}
