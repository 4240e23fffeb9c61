package redis

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"time"

	goredis "github.com/redis/go-redis/v9"
	"github.com/streamchain/streamchain/signaling/internal/sfu"
)

// The media server tier's placements, shared (sfu.Ledger). Each instance
// writes its own streams' placements into a hash of its own and a summary
// of its load per media server; the others read the summaries to weigh
// their choices, and a survivor takes the hash of an instance that is gone
// to remove the rooms it left on Janus. Redis is trusted infrastructure
// here, as it is for the sessions: a placement carries its rooms' secrets,
// which is what removing them takes.
//
// The tier calls Place and Unplace under its locks; they only note the
// change, and the placements loop writes it. Elsewhere reads what the loop
// last read.

// placementsReclaimWindow is how long a gone instance's placements stay
// for a survivor to take them: far past the InstanceTTL after which it is
// gone. A deployment whose every instance is gone for longer leaves its
// rooms on Janus.
const placementsReclaimWindow = time.Minute

// reclaimPlacements takes up to ARGV[2] placements of instance ARGV[3]
// (its hash KEYS[1]) if it is gone: neither its liveness key (ARGV[1]) nor
// its load summary (ARGV[4], which it keeps while it drains) exists. They
// are removed as they are returned, so each goes to one caller; the
// instance leaves KEYS[2], the set of instances with placements, when its
// hash is empty.
var reclaimPlacements = goredis.NewScript(`
if redis.call('EXISTS', ARGV[1]) == 1 or redis.call('EXISTS', ARGV[4]) == 1 then return {} end
local n = tonumber(ARGV[2])
local kv = redis.call('HSCAN', KEYS[1], '0', 'COUNT', n)[2]
local out = {}
for i = 1, #kv, 2 do
  if #out >= n then break end
  redis.call('HDEL', KEYS[1], kv[i])
  table.insert(out, kv[i + 1])
end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('SREM', KEYS[2], ARGV[3]) end
return out`)

