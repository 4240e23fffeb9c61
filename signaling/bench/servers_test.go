package bench

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"github.com/streamchain/streamchain/signaling"
	"github.com/streamchain/streamchain/signaling/signalingtest"
)

// The baseline: gorilla/websocket's examples/echo, with the upgrader's
// defaults and one goroutine per connection.
type echoServer struct {
	hs   *httptest.Server
	open atomic.Int64
}

func startEcho(tb testing.TB) *echoServer {
	tb.Helper()
	e := &echoServer{}
	var up websocket.Upgrader
	e.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		e.open.Add(1)
		defer e.open.Add(-1)
		defer c.Close()
		for {
			mt, msg, err := c.ReadMessage()
			if err != nil {
				return
			}
			if err := c.WriteMessage(mt, msg); err != nil {
				return
			}
		}
	}))
	tb.Cleanup(e.hs.Close)
	return e
}

func (e *echoServer) URL() string { return signalingtest.WSURL(e.hs.URL) }

// fanoutServer is the floor of a join: what the least possible server
// costs for the same exchange. Its first connection stands for the
// broadcaster; a message on any other connection is answered, inline on
// that connection's reader, by one write of toFirst to the first connection
// and one of reply to the sender. It parses nothing and decides nothing.
type fanoutServer struct {
	hs *httptest.Server
}

func startFanout(tb testing.TB, toFirst, reply []byte) *fanoutServer {
	tb.Helper()
	var up websocket.Upgrader
	var mu sync.Mutex
	var first *websocket.Conn
	f := &fanoutServer{}
	f.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer c.Close()
		mu.Lock()
		if first == nil {
			first = c
		}
		to := first
		mu.Unlock()
		for {
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
			if c == to {
				continue
			}
			mu.Lock() // the first connection has other writers
			err := to.WriteMessage(websocket.TextMessage, toFirst)
			mu.Unlock()
			if err != nil || c.WriteMessage(websocket.TextMessage, reply) != nil {
				return
			}
		}
	}))
	tb.Cleanup(f.hs.Close)
	return f
}

func (f *fanoutServer) URL() string { return signalingtest.WSURL(f.hs.URL) }

// benchOrigin is written into the daemon's challenges.
const benchOrigin = "https://signal.example"

// daemonConfig is the default configuration with the limits that would
// otherwise be what is measured raised out of the way: the per-connection
// message rate, connections and joins per IP (every client is 127.0.0.1) and
// in total.
// The cache outlives the run and re-checks never happen during it, so the
// chain is not measured.
func daemonConfig(conns int) signaling.Config {
	cfg := signaling.DefaultConfig()
	cfg.AllowedOrigins = []string{"*"}
	cfg.PublicOrigin = benchOrigin
	cfg.MessagesPerSecond = 1e9
	cfg.MessageBurst = 1 << 30
	cfg.RelayBytesPerSecond = 1 << 40
	cfg.RelayByteBurst = 1 << 40
	cfg.MaxQueuedRelayBytes = 1 << 40
	cfg.MaxConnsPerIP = conns + 16
	cfg.MaxConns = conns + 16
	cfg.MaxUnauthenticatedConns = conns + 16
	cfg.MaxUnauthenticatedConnsPerIP = conns + 16
	cfg.JoinsPerSecondPerIP = 1e9
	cfg.JoinBurstPerIP = 1 << 30
	cfg.CacheTTL = time.Hour
	cfg.RecheckInterval = 2 * time.Hour
	return cfg
}

type daemon struct {
	srv   *signaling.Server
	hs    *httptest.Server
	chain *signalingtest.Chain
}

// startDaemon runs the daemon on loopback as cmd/signalingd serves it (its
// http.Server and listener) against an in-process fake of the chain's Query
// service (a real gRPC server).
func startDaemon(tb testing.TB, conns int) *daemon {
	tb.Helper()
	chain := signalingtest.NewChain(tb)
	srv, err := signaling.New(daemonConfig(conns), signalingtest.DialChain(tb, chain.Addr()),
		signaling.WithLogger(signalingtest.Logger()))
	if err != nil {
		tb.Fatal(err)
	}
	return &daemon{srv: srv, hs: signalingtest.Serve(tb, srv, nil), chain: chain}
}

func (d *daemon) URL() string { return signalingtest.WSURL(d.hs.URL) }

// envelope is what a client decodes of every message it reads.
type envelope struct {
	Type    string `json:"type"`
	Code    string `json:"code"`
	Message string `json:"message"`
	PeerID  string `json:"peer_id"`
}

func dial(url string) (*websocket.Conn, error) {
	ws, resp, err := websocket.DefaultDialer.Dial(url, nil)
	if resp != nil && resp.Body != nil {
		_ = resp.Body.Close()
	}
	return ws, err
}

// read returns the next message of type typ, skipping those listed in skip.
// An error message or any other type is an error.
func read(ws *websocket.Conn, typ string, skip ...string) (envelope, error) {
	m, _, err := readRaw(ws, typ, skip...)
	return m, err
}

// readRaw is read, also returning the message as it came.
func readRaw(ws *websocket.Conn, typ string, skip ...string) (envelope, []byte, error) {
	for {
		_, data, err := ws.ReadMessage()
		if err != nil {
			return envelope{}, nil, err
		}
		var m envelope
		if err := json.Unmarshal(data, &m); err != nil {
			return envelope{}, nil, err
		}
		if m.Type == typ {
			return m, data, nil
		}
		skipped := false
		for _, s := range skip {
			skipped = skipped || m.Type == s
		}
		if !skipped {
			return envelope{}, nil, &unexpected{want: typ, got: string(data)}
		}
	}
}

type unexpected struct{ want, got string }

func (u *unexpected) Error() string { return "expected " + u.want + ", got " + u.got }

// signIn answers the first challenge on ws with w's ADR-036 signature and
// returns the connection's peer id.
func signIn(ws *websocket.Conn, w *signalingtest.Wallet) (string, error) {
	ch, err := read(ws, "challenge")
	if err != nil {
		return "", err
	}
	if err := ws.WriteJSON(w.AuthMessage(ch.Message)); err != nil {
		return "", err
	}
	m, err := read(ws, "authenticated")
	return m.PeerID, err
}
