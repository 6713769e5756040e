package otp

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestWebhookSender(t *testing.T) {
	var got map[string]any
	var gotHeader http.Header
	status := http.StatusAccepted
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		gotHeader = r.Header.Clone()
		b, _ := io.ReadAll(r.Body)
		got = nil
		if err := json.Unmarshal(b, &got); err != nil {
			t.Errorf("body %s: %v", b, err)
		}
		w.WriteHeader(status)
	}))
	defer srv.Close()

	m := Message{ID: "1", Channel: ChannelSMS, To: "+79990000001", Body: "Код: 123456", Kind: KindLoginCode,
		Code: "123456", CreatedAt: t0}
	w := &WebhookSender{URL: srv.URL, Client: srv.Client(), Header: http.Header{"Authorization": {"Bearer t"}}}
	ctx := context.Background()
	if err := w.Send(ctx, m); err != nil {
		t.Fatal(err)
	}
	if got["to"] != "+79990000001" || got["body"] != "Код: 123456" || got["channel"] != "sms" ||
		got["kind"] != KindLoginCode || got["created_at"] != t0.Format(time.RFC3339) {
		t.Fatalf("payload %v", got)
	}
	if _, ok := got["code"]; ok {
		t.Fatalf("code field sent without IncludeCode: %v", got)
	}
	if gotHeader.Get("Authorization") != "Bearer t" || gotHeader.Get("Content-Type") != "application/json" {
		t.Fatalf("headers %v", gotHeader)
	}

	w.IncludeCode = true
	if err := w.Send(ctx, m); err != nil || got["code"] != "123456" {
		t.Fatalf("IncludeCode: %v, %v", got, err)
	}

	status = http.StatusBadGateway
	err := w.Send(ctx, m)
	if err == nil || !strings.Contains(err.Error(), "502") || strings.Contains(err.Error(), "123456") {
		t.Fatalf("non-2xx: %v", err)
	}

	w.URL = "http://127.0.0.1:1/unreachable"
	if err := w.Send(ctx, m); err == nil {
		t.Fatal("unreachable gateway: no error")
	}
}
