package redis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/streamchain/streamchain/signaling/internal/chat"
)

// ChatStore keeps chat sessions in Redis, shared by every instance: per
// session a list of the kept messages (JSON, newest first, trimmed to
// keep) and a hash of restrictions. Both expire ttl after their last
// change, so a session whose End never ran (its instance died) does not
// stay.
type ChatStore struct {
	rdb    goredis.UniversalClient
	prefix string
	ttl    time.Duration
}

// NewChatStore is a ChatStore with keys under prefix.
func NewChatStore(rdb goredis.UniversalClient, prefix string, ttl time.Duration) *ChatStore {
	return &ChatStore{rdb: rdb, prefix: prefix, ttl: ttl}
}

func (s *ChatStore) logKey(session string) string   { return s.prefix + "chat:" + session + ":log" }
func (s *ChatStore) restrKey(session string) string { return s.prefix + "chat:" + session + ":restr" }

func chatUnavailable(err error) error { return fmt.Errorf("%w: %v", chat.ErrUnavailable, err) }

func (s *ChatStore) Append(ctx context.Context, session string, m chat.Message, keep int) error {
	b, err := json.Marshal(m)
	if err != nil {
		return err
	}
	k := s.logKey(session)
	_, err = s.rdb.TxPipelined(ctx, func(p goredis.Pipeliner) error {
		p.LPush(ctx, k, b)
		p.LTrim(ctx, k, 0, int64(keep-1))
		p.Expire(ctx, k, s.ttl)
		return nil
	})
	if err != nil {
		return chatUnavailable(err)
	}
	return nil
}

func (s *ChatStore) History(ctx context.Context, session string) ([]chat.Message, error) {
	raw, err := s.rdb.LRange(ctx, s.logKey(session), 0, -1).Result()
	if err != nil {
		return nil, chatUnavailable(err)
	}
	out := make([]chat.Message, 0, len(raw))
	for i := len(raw) - 1; i >= 0; i-- { // stored newest first
		var m chat.Message
		if json.Unmarshal([]byte(raw[i]), &m) == nil {
			out = append(out, m)
		}
	}
	return out, nil
}

// Delete finds the message among the kept ones (at most keep, so bounded)
// and removes exactly that element.
func (s *ChatStore) Delete(ctx context.Context, session, id string) (bool, error) {
	k := s.logKey(session)
	raw, err := s.rdb.LRange(ctx, k, 0, -1).Result()
	if err != nil {
		return false, chatUnavailable(err)
	}
	for _, r := range raw {
		var m chat.Message
		if json.Unmarshal([]byte(r), &m) == nil && m.ID == id {
			n, err := s.rdb.LRem(ctx, k, 1, r).Result()
			if err != nil {
				return false, chatUnavailable(err)
			}
			return n > 0, nil
		}
	}
	return false, nil
}

// restrictScript sets a field to the larger of its value and ARGV[2] and
// renews the key's expiry, in one step.
var restrictScript = goredis.NewScript(`
local cur = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local new = tonumber(ARGV[2])
if new > cur then redis.call('HSET', KEYS[1], ARGV[1], new) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1`)

func (s *ChatStore) Restrict(ctx context.Context, session, account string, r chat.Restriction) error {
	err := restrictScript.Run(ctx, s.rdb, []string{s.restrKey(session)}, account, int(r), s.ttl.Milliseconds()).Err()
	if err != nil {
		return chatUnavailable(err)
	}
	return nil
}

func (s *ChatStore) Restriction(ctx context.Context, session, account string) (chat.Restriction, error) {
	v, err := s.rdb.HGet(ctx, s.restrKey(session), account).Result()
	if errors.Is(err, goredis.Nil) {
		return chat.Allowed, nil
	}
	if err != nil {
		return chat.Allowed, chatUnavailable(err)
	}
	n, _ := strconv.Atoi(v)
	return chat.Restriction(n), nil
}

func (s *ChatStore) End(ctx context.Context, session string) error {
	if err := s.rdb.Del(ctx, s.logKey(session), s.restrKey(session)).Err(); err != nil {
		return chatUnavailable(err)
	}
	return nil
}
