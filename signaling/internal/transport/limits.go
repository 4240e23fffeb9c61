package transport

import (
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// ConnLimiter counts open connections in total and per client IP.
type ConnLimiter struct {
	perIP, total int

	mu    sync.Mutex
	byIP  map[string]int
	count int
}

func NewConnLimiter(perIP, total int) *ConnLimiter {
	return &ConnLimiter{perIP: perIP, total: total, byIP: make(map[string]int)}
}

// Acquire takes a slot for ip, or says which limit is reached. An empty ip
// (a trusted proxy's own connection) counts only toward the total.
func (l *ConnLimiter) Acquire(ip string) (ok bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count >= l.total {
		return false, "capacity"
	}
	if ip != "" && l.byIP[ip] >= l.perIP {
		return false, "per_ip"
	}
	if ip != "" {
		l.byIP[ip]++
	}
	l.count++
	return true, ""
}

func (l *ConnLimiter) Release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if ip != "" {
		if l.byIP[ip] <= 1 {
			delete(l.byIP, ip)
		} else {
			l.byIP[ip]--
		}
	}
	l.count--
}

// Proxies is the set of trusted reverse Proxies: only from them is the
// real-IP header believed.
type Proxies []netip.Prefix

func ParseProxies(cidrs []string) (Proxies, error) {
	var ps Proxies
	for _, c := range cidrs {
		p, err := netip.ParsePrefix(strings.TrimSpace(c))
		if err != nil {
			a, aerr := netip.ParseAddr(strings.TrimSpace(c))
			if aerr != nil {
				return nil, err
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		ps = append(ps, p.Masked())
	}
	return ps, nil
}

func (ps Proxies) Trusted(ip string) bool {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return false
	}
	a = a.Unmap()
	for _, p := range ps {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

func remoteIP(remoteAddr string) string {
	host, _, err := net.SplitHostPort(remoteAddr)
	if err != nil {
		return remoteAddr
	}
	return host
}

// ClientIP is the TCP peer's IP; when the peer is a trusted proxy and header
// is set, it is the rightmost entry of the header that is not itself a
// trusted proxy (entries to its left could be written by the client).
func ClientIP(r *http.Request, header string, trusted Proxies) string {
	peer := remoteIP(r.RemoteAddr)
	if header == "" || !trusted.Trusted(peer) {
		return peer
	}
	values := r.Header.Values(header)
	var parts []string
	for _, v := range values {
		parts = append(parts, strings.Split(v, ",")...)
	}
	for i := len(parts) - 1; i >= 0; i-- {
		a, err := netip.ParseAddr(strings.TrimSpace(parts[i]))
		if err != nil {
			return peer
		}
		if ip := a.Unmap().String(); !trusted.Trusted(ip) {
			return ip
		}
	}
	return peer
}

// MessageLimiter is a per-connection token bucket. A message over the rate
// is refused with rate_limited and adds to a debt; the debt drains at a
// quarter of the message rate, so a client that averages under the limit
// in short bursts is forgiven, and one that stays over it runs out of
// patience after MaxRateViolations refusals and is closed.
type MessageLimiter struct {
	bucket   *rate.Limiter
	patience *rate.Limiter
}

const MaxRateViolations = 20

func NewMessageLimiter(perSecond float64, burst int) *MessageLimiter {
	return &MessageLimiter{
		bucket:   rate.NewLimiter(rate.Limit(perSecond), burst),
		patience: rate.NewLimiter(rate.Limit(perSecond/4), MaxRateViolations),
	}
}

// Allow reports whether a message may be handled now and whether the
// connection has used up its patience.
func (l *MessageLimiter) Allow() (ok, exhausted bool) {
	if l.bucket.Allow() {
		return true, false
	}
	return false, !l.patience.Allow()
}

// Violation spends patience on a message that was refused for what it
// is, not for its rate (bad_message, unknown_type); exhausted says the
// connection has none left.
func (l *MessageLimiter) Violation() (exhausted bool) { return !l.patience.Allow() }

// ByteBudget is a token bucket of relayed bytes per sender.
type ByteBudget struct {
	bucket *rate.Limiter
}

func NewByteBudget(perSecond, burst int) *ByteBudget {
	return &ByteBudget{bucket: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

func (b *ByteBudget) Allow(n int) bool { return b.bucket.AllowN(time.Now(), n) }

// Listener caps ln's TCP connections per client address range (IPv6 by its
// first v6Prefix bits) and in total with limits, before any HTTP is read;
// refused is told why one was refused. Connections from trusted proxies
// count only toward the total.
func Listener(ln net.Listener, limits *ConnLimiter, trusted Proxies, v6Prefix int, refused func(reason string)) net.Listener {
	return &limitedListener{Listener: ln, limits: limits, trusted: trusted, v6Prefix: v6Prefix, refused: refused}
}

// limitedListener caps TCP connections per client IP and in total, before
// any HTTP is read: a client holding connections open (a request that never
// finishes) cannot use up the daemon's file descriptors. Connections from
// trusted Proxies count only toward the total.
type limitedListener struct {
	net.Listener
	limits  *ConnLimiter
	trusted Proxies
	refused func(reason string)
	// v6Prefix keys IPv6 peers by range (addrkey.go).
	v6Prefix int
}

func (l *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		ip := remoteIP(c.RemoteAddr().String())
		if l.trusted.Trusted(ip) {
			ip = ""
		}
		ip = AddrKey(ip, l.v6Prefix)
		if ok, reason := l.limits.Acquire(ip); !ok {
			l.refused(reason)
			_ = c.Close()
			continue
		}
		return &limitedConn{Conn: c, release: func() { l.limits.Release(ip) }}, nil
	}
}

// limitedConn is an accepted connection that gives its slot back when
// closed. It can also be corked: while corked, writes gather in a buffer
// and go out in one write when uncorked, so a writer with several queued
// messages makes one system call for all of them.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()

	wmu    sync.Mutex
	corked bool
	buf    *[]byte // from corkBuffers while something is gathered
}

// maxCorked bounds what a corked connection gathers before writing anyway.
const maxCorked = 64 << 10

// corkBuffers recycles the buffers corked writes gather in: a batch takes
// one while it is written, instead of allocating a new one each time.
var corkBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

func (c *limitedConn) Write(p []byte) (int, error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.corked && c.gathered()+len(p) <= maxCorked {
		if c.buf == nil {
			c.buf = corkBuffers.Get().(*[]byte)
		}
		*c.buf = append(*c.buf, p...)
		return len(p), nil
	}
	if err := c.flushLocked(); err != nil {
		return 0, err
	}
	return c.Conn.Write(p)
}

func (c *limitedConn) gathered() int {
	if c.buf == nil {
		return 0
	}
	return len(*c.buf)
}

func (c *limitedConn) flushLocked() error {
	if c.buf == nil {
		return nil
	}
	_, err := c.Conn.Write(*c.buf)
	*c.buf = (*c.buf)[:0]
	corkBuffers.Put(c.buf)
	c.buf = nil // an idle connection keeps no buffer
	return err
}

func (c *limitedConn) cork() {
	c.wmu.Lock()
	c.corked = true
	c.wmu.Unlock()
}

func (c *limitedConn) uncork() error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.corked = false
	return c.flushLocked()
}

// corker is implemented by connections from Listener.
type corker interface {
	cork()
	uncork() error
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
