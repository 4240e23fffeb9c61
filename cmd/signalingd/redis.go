package main

import (
	"log/slog"
	"net"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/streamchain/streamchain/signaling"
)

// Shared-mode liveness defaults: an instance is gone 3 s after its last
// refresh, refreshed every second.
const (
	defaultInstanceTTL     = 3 * time.Second
	defaultInstanceRefresh = time.Second
	// redisTimeout bounds connecting to Redis and one reply, unless the
	// URL says otherwise: a hung Redis must not hold a join for long.
	redisTimeout = time.Second
)

// sharedMode is the shared-mode option for the settings and the public
// listener, and the Redis client to close at exit; nil, nil without -redis.
func sharedMode(cfg settings, ln net.Listener, log *slog.Logger) (signaling.Option, *redis.Client, error) {
	if cfg.Redis == "" {
		return nil, nil, nil
	}
	opts, err := redis.ParseURL(cfg.Redis)
	if err != nil {
		return nil, nil, err
	}
	for _, d := range []*time.Duration{&opts.DialTimeout, &opts.ReadTimeout, &opts.WriteTimeout} {
		if *d == 0 {
			*d = redisTimeout
		}
	}
	rdb := redis.NewClient(opts)
	url := cfg.AdvertiseURL
	if url == "" {
		url = "http://" + ln.Addr().String()
	}
	log.Info("shared mode", "redis", opts.Addr, "db", opts.DB, "instance", cfg.InstanceID, "advertise_url", url)
	return signaling.WithShared(signaling.SharedConfig{
		Redis: rdb, InstanceID: cfg.InstanceID, AdvertiseURL: url,
		InstanceTTL: cfg.InstanceTTL, RefreshInterval: cfg.InstanceRefresh,
	}), rdb, nil
}
