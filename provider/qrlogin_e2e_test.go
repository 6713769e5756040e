package provider_test

import (
	"bufio"
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/provider/flow/methods"
)

// qrPage opens the QR page from the login page as a citizen clicks through.
func (e *env) qrPage(c *browser.Browser, login page) page {
	e.t.Helper()
	other, ok := login.pg.Link("Войти другим способом")
	if !ok {
		e.t.Fatalf("no «Войти другим способом»: %s", snippet(login.body))
	}
	methods := get(e.t, c, other.String())
	q, ok := methods.pg.Link("Приложение Госуслуги (QR-код)")
	if !ok {
		e.t.Fatalf("the methods page offers no QR login: %s", methods.body)
	}
	return get(e.t, c, q.String())
}

// qrEvents opens the page's event stream with the browser's cookies and returns its events
// ("event: …" names) as they come. The stream ends with the test.
func (e *env) qrEvents(c *browser.Browser, authRequestID string) <-chan string {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	e.t.Cleanup(cancel)
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, e.issuer+"/login/qr/events?authRequestID="+url.QueryEscape(authRequestID), nil)
	req.Header.Set("Accept", "text/event-stream")
	cl := &http.Client{Jar: c.Jar(), Transport: e.srv.Client().Transport}
	resp, err := cl.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
		e.t.Fatalf("event stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	out := make(chan string, 8)
	sc := bufio.NewScanner(resp.Body)
	if !sc.Scan() || !strings.HasPrefix(sc.Text(), "retry:") { // connected: the stream is open
		e.t.Fatalf("event stream start: %q", sc.Text())
	}
	go func() {
		defer close(out)
		defer resp.Body.Close()
		for sc.Scan() {
			if name, ok := strings.CutPrefix(sc.Text(), "event: "); ok {
				out <- name
			}
		}
	}()
	return out
}

func nextEvent(t *testing.T, ch <-chan string) string {
	t.Helper()
	select {
	case ev, ok := <-ch:
		if !ok {
			t.Fatal("the event stream ended without an event")
		}
		return ev
	case <-time.After(15 * time.Second): // a bound on a hang, not synchronisation
		t.Fatal("no event within 15 s")
	}
	return ""
}

// TestQRLogin: the page shows a QR code; the app (the admin call) scans it; the open event
// stream says "done" and the page then goes on to the relying party with the scanning
// citizen logged in.
func TestQRLogin(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.qrPage(cab.browser, cab.authorize())
	img := pg.pg.Find("#qr").Attr("src")
	text := pg.pg.TextOf("#qr-text")
	if !strings.HasPrefix(img, "data:image/png;base64,") || text == "" || !strings.Contains(pg.body, `http-equiv="refresh"`) || !strings.Contains(pg.body, "Проверить") {
		t.Fatalf("QR page: %s", snippet(pg.body))
	}
	if csp := pg.pg.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "connect-src 'self'") || !strings.Contains(csp, "script-src 'sha256-") {
		t.Fatalf("CSP %q", csp)
	}
	arID, _, _ := strings.Cut(text, ".")
	events := e.qrEvents(cab.browser, arID)
	// Before the scan «Проверить» shows the same page.
	if again := get(t, cab.browser, e.issuer+"/login/qr?authRequestID="+url.QueryEscape(arID)); again.pg.TextOf("#qr-text") != text {
		t.Fatalf("check before the scan: %s", snippet(again.body))
	}
	if status, body := e.admin("POST", "/admin/api/qr/scan", adminToken, `{"qr":"`+arID+`.wrong","persona":"1000000002"}`); status != http.StatusNotFound {
		t.Fatalf("a wrong code scanned: %d %s", status, body)
	}
	if status, body := e.admin("POST", "/admin/api/qr/scan", adminToken, `{"qr":"`+text+`","persona":"1000000002"}`); status != http.StatusOK {
		t.Fatalf("scan: %d %s", status, body)
	}
	if ev := nextEvent(t, events); ev != "done" {
		t.Fatalf("event %q", ev)
	}
	done := get(t, cab.browser, e.issuer+"/login/qr?authRequestID="+url.QueryEscape(arID))
	_, idt := cab.mustExchange(cab.codeFrom(done))
	if c := claims(t, idt); c["sub"] != "1000000002" || amrOf(t, c) != methods.AMRQR+" mfa" {
		t.Fatalf("sub %v amr %v", c["sub"], c["amr"])
	}
}

// TestQRLoginExpires: at the code's expiry (the test clock) the stream says "expired", the
// page shows ESIA-007110 and offers a new code, and a late scan is refused with 007110.
func TestQRLoginExpires(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	pg := e.qrPage(cab.browser, cab.authorize())
	text := pg.pg.TextOf("#qr-text")
	arID, _, _ := strings.Cut(text, ".")
	events := e.qrEvents(cab.browser, arID)
	e.clock.Advance(methods.DefaultQRTTL + time.Second)
	if ev := nextEvent(t, events); ev != "expired" {
		t.Fatalf("event %q", ev)
	}
	expired := get(t, cab.browser, e.issuer+"/login/qr?authRequestID="+url.QueryEscape(arID))
	if !strings.Contains(expired.pg.TextOf("#qr-expired"), "ESIA-007110") {
		t.Fatalf("expired page: %s", snippet(expired.body))
	}
	if status, body := e.admin("POST", "/admin/api/qr/scan", adminToken, `{"qr":"`+text+`","persona":"1000000002"}`); status != http.StatusGone || !strings.Contains(body, "ESIA-007110") {
		t.Fatalf("late scan: %d %s", status, body)
	}
	fresh := submit(t, cab.browser, expired, browser.ByAction("/login/qr"), nil)
	if nt := fresh.pg.TextOf("#qr-text"); nt == "" || nt == text {
		t.Fatalf("no new code: %s", snippet(fresh.body))
	}
}

// TestQRLoginBoundsEventStreams: at most DefaultQRMaxStreams event streams are open at once;
// one more is refused with 503 and Retry-After (the browser's EventSource retries).
func TestQRLoginBoundsEventStreams(t *testing.T) {
	e := newEnv(t)
	cab := e.rp("demo-cabinet", "demo-secret", cabinetRedirect, nil)
	arID, _, _ := strings.Cut(e.qrPage(cab.browser, cab.authorize()).pg.TextOf("#qr-text"), ".")
	for range methods.DefaultQRMaxStreams {
		e.qrEvents(cab.browser, arID) // each open (its first line read) before the next
	}
	req, _ := http.NewRequest(http.MethodGet, e.issuer+"/login/qr/events?authRequestID="+url.QueryEscape(arID), nil)
	resp, err := (&http.Client{Jar: cab.browser.Jar(), Transport: e.srv.Client().Transport}).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("stream %d: %d, Retry-After %q", methods.DefaultQRMaxStreams+1, resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	// Another browser cannot listen to this login at all.
	req, _ = http.NewRequest(http.MethodGet, e.issuer+"/login/qr/events?authRequestID="+url.QueryEscape(arID), nil)
	stranger, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer stranger.Body.Close()
	if stranger.StatusCode != http.StatusNotFound {
		t.Fatalf("a stranger's stream: %d", stranger.StatusCode)
	}
}
