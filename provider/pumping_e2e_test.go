package provider_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
)

// register starts a registration for phone in a fresh browser and returns the page after the
// form (the code step, or the form again with a problem).
func (e *env) register(phone string) page {
	e.t.Helper()
	b := e.browser()
	reg := get(e.t, b, e.issuer+"/register")
	return post(e.t, b, e.issuer+"/register", url.Values{"csrf": {reg.form("csrf")}, "last_name": {"Белов"}, "first_name": {"Артём"},
		"phone": {phone}, "password": {"Kvartal2024"}, "password2": {"Kvartal2024"}, "agree": {"1"}, "pd": {"1"}})
}

// outboxCount is the number of messages the outbox holds for to.
func (e *env) outboxCount(to string) int {
	e.t.Helper()
	status, body := e.admin("GET", "/admin/api/outbox?to="+url.QueryEscape(to), adminToken, "")
	if status != http.StatusOK {
		e.t.Fatalf("outbox: %d %s", status, body)
	}
	return strings.Count(body, `"id"`)
}

// TestSMSPumpingCapped: one client address gets 40 registration codes to 40 new numbers in an
// hour (the default cap); the 41st is refused with a clear message and no SMS is sent. An
// hour later it may send again.
func TestSMSPumpingCapped(t *testing.T) {
	e := newEnv(t)
	for i := range 40 {
		phone := fmt.Sprintf("+7912555%04d", i)
		if pg := e.register(phone); !strings.Contains(pg.body, `action="/register/confirm"`) {
			t.Fatalf("registration %d: %d %q", i+1, pg.status, snippet(pg.body))
		}
	}
	const phone41 = "+79125559999"
	pg := e.register(phone41)
	if strings.Contains(pg.body, `action="/register/confirm"`) || !strings.Contains(pg.body, "Слишком много кодов отправлено на новые номера") {
		t.Fatalf("41st registration: %d %q", pg.status, snippet(pg.body))
	}
	if n := e.outboxCount(phone41); n != 0 {
		t.Fatalf("the 41st number got %d messages", n)
	}
	e.clock.Advance(time.Hour + time.Minute)
	if pg := e.register(phone41); !strings.Contains(pg.body, `action="/register/confirm"`) {
		t.Fatalf("an hour later: %d %q", pg.status, snippet(pg.body))
	}
}

// TestSMSPumpingTotalCap: the total cap holds whoever asks.
func TestSMSPumpingTotalCap(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.SecondFactor.NewAddressTotal = 3; c.SecondFactor.NewAddressPerIP = -1 })
	for i := range 3 {
		if pg := e.register(fmt.Sprintf("+7912556%04d", i)); !strings.Contains(pg.body, `action="/register/confirm"`) {
			t.Fatalf("registration %d: %q", i+1, snippet(pg.body))
		}
	}
	if pg := e.register("+79125569999"); !strings.Contains(pg.body, "Слишком много кодов") || e.outboxCount("+79125569999") != 0 {
		t.Fatalf("4th registration over the total cap: %q", snippet(pg.body))
	}
}
