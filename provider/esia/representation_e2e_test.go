package esia_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/browser"
	"github.com/esia-emulator/esia-emulator/config"
)

// Acting for another person (an emulator extension, off by default): a parent for their
// child, a holder of a power of attorney for the principal; the cabinet sees
// urn:esia:sbj:rep_for and rep_kind.
func TestRepresentation(t *testing.T) {
	off := newEnv(t)
	c := off.rp(rpRSA, rsaKey)
	state := newState()
	if pg := c.submitPassword(c.authorizeWith("openid", state, nil), "+79990000003"); isRoleChoice(pg) {
		t.Fatalf("the extension is off by default, yet: %s", pg.Summary())
	}

	e := newEnv(t, func(cfg *config.Config) {
		cfg.ESIA.Representation = config.ESIARepresentation{Enabled: true, Powers: []config.ESIAPower{
			{HolderOID: "1000000002", PrincipalOID: "1000000006", PrincipalName: "Волков Николай Андреевич", Number: "77 АА 0000001"}}}
	})
	sbjOf := func(tok string) map[string]any {
		_, claims, _ := jwtParts(t, tok)
		return claims["urn:esia:sbj"].(map[string]any)
	}

	// A parent: the page offers the child; the code and the id_token say so.
	c = e.rp(rpRSA, rsaKey)
	state = newState()
	pg := c.submitPassword(c.authorizeWith("openid", state, nil), "+79990000003")
	if !isRoleChoice(pg) || !strings.Contains(pg.Text(), "Законный представитель ребёнка: ") {
		t.Fatalf("parent: %s", pg.Summary())
	}
	if strings.Contains(pg.Text(), "РОМАШКА") {
		t.Errorf("organisations offered to a request that does not ask about them: %s", pg.Text())
	}
	pg = e.approveConsent(c.browser, c.browser.Submit(c.browser.Form(pg, browser.ByAction("/login/role")).Check("role", "kid:1000000031")))
	code := c.codeFrom(pg, state)
	if s := sbjOf(code); s["urn:esia:sbj:rep_for"] != float64(1000000031) || s["urn:esia:sbj:rep_kind"] != "kid" || s["urn:esia:sbj:oid"] != float64(1000000003) {
		t.Errorf("code sbj: %v", s)
	}
	if s := sbjOf(str(c.exchange(false, code, "openid")["id_token"])); s["urn:esia:sbj:rep_for"] != float64(1000000031) {
		t.Errorf("id_token sbj: %v", s)
	}

	// A holder of a power of attorney.
	b := e.rp(rpRSA, rsaKey)
	state = newState()
	pg = b.submitPassword(b.authorizeWith("openid", state, nil), "+79990000002")
	if !isRoleChoice(pg) || !strings.Contains(pg.Text(), "Представитель по доверенности: Волков Николай Андреевич") {
		t.Fatalf("holder: %s", pg.Summary())
	}
	pg = e.approveConsent(b.browser, b.browser.Submit(b.browser.Form(pg, browser.ByAction("/login/role")).Check("role", "poa:1000000006")))
	if s := sbjOf(b.codeFrom(pg, state)); s["urn:esia:sbj:rep_for"] != float64(1000000006) || s["urn:esia:sbj:rep_kind"] != "poa" {
		t.Errorf("holder code sbj: %v", s)
	}

	// obj_type without P: representation is a private person's login, so it is not offered.
	d := e.rp(rpRSA, rsaKey)
	state = newState()
	pg = d.submitPassword(d.authorizeWith("openid", state, url.Values{"obj_type": {"L"}}), "+79990000003")
	pg = e.approveConsent(d.browser, pg)
	if s := sbjOf(d.codeFrom(pg, state)); s["urn:esia:sbj:org_oid"] != float64(1000000101) || s["urn:esia:sbj:rep_for"] != nil {
		t.Errorf("obj_type=L: %v", s)
	}
}
