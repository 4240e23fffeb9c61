// Package metrics holds the daemon's Prometheus metrics, shared by its
// layers (transport, chain cache, hub) and registered once.
package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// Metrics are the daemon's Prometheus metrics, registered on a registry the
// caller owns (never the global one), so tests and embedders each get their
// own.
type Metrics struct {
	Connections         prometheus.Gauge
	ConnectionsRejected *prometheus.CounterVec // reason: origin, per_ip, capacity, unauthenticated, draining, not_websocket, handshake; tcp_per_ip, tcp_capacity at accept
	Disconnects         *prometheus.CounterVec // reason: see closeReason
	LiveStreams         prometheus.Gauge
	Viewers             prometheus.Gauge
	AuthFailures        *prometheus.CounterVec // reason: an auth_* error code or a pre-auth violation
	Errors              *prometheus.CounterVec // code: every error sent to a client
	RelayLatency        *prometheus.HistogramVec
	ChainQueries        *prometheus.CounterVec // query, result: ok, cached, not_found, unavailable
	ChainUp             prometheus.Gauge
	SessionsCut         *prometheus.CounterVec // reason: not_subscribed, stream_deleted, stream_over, chain_unavailable
	RelayRefused        *prometheus.CounterVec // reason: queue_full, sender_backlog
	ChainEventsUp       prometheus.Gauge
	ChainEventHeight    prometheus.Gauge
	ChainEvents         *prometheus.CounterVec // kind: see EventKind
	ChatMessages        prometheus.Counter
	// The media server tier.
	SFUServersUp    prometheus.Gauge       // media servers connected
	SFUPublications prometheus.Gauge       // streams published to a media server
	SFUViewers      prometheus.Gauge       // viewers on the media server tier
	SFUFailures     *prometheus.CounterVec // request: offer, answer, candidate
	// Each media server's load over the deployment, and the rooms gone
	// instances left that this one removed.
	SFUServerRooms    *prometheus.GaugeVec // server
	SFUServerViewers  *prometheus.GaugeVec // server
	SFURoomsReclaimed prometheus.Counter
	// SFUReoffers counts new offers to viewers whose connection to the
	// media server Janus hung up.
	SFUReoffers prometheus.Counter

	// Children on the hot paths, looked up once.
	relayLatency         map[string]prometheus.Observer
	CachedStream         prometheus.Counter
	CachedStreamNotFound prometheus.Counter
	CachedSubscription   prometheus.Counter
	CachedNotSubscribed  prometheus.Counter
}

// ObserveRelay records how long a relayed message of type typ waited.
func (m *Metrics) ObserveRelay(typ string, d time.Duration) {
	if o := m.relayLatency[typ]; o != nil {
		o.Observe(d.Seconds())
	}
}