// retirePlacements hands the placements a previous process of this
// instance id left (KEYS[1]) over to be taken as a gone instance's: the
// hash is renamed to KEYS[2], under id ARGV[1], which no instance has (it
// holds a '/'), and listed in KEYS[3]. A process restarted at once under
// the same id would otherwise overwrite them before anyone saw it gone.
var retirePlacements = goredis.NewScript(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('SADD', KEYS[3], ARGV[1])
return 1`)

var _ sfu.Ledger = (*placements)(nil)

// placements is the Router's sfu.Ledger.
type placements struct {
	sh      *Router
	changed chan struct{} // wakes the loop to write

	// retired: what a previous process of this id left has been handed
	// over (placements loop only); nothing is written before.
	retired bool

	mu        sync.Mutex
	own       map[uint64]sfu.Placement // this instance's, by stream
	dirty     map[uint64]bool          // streams to write (or delete) next
	elsewhere map[string]sfu.Load      // the others' load, as last read
}

func newPlacements(sh *Router) *placements {
	return &placements{sh: sh, changed: make(chan struct{}, 1), own: map[uint64]sfu.Placement{}, dirty: map[uint64]bool{}}
}

// Placements is the deployment's ledger of media server placements.
func (sh *Router) Placements() sfu.Ledger { return sh.placed }

func (pl *placements) Place(p sfu.Placement) {
	p.Home = pl.sh.id
	pl.note(p.Stream, &p)
}

func (pl *placements) Unplace(stream uint64) { pl.note(stream, nil) }

func (pl *placements) note(stream uint64, p *sfu.Placement) {
	pl.mu.Lock()
	if p != nil {
		pl.own[stream] = *p
	} else {
		delete(pl.own, stream)
	}
	pl.dirty[stream] = true
	pl.mu.Unlock()
	select {
	case pl.changed <- struct{}{}:
	default:
	}
}

func (pl *placements) Elsewhere() map[string]sfu.Load {
	pl.mu.Lock()
	defer pl.mu.Unlock()
	return pl.elsewhere
}

// Abandoned takes placements of instances that are gone, once Redis has
// answered for a full TTL (so that a Redis that forgot the liveness keys
// is not read as every instance gone).
func (pl *placements) Abandoned(ctx context.Context, max int) ([]sfu.Placement, error) {
	sh := pl.sh
	if !sh.stable.Load() {
		return nil, nil
	}
	ids, err := sh.rdb.SMembers(ctx, placementOwnersKey).Result()
	if err != nil {
		return nil, err
	}
	sh.mu.Lock()
	alive := make(map[string]bool, len(sh.alive))
	for id := range sh.alive {
		alive[id] = true
	}
	sh.mu.Unlock()
	var out []sfu.Placement
	for _, id := range ids {
		// The script decides; the ones seen alive are not asked.
		if alive[id] || id == sh.id || len(out) >= max {
			continue
		}
		vals, err := reclaimPlacements.Run(ctx, sh.rdb, []string{placementsKey(id), placementOwnersKey},
			instanceKey(id), max-len(out), id, placementLoadKey(id)).StringSlice()
		if err != nil {
			return out, err
		}
		for _, v := range vals {
			var p sfu.Placement
			if json.Unmarshal([]byte(v), &p) == nil {
				out = append(out, p)
			}
		}
	}
	return out, nil
}

// Lookup reads a stream's placement from its home's hash.
func (pl *placements) Lookup(ctx context.Context, stream uint64) (sfu.Placement, bool, error) {
	home, err := pl.sh.rdb.Get(ctx, homeKey(stream)).Result()
	if isNil(err) {
		return sfu.Placement{}, false, nil
	}
	if err != nil {
		return sfu.Placement{}, false, err
	}
	v, err := pl.sh.rdb.HGet(ctx, placementsKey(home), strconv.FormatUint(stream, 10)).Result()
	if isNil(err) {
		return sfu.Placement{}, false, nil
	}
	if err != nil {
		return sfu.Placement{}, false, err
	}
	var p sfu.Placement
	if err := json.Unmarshal([]byte(v), &p); err != nil {
		return sfu.Placement{}, false, err
	}
	return p, true, nil
}

// run writes changes as they come and, every RefreshInterval, writes all
// of this instance's placements again (Redis may have forgotten them) and
// reads the others' load, until the Router stops; then it writes what is
// left to write.
func (pl *placements) run() {
	sh := pl.sh
	defer sh.loops.Done()
	t := time.NewTicker(sh.cfg.RefreshInterval)
	defer t.Stop()
	pl.refresh()
	for {
		select {
		case <-sh.ctx.Done():
			ctx, cancel := context.WithTimeout(context.Background(), sh.cfg.OpTimeout)
			defer cancel()
			pl.flush(ctx)
			return
		case <-pl.changed:
			ctx, cancel := sh.opCtx()
			pl.flush(ctx)
			cancel()
		case <-t.C:
			pl.refresh()
		}
	}
}

// flush writes the changed placements and the load summary.
func (pl *placements) flush(ctx context.Context) {
	if err := pl.write(ctx, false, nil); err != nil {
		pl.sh.log.Debug("writing media server placements; rewritten at the next refresh", "err", err)
	}
}

// refresh writes every placement of this instance again, replacing its
// hash, and reads the others' load.
func (pl *placements) refresh() {
	sh := pl.sh
	ctx, cancel := sh.opCtx()
	defer cancel()
	others := sh.Others()
	var loads *goredis.SliceCmd
	err := pl.write(ctx, true, func(pipe goredis.Pipeliner) {
		if len(others) == 0 {
			return
		}
		keys := make([]string, len(others))
		for i, in := range others {
			keys[i] = placementLoadKey(in.ID)
		}
		loads = pipe.MGet(ctx, keys...)
	})
	if err != nil {
		sh.log.Debug("refreshing media server placements", "err", err)
		return
	}
	elsewhere := map[string]sfu.Load{}
	if loads != nil {
		for _, v := range loads.Val() {
			s, ok := v.(string)
			if !ok {
				continue
			}
			var one map[string]sfu.Load
			if json.Unmarshal([]byte(s), &one) != nil {
				continue
			}
			for name, l := range one {
				elsewhere[name] = elsewhere[name].Add(l)
			}
		}
	}
	pl.mu.Lock()
	pl.elsewhere = elsewhere
	pl.mu.Unlock()
}

// write writes, in one transaction with what also adds, the changed
// placements (all: every one, replacing the hash) and the load summary.
func (pl *placements) write(ctx context.Context, all bool, also func(goredis.Pipeliner)) error {
	sh := pl.sh
	if !pl.retired {
		prev := sh.id + "/" + strconv.FormatInt(time.Now().UnixNano(), 36)
		err := retirePlacements.Run(ctx, sh.rdb, []string{placementsKey(sh.id), placementsKey(prev), placementOwnersKey}, prev).Err()
		if err != nil {
			return err
		}
		pl.retired = true
	}
	pl.mu.Lock()
	set := map[string]any{}
	var del []string
	streams := pl.dirty
	if all {
		streams = make(map[uint64]bool, len(pl.own))
		for stream := range pl.own {
			streams[stream] = true
		}
	}
	for stream := range streams {
		f := strconv.FormatUint(stream, 10)
		if p, ok := pl.own[stream]; ok {
			v, _ := json.Marshal(p)
			set[f] = v
		} else {
			del = append(del, f)
		}
	}
	pl.dirty = map[uint64]bool{}
	summary := pl.summaryLocked()
	pl.mu.Unlock()
	if !all && len(set)+len(del) == 0 {
		return nil
	}
	key := placementsKey(sh.id)
	pipe := sh.rdb.TxPipeline()
	if all {
		pipe.Del(ctx, key)
	}
	if len(set) > 0 {
		pipe.HSet(ctx, key, set)
		pipe.PExpire(ctx, key, sh.cfg.InstanceTTL+placementsReclaimWindow)
		pipe.SAdd(ctx, placementOwnersKey, sh.id)
	}
	if len(del) > 0 {
		pipe.HDel(ctx, key, del...)
	}
	pipe.Set(ctx, placementLoadKey(sh.id), summary, sh.cfg.InstanceTTL)
	if also != nil {
		also(pipe)
	}
	_, err := pipe.Exec(ctx)
	return err
}

// summaryLocked is this instance's load per media server, as JSON: at
// most one entry per media server.
func (pl *placements) summaryLocked() []byte {
	ps := make([]sfu.Placement, 0, len(pl.own))
	for _, p := range pl.own {
		ps = append(ps, p)
	}
	v, _ := json.Marshal(sfu.LoadOf(ps))
	return v
}
