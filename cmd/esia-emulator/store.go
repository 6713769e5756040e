package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/bolt"
	"github.com/esia-emulator/esia-emulator/storage/keyfile"
	"github.com/esia-emulator/esia-emulator/storage/memory"
	"github.com/esia-emulator/esia-emulator/storage/redis"
)

// storeOpenTimeout bounds connecting to Redis at start.
const storeOpenTimeout = 10 * time.Second

// The memory store deletes values an hour after they expired (by the wall clock), every
// minute, like the bolt store, so a long-running emulator does not keep every old request.
const (
	memorySweepInterval = time.Minute
	memorySweepGrace    = time.Hour
)

// openStore opens the named backend:
//
//	bolt                   <dataDir>/esia.db, durable; signing keys and secrets live in it
//	memory                 lost on exit; keys and secrets in <dataDir>/keys.json so tokens and
//	                       cookies survive restarts
//	redis://…, rediss://…  shared by replicas under redisPrefix; keys and secrets live in it
//
// keys is nil when the store itself keeps the keys.
//
// go-redis's own log lines (each failed dial while Redis is down, …) go to log at debug level:
// the provider already logs every request the store failed.
func openStore(name, dataDir, redisPrefix string, log *slog.Logger) (store storage.Store, keys storage.Keys, err error) {
	switch {
	case name == "bolt":
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, nil, fmt.Errorf("--store bolt: %w", err)
		}
		s, err := bolt.Open(filepath.Join(dataDir, "esia.db"))
		if err != nil {
			return nil, nil, fmt.Errorf("--store bolt: %w", err)
		}
		return s, nil, nil
	case name == "memory":
		return memory.New(memory.WithSweeper(memorySweepInterval, memorySweepGrace)), keyfile.Open(filepath.Join(dataDir, "keys.json")), nil
	case strings.HasPrefix(name, "redis://"), strings.HasPrefix(name, "rediss://"):
		goredis.SetLogger(redisLogger{log})
		ctx, cancel := context.WithTimeout(context.Background(), storeOpenTimeout)
		defer cancel()
		s, err := redis.Open(ctx, name, redisPrefix)
		if err != nil {
			return nil, nil, fmt.Errorf("--store: %w", maskedError{err, storeSecrets(name)})
		}
		return s, nil, nil
	}
	return nil, nil, fmt.Errorf("--store %q: want bolt, memory, or a redis:// or rediss:// URL", storeURL(name))
}

// maskedError is err with the given secrets masked in its message: some errors of
// storage/redis quote the URL as given (url.Parse's), password included.
type maskedError struct {
	err     error
	secrets []string
}

func (e maskedError) Error() string {
	msg := e.err.Error()
	for _, s := range e.secrets {
		msg = strings.ReplaceAll(msg, s, "xxxxx")
	}
	return msg
}

func (e maskedError) Unwrap() error { return e.err }

var (
	urlPassword   = regexp.MustCompile(`://[^:/?@]*:([^/?]*)@`)
	queryPassword = regexp.MustCompile(`password=([^&]*)`)
)

// storeSecrets are the passwords in a store URL (user info and password= parameters).
func storeSecrets(url string) []string {
	var secrets []string
	for _, re := range []*regexp.Regexp{urlPassword, queryPassword} {
		for _, m := range re.FindAllStringSubmatch(url, -1) {
			if m[1] != "" {
				secrets = append(secrets, m[1])
			}
		}
	}
	return secrets
}

// redisLogger passes go-redis's log lines to slog at debug level.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}
