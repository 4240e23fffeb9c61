package signaling_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/streamchain/streamchain/signaling"
)

// FuzzInternalHandler: any GET path on the internal handler (metrics,
// health, a stream's media server placement) gets a status from a small
// set and a body without a Go panic's or error's internals. The media
// server is configured but never reached: a placement is looked up in the
// instance's ledger, which holds none.
func FuzzInternalHandler(f *testing.F) {
	for _, p := range []string{
		"/sfu/streams/1", "/sfu/streams/x", "/sfu/streams/18446744073709551616", "/sfu/streams/-1",
		"/sfu/streams/+1", "/sfu/streams/0x10", "/sfu/streams/1/2", "/sfu/streams/%00", "/sfu/streams/",
		"//sfu/streams/1", "/healthz", "/metrics", "/nothing", "/sfu/streams/1?x=%zz",
	} {
		f.Add(p)
	}
	e := newEnv(f, func(c *signaling.Config) {
		c.SFU.Servers = []string{"ws://127.0.0.1:9"}
		c.SFU.APISecret = "fuzz-api-secret-0123456789"
	})
	h := e.srv.InternalHandler()
	f.Fuzz(func(t *testing.T, path string) {
		req, err := http.NewRequest(http.MethodGet, "http://internal"+path, nil)
		if err != nil {
			return // not a request a client can send
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		switch rec.Code {
		case http.StatusOK, http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect,
			http.StatusBadRequest, http.StatusNotFound, http.StatusMethodNotAllowed, http.StatusServiceUnavailable:
		default:
			t.Fatalf("GET %q: status %d", path, rec.Code)
		}
		body := rec.Body.String()
		for _, leak := range []string{"goroutine ", "runtime error", "panic", "strconv."} {
			if strings.Contains(body, leak) {
				t.Fatalf("GET %q: the answer shows %q: %.300s", path, leak, body)
			}
		}
		if strings.HasPrefix(path, "/sfu/streams/") && rec.Code == http.StatusOK {
			t.Fatalf("GET %q: a placement from an empty ledger: %.300s", path, body)
		}
	})
}
