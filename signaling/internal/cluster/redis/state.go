package redis

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"sync/atomic"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/streamchain/streamchain/signaling/internal/hub"
	"github.com/streamchain/streamchain/signaling/internal/live"
	"github.com/streamchain/streamchain/signaling/protocol"
)

// The shared state in Redis. Every key is under "signaling:"; multi-key
// decisions are Lua scripts, atomic on the server. The scripts read the
// liveness keys of the instances they find named in values, so they assume
// one Redis (or a primary with replicas), not Redis Cluster.
//
//	signaling:instance:<id>   this instance's advertised URL, TTL InstanceTTL
//	signaling:instances       set of the instance ids seen (pruned when dead)
//	signaling:home:<stream>   the id of the instance whose hub holds the stream's session, TTL InstanceTTL
//	signaling:slots:<address> one field "<instance>/<n>" per viewer session of the account, anywhere
//	signaling:nonce:<nonce>   an issued challenge: text, used; TTL its lifetime
//	signaling:live:<id>       the instance's on-air streams and counts (JSON), TTL InstanceTTL
//	signaling:placements:<id> hash: one field <stream> per media server placement of a stream the instance
//	                          is home of (JSON sfu.Placement: home, backend (API URL), room, secret, subscribers,
//	                          cascades — at most one per media server); TTL InstanceTTL + 1 min, so a
//	                          survivor can take it after the instance is gone (placements.go). It holds
//	                          room secrets: Redis is trusted infrastructure, reached by signalingd only.
//	                          A process starting under an id renames its predecessor's hash to
//	                          signaling:placements:<id>/<n>, an id no instance has, to be taken likewise.
//	signaling:placements      set of the instance ids with a placements hash (pruned as they are taken)
//	signaling:sfuload:<id>    the instance's load per media server (JSON {api url: {rooms, subscribers}}), TTL InstanceTTL
const (
	keyPrefix     = "signaling:"
	instanceKeyPf = keyPrefix + "instance:"
	instancesKey  = keyPrefix + "instances"
	// placementOwnersKey is the set of instances with placements.
	placementOwnersKey = keyPrefix + "placements"
)

func instanceKey(id string) string      { return instanceKeyPf + id }
func homeKey(stream uint64) string      { return keyPrefix + "home:" + strconv.FormatUint(stream, 10) }
func slotsKey(address string) string    { return keyPrefix + "slots:" + address }
func nonceKey(nonce string) string      { return keyPrefix + "nonce:" + nonce }
func liveKey(id string) string          { return keyPrefix + "live:" + id }
func placementsKey(id string) string    { return placementOwnersKey + ":" + id }
func placementLoadKey(id string) string { return keyPrefix + "sfuload:" + id }
func instanceChannel(id string) string  { return keyPrefix + "to:" + id }

// claimHome: the stream's home is its current holder if that instance is
// alive, else the caller, whose lease starts now.
var claimHome = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] and redis.call('EXISTS', ARGV[3] .. v) == 1 then return v end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return ARGV[1]`)

// refreshHome extends the caller's lease (or takes it again after Redis
// forgot it); 0 when another instance holds it.
var refreshHome = goredis.NewScript(`
local v = redis.call('GET', KEYS[1])
if v and v ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`)

// releaseHome drops the caller's lease, never another instance's.
var releaseHome = goredis.NewScript(`
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`)

// takeSlot adds a viewer session to an account's count if it is under the
// cap, first pruning the entries of instances that are gone.
var takeSlot = goredis.NewScript(`
local n = 0
for _, f in ipairs(redis.call('HKEYS', KEYS[1])) do
  local inst = string.match(f, '^(.-)/')
  if inst and redis.call('EXISTS', ARGV[3] .. inst) == 1 then n = n + 1 else redis.call('HDEL', KEYS[1], f) end
