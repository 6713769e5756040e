package kvtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage/kv"
)

// BenchScan measures listing a small prefix (one user's consent grants: 5 keys) in an engine
// that also holds others unrelated keys, as on every login of a busy emulator. Listing should
// cost about the same whatever others is.
func BenchScan(b *testing.B, e kv.Engine, others int) {
	ctx, now := context.Background(), time.Now()
	const batch = 500
	for i := 0; i < others; i += batch {
		err := e.Update(ctx, now, func(tx kv.Tx) error {
			for j := i; j < min(i+batch, others); j++ {
				if err := tx.Put(fmt.Sprintf("doc/other/%08d", j), []byte("v"), time.Time{}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	err := e.Update(ctx, now, func(tx kv.Tx) error {
		for i := range 5 {
			if err := tx.Put(fmt.Sprintf("doc/consent/u1/c/%d", i), []byte("v"), now.Add(time.Hour)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		n := 0
		if err := e.Scan(ctx, "doc/consent/u1/", now, func(string, []byte) error { n++; return nil }); err != nil {
			b.Fatal(err)
		}
		if n != 5 {
			b.Fatalf("Scan found %d keys, want 5", n)
		}
	}
}
