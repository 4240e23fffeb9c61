package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"
)

// RedisStore keeps sessions in Redis, shared by every instance: per
// session a list of the kept messages (JSON, newest first, trimmed to
// keep) and a hash of restrictions. Both expire TTL after their last
// change, so a session whose End never ran (its instance died) does not
// stay.
type RedisStore struct {
	rdb    redis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewRedisStore is a RedisStore with keys under prefix.
func NewRedisStore(rdb redis.UniversalClient, prefix string, ttl time.Duration) *RedisStore {
	return &RedisStore{rdb: rdb, prefix: prefix, ttl: ttl}
}

func (s *RedisStore) logKey(session string) string   { return s.prefix + "chat:" + session + ":log" }
func (s *RedisStore) restrKey(session string) string { return s.prefix + "chat:" + session + ":restr" }

func unavailable(err error) error { return fmt.Errorf("%w: %v", ErrUnavailable, err) }

func (s *RedisStore) Append(ctx context.Context, session string, m Message, keep int) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	k := s.logKey(session)
	_, err = s.rdb.TxPipelined(ctx, func(p redis.Pipeliner) error {
		p.LPush(ctx, k, b)
		p.LTrim(ctx, k, 0, int64(keep-1))
		p.Expire(ctx, k, s.ttl)
		return nil
	})
	if err != nil {
		return unavailable(err)
	}
	return nil
}

func (s *RedisStore) History(ctx context.Context, session string) ([]Message, error) {
	raw, err := s.rdb.LRange(ctx, s.logKey(session), 0, -1).Result()
	if err != nil {
		return nil, unavailable(err)
	}
	out := make([]Message, 0, len(raw))
	for i := len(raw) - 1; i >= 0; i-- { // stored newest first
		var m Message
		if json.Unmarshal([]byte(raw[i]), &m) == nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// Delete finds the message among the kept ones (at most keep, so bounded)
// and removes exactly that element.
func (s *RedisStore) Delete(ctx context.Context, session, id string) (bool, error) {
	k := s.logKey(session)
	raw, err := s.rdb.LRange(ctx, k, 0, -1).Result()
	if err != nil {
		return false, unavailable(err)
	}
	for _, r := range raw {
		var m Message
		if json.Unmarshal([]byte(r), &m) == nil && m.ID == id {
			n, err := s.rdb.LRem(ctx, k, 1, r).Result()
			if err != nil {
				return false, unavailable(err)
			}
			return n > 0, nil
		}
	}
	return false, nil
}

// restrictScript sets a field to the larger of its value and ARGV[2] and
// renews the key's expiry, in one step.
var restrictScript = redis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local new = tonumber(ARGV[2])
if new > cur then redis.call('HSET', KEYS[1], ARGV[1], new) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`)

func (s *RedisStore) Restrict(ctx context.Context, session, account string, r Restriction) error {
	err := restrictScript.Run(ctx, s.rdb, []string{s.restrKey(session)}, account, int(r), s.ttl.Milliseconds()).Err()
	if err != nil {
		return unavailable(err)
	}
	return nil
}

func (s *RedisStore) Restriction(ctx context.Context, session, account string) (Restriction, error) {
	v, err := s.rdb.HGet(ctx, s.restrKey(session), account).Result()
	if errors.Is(err, redis.Nil) {
		return Allowed, nil
	}
	if err != nil {
		return Allowed, unavailable(err)
	}
	n, _ := strconv.Atoi(v)
	return Restriction(n), nil
}

func (s *RedisStore) End(ctx context.Context, session string) error {
	if err := s.rdb.Del(ctx, s.logKey(session), s.restrKey(session)).Err(); err != nil {
		return unavailable(err)
	}
	return nil
}
