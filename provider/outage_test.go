package provider_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/kv"
	"github.com/esia-emulator/esia-emulator/storage/memory"
)

// switchable is an engine that can be made unreachable, like a Redis server that stopped.
type switchable struct {
	kv.Engine
	down atomic.Bool
}

var errDown = fmt.Errorf("connection refused: %w", storage.ErrUnavailable)

func (s *switchable) check() error {
	if s.down.Load() {
		return errDown
	}
	return nil
}

func (s *switchable) Get(ctx context.Context, key string, now time.Time) ([]byte, error) {
	if err := s.check(); err != nil {
		return nil, err
	}
	return s.Engine.Get(ctx, key, now)
}

func (s *switchable) Update(ctx context.Context, now time.Time, fn func(kv.Tx) error) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Engine.Update(ctx, now, fn)
}

func (s *switchable) Scan(ctx context.Context, prefix string, now time.Time, fn func(string, []byte) error) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Engine.Scan(ctx, prefix, now, fn)
}

func (s *switchable) Incr(ctx context.Context, key string, d int64, exp, now time.Time) (int64, error) {
	if err := s.check(); err != nil {
		return 0, err
	}
	return s.Engine.Incr(ctx, key, d, exp, now)
}

func (s *switchable) Health(ctx context.Context) error {
	if err := s.check(); err != nil {
		return err
	}
	return s.Engine.Health(ctx)
}

func TestStoreOutage(t *testing.T) {
	eng := &switchable{Engine: memory.NewEngine()}
	e := newEnvWithStore(t, kv.New(eng))
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	tok, _ := cab.mustExchange(cab.loginAs("+79990000003"))
	code := cab.codeFrom(cab.authorize()) // a code issued before the outage
	pending := cab.authorize(oauthPrompt("login"))

	eng.down.Store(true)
	status, body := e.tokenCall("demo-cabinet", "demo-secret", url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {cabinetRedirect}})
	if status != http.StatusServiceUnavailable || body["error"] != "temporarily_unavailable" {
		t.Fatalf("token endpoint during the outage: %d %v", status, body)
	}
	if _, err := cab.userinfo(tok); err == nil || !strings.Contains(err.Error(), "503") {
		t.Fatalf("userinfo during the outage: %v", err)
	}
	if pg := e.submitLogin(cab.browser, pending, "+79990000003", "Test1234!"); pg.status != http.StatusServiceUnavailable || !strings.Contains(pg.body, "Сервис временно недоступен") {
		t.Fatalf("login page during the outage: %d %q", pg.status, snippet(pg.body))
	}
	if pg := cab.authorize(); pg.query("error") != "temporarily_unavailable" {
		t.Fatalf("authorize during the outage: %d %q", pg.status, pg.location)
	}
	if pg := get(t, e.browser(), e.issuer+"/readyz"); pg.status != http.StatusServiceUnavailable {
		t.Fatalf("readyz during the outage: %d", pg.status)
	}
	if pg := get(t, e.browser(), e.issuer+"/healthz"); pg.status != http.StatusOK {
		t.Fatalf("healthz during the outage: %d", pg.status)
	}

	eng.down.Store(false)
	if pg := get(t, e.browser(), e.issuer+"/readyz"); pg.status != http.StatusOK {
		t.Fatalf("readyz after the outage: %d", pg.status)
	}
	if _, err := cab.exchange(code); err != nil {
		t.Fatalf("the code issued before the outage: %v", err)
	}
	if _, err := cab.userinfo(tok); err != nil {
		t.Fatalf("userinfo after the outage: %v", err)
	}
	cab.mustExchange(cab.loginAs("+79990000003", oauthPrompt("login")))
	if !errors.Is(errDown, storage.ErrUnavailable) {
		t.Fatal("test engine error does not wrap ErrUnavailable")
	}
}
