package redis

import (
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseURL(t *testing.T) {
	for _, c := range []struct {
		url               string
		addrs             []string
		db                int
		user, pass        string
		master            string
		cluster, tls      bool
		dial, read, write time.Duration
	}{
		{url: "redis://localhost", addrs: []string{"localhost:6379"}},
		{url: "redis://127.0.0.1:6380/2", addrs: []string{"127.0.0.1:6380"}, db: 2},
		{url: "redis://u:p%40ss@h:1/3?dial_timeout=5s&read_timeout=7", addrs: []string{"h:1"}, db: 3, user: "u", pass: "p@ss", dial: 5 * time.Second, read: 7 * time.Second, write: 7 * time.Second},
		{url: "rediss://:secret@redis.example:6390", addrs: []string{"redis.example:6390"}, pass: "secret", tls: true},
		{url: "redis://[::1]:7000,[::1]:7001,h3", addrs: []string{"[::1]:7000", "[::1]:7001", "h3:6379"}, cluster: true},
		{url: "redis://node:7000?cluster=true", addrs: []string{"node:7000"}, cluster: true},
		{url: "redis://s1:26379,s2:26379/1?master_name=mymaster&sentinel_password=x", addrs: []string{"s1:26379", "s2:26379"}, db: 1, master: "mymaster"},
	} {
		o, err := ParseURL(c.url)
		if err != nil {
			t.Errorf("%s: %v", c.url, err)
			continue
		}
		if c.dial == 0 {
			c.dial = defaultDialTimeout
		}
		if c.read == 0 {
			c.read, c.write = defaultReadTimeout, defaultReadTimeout
		}
		if !slices.Equal(o.Addrs, c.addrs) || o.DB != c.db || o.Username != c.user || o.Password != c.pass ||
			o.MasterName != c.master || o.IsClusterMode != c.cluster || (o.TLSConfig != nil) != c.tls ||
			o.DialTimeout != c.dial || o.ReadTimeout != c.read || o.WriteTimeout != c.write || o.MaxRetries != defaultMaxRetries {
			t.Errorf("%s: got %+v", c.url, o)
		}
	}
	for _, bad := range []string{
		"http://h", "h:6379", "redis://h/x", "redis://h?nosuch=1", "redis://h1,h2/1", "redis://h?cluster=maybe", "redis://,",
	} {
		if _, err := ParseURL(bad); err == nil {
			t.Errorf("%s: accepted", bad)
		}
	}
	if _, err := ParseURL("redis://user:topsecret@h/x"); err == nil || strings.Contains(err.Error(), "topsecret") {
		t.Errorf("error leaks the password: %v", err)
	}
}

func TestPrefix(t *testing.T) {
	for in, want := range map[string]string{
		"":          DefaultPrefix,
		"{esia}:":   "{esia}:",
		"staging":   "{staging}:",
		"staging:":  "{staging}:",
		"app:{a}:":  "app:{a}:",
		"{}broken:": "{{}broken}:",
	} {
		if got := Prefix(in); got != want {
			t.Errorf("Prefix(%q) = %q, want %q", in, got, want)
		}
	}
}
