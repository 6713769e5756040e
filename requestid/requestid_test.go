package requestid_test

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/requestid"
)

func TestMiddleware(t *testing.T) {
	var seen string
	m := &requestid.Middleware{Rand: bytes.NewReader(bytes.Repeat([]byte{7}, 100)),
		Next: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { seen = requestid.From(r.Context()) })}
	for _, c := range []struct{ in, want string }{
		{"", "a4dqobyha4dqobyh"},
		{"abc-123_X.y:z", "abc-123_X.y:z"},
		{"evil\nline", "a4dqobyha4dqobyh"},
		{"<script>", "a4dqobyha4dqobyh"},
		{strings.Repeat("a", 65), "a4dqobyha4dqobyh"},
	} {
		r := httptest.NewRequest("GET", "/", nil)
		if c.in != "" {
			r.Header.Set(requestid.Header, c.in)
		}
		w := httptest.NewRecorder()
		m.ServeHTTP(w, r)
		if seen != c.want || w.Header().Get(requestid.Header) != c.want {
			t.Errorf("incoming %q: handler saw %q, header %q; want %q", c.in, seen, w.Header().Get(requestid.Header), c.want)
		}
	}
}

func TestLogHandler(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(requestid.LogHandler(slog.NewJSONHandler(&buf, nil))).With("app", "x")
	log.InfoContext(requestid.With(context.Background(), "r1"), "with")
	log.InfoContext(context.Background(), "without")
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var a, b map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(lines[1]), &b); err != nil {
		t.Fatal(err)
	}
	if a["request_id"] != "r1" || a["app"] != "x" {
		t.Errorf("first line %v: want request_id r1 and app x", a)
	}
	if _, ok := b["request_id"]; ok {
		t.Errorf("second line %v carries a request id", b)
	}
}
