package otp

import (
	"context"
	"fmt"
	"testing"

	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// BenchmarkOutboxLast is what a test's wait for "the newest SMS to my phone" costs when the
// outbox already holds many messages to other addresses.
func BenchmarkOutboxLast(b *testing.B) {
	for _, n := range []int{100, 5_000} {
		b.Run(fmt.Sprintf("messages=%d", n), func(b *testing.B) {
			ctx := context.Background()
			o := NewOutbox(memory.New())
			for i := range n {
				if err := o.Send(ctx, Message{Channel: ChannelSMS, To: fmt.Sprintf("+7999%07d", i), Body: "Код 123456", Code: "123456"}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			for b.Loop() {
				if m, err := o.List(ctx, Filter{To: "+79990000007", Limit: 1}); err != nil || len(m) != 1 {
					b.Fatalf("List = %d messages, %v", len(m), err)
				}
			}
		})
	}
}
