package redis

import (
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	goredis "github.com/redis/go-redis/v9"
)

// Connection defaults, applied when the URL does not set them. They keep a stopped or
// unreachable server from stalling requests: a command fails within a few seconds at most
// (at once when the connection is refused) and the pool reconnects in the background.
const (
	defaultDialTimeout = time.Second
	defaultReadTimeout = 2 * time.Second
	defaultPoolTimeout = 2 * time.Second
	defaultMaxRetries  = 1
	defaultDialRetries = 2
)

// ParseURL turns a store URL into go-redis universal options. Accepted forms:
//
//	redis://[user:password@]host[:port][/db][?option=value&…]    one server
//	rediss://…                                                    the same over TLS
//	redis://[user:password@]h1:6379,h2:6379,h3:6379               Redis Cluster (seed nodes)
//	redis://h1:6379?cluster=true                                  Cluster through one address
//	redis://[user:password@]s1:26379,s2:26379/db?master_name=mymaster  Sentinel
//
// The port defaults to 6379 and db to 0 (Cluster has only db 0). Besides go-redis's own URL
// options (dial_timeout, read_timeout, write_timeout, pool_size, pool_timeout, max_retries,
// client_name, protocol, skip_verify, …) it accepts master_name, sentinel_username,
// sentinel_password and cluster. Timeouts left unset default to 1 s (dial) and 2 s (read and
// pool; write follows read), with one retry, so that an unreachable server answers promptly.
func ParseURL(raw string) (*goredis.UniversalOptions, error) {
	scheme, rest, ok := strings.Cut(raw, "://")
	if !ok || (scheme != "redis" && scheme != "rediss") {
		return nil, fmt.Errorf("redis: store URL %q: want redis://… or rediss://…", Redact(raw))
	}
	end := strings.IndexAny(rest, "/?")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo, hostlist := "", authority
	if i := strings.LastIndex(authority, "@"); i >= 0 {
		userinfo, hostlist = authority[:i+1], authority[i+1:]
	}
	var addrs []string
	for h := range strings.SplitSeq(hostlist, ",") {
		addr, err := withPort(strings.TrimSpace(h))
		if err != nil {
			return nil, fmt.Errorf("redis: store URL %q: %w", Redact(raw), err)
		}
		addrs = append(addrs, addr)
	}

	// Take our own query options out; go-redis refuses unknown ones.
	path, rawQuery, _ := strings.Cut(tail, "?")
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fmt.Errorf("redis: store URL %q: %w", Redact(raw), err)
	}
	take := func(name string) string {
		v := q.Get(name)
		q.Del(name)
		return v
	}
	master := take("master_name")
	sentinelUser, sentinelPassword := take("sentinel_username"), take("sentinel_password")
	cluster := false
	if v := take("cluster"); v != "" {
		if cluster, err = strconv.ParseBool(v); err != nil {
			return nil, fmt.Errorf("redis: store URL %q: cluster=%q: %w", Redact(raw), v, err)
		}
	}
	single := scheme + "://" + userinfo + addrs[0] + path
	if len(q) > 0 {
		single += "?" + q.Encode()
	}
	o, err := goredis.ParseURL(single)
	if err != nil {
		return nil, fmt.Errorf("redis: store URL %q: %w", Redact(raw), err)
	}
	isCluster := master == "" && (cluster || len(addrs) > 1)
	if isCluster && o.DB != 0 {
		return nil, fmt.Errorf("redis: store URL %q: Redis Cluster has only db 0", Redact(raw))
	}
	u := &goredis.UniversalOptions{
		Addrs:            addrs,
		ClientName:       o.ClientName,
		DB:               o.DB,
		Protocol:         o.Protocol,
		Username:         o.Username,
		Password:         o.Password,
		SentinelUsername: sentinelUser,
		SentinelPassword: sentinelPassword,
		MasterName:       master,
		IsClusterMode:    isCluster,
		MaxRetries:       o.MaxRetries,
		MinRetryBackoff:  o.MinRetryBackoff,
		MaxRetryBackoff:  o.MaxRetryBackoff,
		DialTimeout:      o.DialTimeout,
		ReadTimeout:      o.ReadTimeout,
		WriteTimeout:     o.WriteTimeout,
		PoolFIFO:         o.PoolFIFO,
		PoolSize:         o.PoolSize,
		PoolTimeout:      o.PoolTimeout,
		MinIdleConns:     o.MinIdleConns,
		MaxIdleConns:     o.MaxIdleConns,
		MaxActiveConns:   o.MaxActiveConns,
		ConnMaxIdleTime:  o.ConnMaxIdleTime,
		ConnMaxLifetime:  o.ConnMaxLifetime,
		TLSConfig:        o.TLSConfig,
		DialerRetries:    defaultDialRetries,
	}
	setDefault(&u.DialTimeout, defaultDialTimeout)
	setDefault(&u.ReadTimeout, defaultReadTimeout)
	setDefault(&u.WriteTimeout, u.ReadTimeout) // go-redis's rule: writes follow reads
	setDefault(&u.PoolTimeout, defaultPoolTimeout)
	if u.MaxRetries == 0 {
		u.MaxRetries = defaultMaxRetries
	}
	if u.TLSConfig != nil && len(addrs) > 1 {
		u.TLSConfig.ServerName = "" // each node is verified by its own host name
	}
	return u, nil
}

func setDefault(d *time.Duration, def time.Duration) {
	if *d == 0 {
		*d = def
	}
}

// withPort adds the default port 6379 to a host without one.
func withPort(h string) (string, error) {
	if h == "" {
		return "", fmt.Errorf("empty host")
	}
	if host, port, err := net.SplitHostPort(h); err == nil {
		if host == "" {
			host = "localhost"
		}
		return net.JoinHostPort(host, port), nil
	}
	return net.JoinHostPort(strings.Trim(h, "[]"), "6379"), nil
}

// Redact hides the passwords in a store URL, for messages and banners.
func Redact(raw string) string {
	raw = userPassword.ReplaceAllString(raw, "${1}xxxxx@")
	return queryPassword.ReplaceAllString(raw, "${1}xxxxx")
}

var (
	userPassword  = regexp.MustCompile(`(://[^:/?@]*:)[^/?]*@`)
	queryPassword = regexp.MustCompile(`(password=)[^&]*`)
)
