// Package cluster is where streams' sessions live, as the server sees it:
// the hub's Router plus what a deployment of instances shows its clients
// (the instances, their origins, its health, leaving it on drain). Local
// is a single instance; package redis joins several through Redis.
package cluster

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Router is the hub's Router and the deployment it belongs to.
type Router interface {
	hub.Router

	// Instances are the live instances, this one first; Others the other
	// ones. r is the request that asked (it names this instance's URL
	// when none is configured).
	Instances(r *http.Request) []protocol.Instance
	Others() []protocol.Instance
	// ReachedAt learns this instance's URL from a request when none is
	// configured.
	ReachedAt(r *http.Request)
	// KnownOrigin says whether a browser origin belongs to another
	// instance of the deployment.
	KnownOrigin(origin string) bool
	// Health is the state of the shared state for the health endpoints:
	// "" when there is none, else reachable or unreachable.
	Health() string
	// Withdraw makes this instance leave the deployment before its
	// connections are closed; Stop ends the Router after the hub drained.
	Withdraw()
	Stop()
}

// Local is the Router of a single instance: every session is here.
type Local struct {
	hub.Here
	id string // this instance's name in /instances.json
}

// NewLocal returns the Router of an instance alone.
func NewLocal() *Local { return &Local{id: hub.NewPeerID()[:8]} }

func (*Local) Others() []protocol.Instance { return nil }
func (*Local) ReachedAt(*http.Request)     {}
func (*Local) KnownOrigin(string) bool     { return false }
func (*Local) Health() string              { return "" }
func (*Local) Withdraw()                   {}
func (*Local) Stop()                       {}

func (l *Local) Instances(r *http.Request) []protocol.Instance {
	return []protocol.Instance{{ID: l.id, URL: RequestOrigin(r)}}
}

// RequestOrigin is the origin the request reached: what an instance
// advertises when no URL is configured.
func RequestOrigin(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + strings.ToLower(r.Host)
}

// OriginOf is scheme://host[:port] of a URL, lower-case; "" when it has
// none.
func OriginOf(u string) string {
	p, err := url.Parse(u)
	if err != nil || p.Scheme == "" || p.Host == "" {
		return ""
	}
	return strings.ToLower(p.Scheme + "://" + p.Host)
}
