package esia_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/esiajwt"
)

// TestSPALoginAPIWithESIA: a scripted client of an ESIA cabinet opens /aas/oauth2/ac, logs in
// through the SPA login API and follows DONE's redirect_url to the cabinet's code, which
// /aas/oauth2/te exchanges for ESIA's tokens (amr PWD).
func TestSPALoginAPIWithESIA(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	state := newState()
	if pg := c.authorize(false, c.authParams(false, "openid fullname", "online", state)); !isLoginForm(pg) {
		t.Fatalf("no login page: %s", pg.Summary())
	}
	req, _ := http.NewRequest(http.MethodPost, e.base+"/aas/oauth2/api/login", strings.NewReader(`{"login":"00000060003","password":"Test1234!","idType":"snils"}`))
	req.Header.Set("Content-Type", "application/json")
	p, err := c.browser.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		Action      string `json:"action"`
		RedirectURL string `json:"redirect_url"`
	}
	if err := json.Unmarshal([]byte(p.Body), &a); err != nil || a.Action != "DONE" {
		t.Fatalf("api/login: %d %s", p.Status, p.Body)
	}
	code := c.codeFrom(e.approveConsent(c.browser, c.browser.Get(a.RedirectURL)), state)
	tok := c.exchange(false, code, "openid fullname")
	var id esiajwt.ID
	if err := json.Unmarshal(verifyRS256(t, e, str(tok["id_token"])), &id); err != nil {
		t.Fatal(err)
	}
	if id.Sub != 1000000003 || id.AMR != "PWD" {
		t.Fatalf("id_token: %+v", id)
	}
}
