package hub

import (
	"crypto/hmac"
	"crypto/sha1"
	"encoding/base64"
	"slices"
	"strconv"

	"github.com/streamchain/streamchain/signaling/protocol"
)

// iceServers is the configured list, plus short-lived TURN credentials for
// this peer when a TURN secret is configured (coturn use-auth-secret). An
// unconfigured server hands out an empty list, never null.
func (h *Hub) iceServers(peerID string) []protocol.ICEServer {
	list := slices.Clone(h.cfg.ICEServers)
	if t := h.cfg.TURN; t.Secret != "" {
		user := strconv.FormatInt(h.now().Add(t.TTL).Unix(), 10) + ":" + peerID
		mac := hmac.New(sha1.New, []byte(t.Secret))
		mac.Write([]byte(user))
		list = append(list, protocol.ICEServer{URLs: t.URLs, Username: user, Credential: base64.StdEncoding.EncodeToString(mac.Sum(nil))})
	}
	if list == nil {
		list = []protocol.ICEServer{}
	}
	return list
}