end
if n >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], '1')
redis.call('PEXPIRE', KEYS[1], ARGV[4])
return 1`)

// takeNonce burns a nonce if it was issued with this text and is unused.
// Any connection on any instance may answer it, once (a nonce issued by
// one instance and answered on another is accepted once, anywhere): a client that moves between instances while its user is in
// the wallet's pop-up need not sign again.
var takeNonce = goredis.NewScript(`
local v = redis.call('HMGET', KEYS[1], 'text', 'used')
if not v[1] then return 'unknown' end
if v[2] then return 'used' end
if v[1] ~= ARGV[1] then return 'text' end
redis.call('HSET', KEYS[1], 'used', '1')
return 'ok'`)

// slotsTTL only bounds garbage: live entries are kept by their instance's
// liveness, pruned by takeSlot once it is gone.
const slotsTTL = 24 * time.Hour

var slotSeq atomic.Uint64

// refresh writes this instance's liveness, leases and live view, and returns
// the other live instances.
func (sh *Router) refresh(ctx context.Context, self protocol.Instance, rooms []uint64) (map[string]protocol.Instance, error) {
	ttl := sh.cfg.InstanceTTL
	view, _ := json.Marshal(sh.live.LocalSnapshot())
	pipe := sh.rdb.Pipeline()
	pipe.Set(ctx, instanceKey(self.ID), self.URL, ttl)
	pipe.SAdd(ctx, instancesKey, self.ID)
	pipe.Set(ctx, liveKey(self.ID), view, ttl)
	leases := make([]*goredis.Cmd, len(rooms))
	for i, id := range rooms {
		leases[i] = refreshHome.Eval(ctx, pipe, []string{homeKey(id)}, sh.id, ttl.Milliseconds())
	}
	members := pipe.SMembers(ctx, instancesKey)
	if _, err := pipe.Exec(ctx); err != nil {
		return nil, err
	}
	for i, c := range leases {
		if n, _ := c.Int(); n == 0 {
			// Another instance claimed the stream while this one could
			// not refresh (Redis restarted, or this process stalled):
			// one session per stream, so this one ends and its peers
			// join again, at the real home.
			sh.log.Warn("another instance holds the home lease of a stream this hub carries; ending it here", "stream_id", rooms[i])
			sh.hub.EndStream(rooms[i], protocol.ReasonInstanceLost)
		}
	}
	ids := members.Val()
	others := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != self.ID {
			others = append(others, id)
		}
	}
	alive := make(map[string]protocol.Instance, len(others))
	if len(others) == 0 {
		sh.live.SetRemote(nil)
		return alive, nil
	}
	keys := make([]string, 0, 2*len(others))
	for _, id := range others {
		keys = append(keys, instanceKey(id))
	}
	for _, id := range others {
		keys = append(keys, liveKey(id))
	}
	vals, err := sh.rdb.MGet(ctx, keys...).Result()
	if err != nil {
		return nil, err
	}
	var gone []any
	var remote []live.Stream
	for i, id := range others {
		u, ok := vals[i].(string)
		if !ok {
			gone = append(gone, id)
			continue
		}
		alive[id] = protocol.Instance{ID: id, URL: u}
		if s, ok := vals[len(others)+i].(string); ok {
			var snap live.Snapshot
			if json.Unmarshal([]byte(s), &snap) == nil {
				remote = append(remote, snap.Streams...)
			}
		}
	}
	sh.live.SetRemote(remote)
	if len(gone) > 0 {
		sh.rdb.SRem(ctx, instancesKey, gone...)
	}
	return alive, nil
}

// forget withdraws this instance: liveness, leases, live view.
func (sh *Router) forget(ctx context.Context, rooms []uint64) error {
	pipe := sh.rdb.Pipeline()
	pipe.Del(ctx, instanceKey(sh.id), liveKey(sh.id))
	pipe.SRem(ctx, instancesKey, sh.id)
	for _, id := range rooms {
		releaseHome.Eval(ctx, pipe, []string{homeKey(id)}, sh.id)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// home claims or reads the home of stream id.
func (sh *Router) home(id uint64) (string, *protocol.ProtocolError) {
	ctx, cancel := sh.opCtx()
	defer cancel()
	v, err := claimHome.Run(ctx, sh.rdb, []string{homeKey(id)}, sh.id, sh.cfg.InstanceTTL.Milliseconds(), instanceKeyPf).Text()
	sh.reachable(err)
	if err != nil {
		sh.log.Warn("claiming a stream's home failed", "stream_id", id, "err", err)
		return "", hub.Unavailable()
	}
	return v, nil
}

// RoomGone releases the home lease of a stream whose room this hub just
// dropped, unless a new join made the room again meanwhile.
func (sh *Router) RoomGone(id uint64) {
	sh.async(func(ctx context.Context) {
		if sh.hub.HasRoom(id) {
			return
		}
		releaseHome.Run(ctx, sh.rdb, []string{homeKey(id)}, sh.id)
	})
}

// TakeSeat counts one more viewer session of address over all
// instances, refusing it at max.
func (sh *Router) TakeSeat(address string, max int) (string, *protocol.ProtocolError) {
	slot := sh.id + "/" + strconv.FormatUint(slotSeq.Add(1), 10)
	ctx, cancel := sh.opCtx()
	defer cancel()
	n, err := takeSlot.Run(ctx, sh.rdb, []string{slotsKey(address)}, slot, max, instanceKeyPf, slotsTTL.Milliseconds()).Int()
	sh.reachable(err)
	if err != nil {
		return "", hub.Unavailable()
	}
	if n == 0 {
		return "", protocol.Errorf(protocol.CodeTooManySessions, "%s already watches from %d connections", address, max)
	}
	return slot, nil
}

// GiveSeat gives a seat back, off the caller's goroutine.
func (sh *Router) GiveSeat(address, slot string) {
	if slot == "" {
		return
	}
	sh.async(func(ctx context.Context) { sh.rdb.HDel(ctx, slotsKey(address), slot) })
}

// putNonce records an issued challenge until it expires.
func (sh *Router) putNonce(nonce, text string, expires time.Time) error {
	ctx, cancel := sh.opCtx()
	defer cancel()
	pipe := sh.rdb.TxPipeline()
	pipe.HSet(ctx, nonceKey(nonce), "text", text)
	pipe.PExpireAt(ctx, nonceKey(nonce), expires)
	_, err := pipe.Exec(ctx)
	sh.reachable(err)
	return err
}

// takeNonce burns nonce if it was issued with text, or says why not.
func (sh *Router) takeNonce(nonce, text string) (string, error) {
	ctx, cancel := sh.opCtx()
	defer cancel()
	v, err := takeNonce.Run(ctx, sh.rdb, []string{nonceKey(nonce)}, text).Text()
	sh.reachable(err)
	return v, err
}

func (sh *Router) dropNonce(nonce string) {
	sh.async(func(ctx context.Context) { sh.rdb.Del(ctx, nonceKey(nonce)) })
}

func isNil(err error) bool { return errors.Is(err, goredis.Nil) }
