package signaling

import (
	"context"
	"net/http"
	"time"

	"github.com/streamchain/streamchain/signaling/protocol"
)

// The instances a client may connect to: GET /instances.json, and the
// draining event sent before an instance closes its connections.

// InstancesList is the body of GET /instances.json.
type InstancesList struct {
	// Instances are the live instances, this one first. In single mode
	// only this one.
	Instances []protocol.Instance `json:"instances"`
}

// Instances lists the live instances, this one first.
func (s *Server) Instances(r *http.Request) InstancesList {
	return InstancesList{Instances: s.router.Instances(r)}
}

func (s *Server) serveInstances(w http.ResponseWriter, r *http.Request) {
	// Public data (no counts, no addresses), read by pages another
	// instance served: they refresh the list from a survivor.
	w.Header().Set("Access-Control-Allow-Origin", "*")
	writeJSON(w, http.StatusOK, s.Instances(r))
}

// defaultReconnectWithin is what draining says when the drain has no
// deadline.
const defaultReconnectWithin = 10 * time.Second

// drainingFrame tells a client to move before the drain's deadline, naming
// where it can go.
func drainingFrame(ctx context.Context, others []protocol.Instance) []byte {
	within := defaultReconnectWithin
	if d, ok := ctx.Deadline(); ok {
		within = time.Until(d)
	}
	if others == nil {
		others = []protocol.Instance{}
	}
	return protocol.Encode(protocol.DrainingMsg{Type: protocol.TypeDraining, ReconnectWithinMS: within.Milliseconds(), Instances: others})
}
