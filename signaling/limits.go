package signaling

import (
	"net"
	"net/http"
	"strings"
	"sync"

	"golang.org/x/time/rate"
)

// connLimiter counts open connections in total and per client IP.
type connLimiter struct {
	perIP, total int

	mu    sync.Mutex
	byIP  map[string]int
	count int
}

func newConnLimiter(perIP, total int) *connLimiter {
	return &connLimiter{perIP: perIP, total: total, byIP: make(map[string]int)}
}

// acquire takes a slot for ip, or says which limit is reached.
func (l *connLimiter) acquire(ip string) (ok bool, reason string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.count >= l.total {
		return false, "capacity"
	}
	if l.byIP[ip] >= l.perIP {
		return false, "per_ip"
	}
	l.byIP[ip]++
	l.count++
	return true, ""
}

func (l *connLimiter) release(ip string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.byIP[ip] <= 1 {
		delete(l.byIP, ip)
	} else {
		l.byIP[ip]--
	}
	l.count--
}

func (l *connLimiter) open() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.count
}

// clientIP is the peer's IP, or the last entry of a trusted proxy's header.
func clientIP(r *http.Request, header string) string {
	if header != "" {
		if v := r.Header.Get(header); v != "" {
			parts := strings.Split(v, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// messageLimiter is a per-connection token bucket. Each message over the rate
// is refused with rate_limited; a connection that keeps going after
// maxRateViolations refusals is closed.
type messageLimiter struct {
	bucket     *rate.Limiter
	violations int
}

const maxRateViolations = 20

func newMessageLimiter(perSecond float64, burst int) *messageLimiter {
	return &messageLimiter{bucket: rate.NewLimiter(rate.Limit(perSecond), burst)}
}

// allow reports whether a message may be handled now and whether the
// connection has used up its patience.
func (l *messageLimiter) allow() (ok, exhausted bool) {
	if l.bucket.Allow() {
		return true, false
	}
	l.violations++
	return false, l.violations > maxRateViolations
}