// NewMetrics creates the metrics and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	const ns = "signaling"
	m := &Metrics{
		Connections: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "connections",
			Help: "Open WebSocket connections.",
		}),
		ConnectionsRejected: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "connections_rejected_total",
			Help: "WebSocket requests refused before the upgrade, by reason.",
		}, []string{"reason"}),
		Disconnects: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "disconnects_total",
			Help: "Connections closed, by reason.",
		}, []string{"reason"}),
		LiveStreams: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "live_streams",
			Help: "Streams with a connected broadcaster.",
		}),
		Viewers: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "viewers",
			Help: "Viewers attached to a stream.",
		}),
		SFUServersUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "sfu_servers_up",
			Help: "Media servers (Janus) connected.",
		}),
		SFUPublications: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "sfu_publications",
			Help: "Streams published to a media server.",
		}),
		SFUViewers: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "sfu_viewers",
			Help: "Viewers watching through a media server (also counted in viewers).",
		}),
		SFUFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "sfu_failures_total",
			Help: "Requests to a media server that failed for want of one, by request.",
		}, []string{"request"}),
		SFUServerRooms: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: ns, Name: "sfu_server_rooms",
			Help: "Rooms (publications and cascades) on each media server, placed by every signalingd instance sharing it.",
		}, []string{"server"}),
		SFUServerViewers: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Namespace: ns, Name: "sfu_server_viewers",
			Help: "Viewers on each media server, placed by every signalingd instance sharing it.",
		}, []string{"server"}),
		SFURoomsReclaimed: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "sfu_rooms_reclaimed_total",
			Help: "Rooms a signalingd instance left on a media server when it went without a drain, removed by this one.",
		}),
		SFUReoffers: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "sfu_reoffers_total",
			Help: "New media server offers to viewers whose connection to it had ended (ICE failed, a DTLS alert, closed).",
		}),
		AuthFailures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "auth_failures_total",
			Help: "Failed sign-in attempts, by reason.",
		}, []string{"reason"}),
		Errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "errors_total",
			Help: "Error messages sent to clients, by code.",
		}, []string{"code"}),
		RelayLatency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Namespace: ns, Name: "relay_latency_seconds",
			Help:    "Time from reading an offer/answer/candidate to writing it to the other peer.",
			Buckets: []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1},
		}, []string{"type"}),
		ChainQueries: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "chain_queries_total",
			Help: "Queries to the chain, by query and result (cached answers included).",
		}, []string{"query", "result"}),
		ChainUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "chain_up",
			Help: "1 if the last query to the node got an answer, else 0.",
		}),
		SessionsCut: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "sessions_cut_total",
			Help: "Broadcaster or viewer sessions ended by the server after a check, by reason.",
		}, []string{"reason"}),
		ChatMessages: prometheus.NewCounter(prometheus.CounterOpts{
			Namespace: ns, Name: "chat_messages_total",
			Help: "Chat messages accepted and delivered to their session.",
		}),
		RelayRefused: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "relay_refused_total",
			Help: "Relayed messages refused to their sender (peer_busy) instead of overflowing the recipient, by reason.",
		}, []string{"reason"}),
		ChainEventsUp: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "chain_events_up",
			Help: "1 while the chain event feed follows committed blocks, 0 when it is lost (or not configured).",
		}),
		ChainEventHeight: prometheus.NewGauge(prometheus.GaugeOpts{
			Namespace: ns, Name: "chain_event_height",
			Help: "Height of the last block whose events were applied.",
		}),
		ChainEvents: prometheus.NewCounterVec(prometheus.CounterOpts{
			Namespace: ns, Name: "chain_events_total",
			Help: "x/streaming events applied from committed blocks, by kind.",
		}, []string{"kind"}),
	}
	m.relayLatency = map[string]prometheus.Observer{}
	for _, t := range []string{protocol.TypeOffer, protocol.TypeAnswer, protocol.TypeCandidate} {
		m.relayLatency[t] = m.RelayLatency.WithLabelValues(t)
	}
	m.CachedStream = m.ChainQueries.WithLabelValues("stream", "cached")
	m.CachedStreamNotFound = m.ChainQueries.WithLabelValues("stream", "cached_not_found")
	m.CachedSubscription = m.ChainQueries.WithLabelValues("subscription", "cached")
	m.CachedNotSubscribed = m.ChainQueries.WithLabelValues("subscription", "cached_not_subscribed")
	reg.MustRegister(m.Connections, m.ConnectionsRejected, m.Disconnects, m.LiveStreams, m.Viewers,
		m.AuthFailures, m.Errors, m.RelayLatency, m.ChainQueries, m.ChainUp, m.SessionsCut,
		m.RelayRefused, m.ChainEventsUp, m.ChainEventHeight, m.ChainEvents, m.ChatMessages,
		m.SFUServersUp, m.SFUPublications, m.SFUViewers, m.SFUFailures,
		m.SFUServerRooms, m.SFUServerViewers, m.SFURoomsReclaimed, m.SFUReoffers)
	return m
}
