package redis_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/kv/kvtest"
	"github.com/esia-emulator/esia-emulator/storage/redis"
	"github.com/esia-emulator/esia-emulator/storage/redis/redistest"
	"github.com/esia-emulator/esia-emulator/storage/storetest"
)

func TestEngine(t *testing.T) {
	srv := redistest.Start(t)
	kvtest.RunEngine(t, func(t *testing.T) kv.Engine {
		e, err := redis.OpenEngine(context.Background(), srv.URL(), redistest.Prefix(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { e.Close() })
		return e
	})
}

func TestStore(t *testing.T) {
	srv := redistest.Start(t)
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := redis.Open(context.Background(), srv.URL(), redistest.Prefix(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

// TestCluster runs the suites through a Cluster client (one node owning every slot, which
// still refuses multi-key commands across slots).
func TestCluster(t *testing.T) {
	t.Parallel() // its own server; overlaps the waits
	srv := redistest.StartCluster(t)
	url := srv.URL() + "?cluster=true"
	t.Run("Engine", func(t *testing.T) {
		kvtest.RunEngine(t, func(t *testing.T) kv.Engine {
			e, err := redis.OpenEngine(context.Background(), url, redistest.Prefix(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { e.Close() })
			return e
		})
	})
	t.Run("Store", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) storage.Store {
			s, err := redis.Open(context.Background(), url, redistest.Prefix(t))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			return s
		})
	})
}

// TestSentinel runs the store suite through a Sentinel that names the master.
func TestSentinel(t *testing.T) {
	t.Parallel() // its own server; overlaps the waits
	master := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, master)
	url := sentinel.URL() + "?master_name=" + redistest.SentinelMaster
	storetest.Run(t, func(t *testing.T) storage.Store {
		s, err := redis.Open(context.Background(), url, redistest.Prefix(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	})
}

func BenchmarkScan(b *testing.B) {
	srv := redistest.Start(b)
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("others=%d", n), func(b *testing.B) {
			e, err := redis.OpenEngine(context.Background(), srv.URL(), redistest.Prefix(b))
			if err != nil {
				b.Fatal(err)
			}
			defer e.Close()
			kvtest.BenchScan(b, e, n)
		})
	}
}
