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

// engines and stores return the suites' factories over the server at url, each subtest under
// its own prefix.
func engines(url string) func(t *testing.T) kv.Engine {
	return func(t *testing.T) kv.Engine { return openEngine(t, url, redistest.Prefix(t)) }
}

func stores(url string) func(t *testing.T) storage.Store {
	return func(t *testing.T) storage.Store {
		s, err := redis.Open(context.Background(), url, redistest.Prefix(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
}

func TestEngine(t *testing.T) {
	kvtest.RunEngine(t, engines(redistest.Start(t).URL()))
}

func TestStore(t *testing.T) {
	storetest.Run(t, stores(redistest.Start(t).URL()))
}

// TestCluster runs the suites through a Cluster client (one node owning every slot, which
// still refuses multi-key commands across slots).
func TestCluster(t *testing.T) {
	t.Parallel() // its own server; overlaps the waits
	url := redistest.StartCluster(t).URL() + "?cluster=true"
	t.Run("Engine", func(t *testing.T) { kvtest.RunEngine(t, engines(url)) })
	t.Run("Store", func(t *testing.T) { storetest.Run(t, stores(url)) })
}

// TestSentinel runs the store suite through a Sentinel that names the master.
func TestSentinel(t *testing.T) {
	t.Parallel() // its own server; overlaps the waits
	master := redistest.Start(t)
	sentinel := redistest.StartSentinel(t, master)
	storetest.Run(t, stores(sentinel.URL()+"?master_name="+redistest.SentinelMaster))
}

func BenchmarkScan(b *testing.B) {
	srv := redistest.Start(b)
	for _, n := range []int{1_000, 100_000} {
		b.Run(fmt.Sprintf("others=%d", n), func(b *testing.B) {
			kvtest.BenchScan(b, openEngine(b, srv.URL(), redistest.Prefix(b)), n)
		})
	}
}
