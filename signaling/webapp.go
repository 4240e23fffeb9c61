package signaling

import (
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"

	"github.com/streamchain/streamchain/signaling/internal/cluster"
)

// The web app's built bundle (signaling/web/dist, committed like generated
// code; `make web-build` regenerates it from signaling/web/src). Serving it
// from signalingd puts the page on the same origin as /ws, so the default
// setup needs no origin allow-list entry for it.
//
//go:embed all:web/dist
var webDist embed.FS

// WebConfig is what the web app is told about the chain through
// /chain-info.json and the chain-registry files.
type WebConfig struct {
	// PublicRPC and PublicREST are the node's CometBFT RPC and REST (gRPC
	// gateway) URLs as a browser reaches them. Without them the chain-info
	// endpoints answer 503 and the app says it cannot reach the chain.
	PublicRPC  string
	PublicREST string
	// MinGasPrice is the node's minimum gas price in ustream (e.g. 0.025);
	// wallets start their fee steps there.
	MinGasPrice float64
	// DevnetWalletFile names a JSON file of public demo keys
	// ([{"name":"alice","mnemonic":"..."}]) served at /devnet-wallet.json.
	// Only `make devnet` sets it; empty (the default) serves nothing.
	DevnetWalletFile string
}

// webAppHandler serves the bundle's files and nothing else (the app routes
// in the URL fragment, so every page is "/"); hashed assets are immutable.
// instances lists the origins of the other live instances (shared mode; nil
// otherwise), which the page may move its WebSocket to.
func webAppHandler(web WebConfig, instances func() []string) http.Handler {
	dist, err := fs.Sub(webDist, "web/dist")
	if err != nil {
		panic("signaling: embedded web app: " + err.Error())
	}
	files := http.FileServerFS(dist)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(path.Clean(r.URL.Path), "/")
		if name == "" {
			name = "index.html"
		}
		if st, err := fs.Stat(dist, name); err != nil || st.IsDir() {
			http.NotFound(w, r)
			return
		}
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Content-Security-Policy", contentSecurityPolicy(web, instances()))
		w.Header().Set("Referrer-Policy", "no-referrer")
		serveWebFile(w, r, dist, name, files) // caching and precompressed variants: webassets.go
	})
}

// contentSecurityPolicy lets the page run only its own bundle and talk only
// to this server (/ws, /live, /chain-info.json), the node's public RPC and
// REST, and the other live instances (their /ws and /instances.json, where
// the app moves when this instance goes away). Pictures and banners are
// user-supplied https:// links.
func contentSecurityPolicy(w WebConfig, instances []string) string {
	connect := []string{"'self'"}
	for _, u := range []string{w.PublicRPC, w.PublicREST} {
		if o := cluster.OriginOf(u); o != "" {
			connect = append(connect, o)
		}
	}
	for _, o := range instances {
		connect = append(connect, o, "ws"+strings.TrimPrefix(o, "http"))
	}
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; " +
		"media-src 'self' blob: mediastream:; connect-src " + strings.Join(connect, " ") +
		"; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
}
