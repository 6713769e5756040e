package esia_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/esia-emulator/esia-emulator/config"
)

// Organisations and roles as a cabinet meets them (esia-protocol.md §6–§7): usr_org fills
// /rs/prns/{oid}/roles with inline elements and /orgs with links to /rs/orgs/{oid}.
func TestRSRolesAndOrgs(t *testing.T) {
	e := newEnv(t, func(c *config.Config) { c.ESIA.PublicURL = "https://esia.example.test/" })
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid fullname usr_org", "online", "+79990000003")
	at := str(c.exchange(false, code, "openid fullname usr_org")["access_token"])

	status, m := c.api(at, "/rs/prns/1000000003/roles")
	els, _ := m["elements"].([]any)
	if status != http.StatusOK || m["size"] != float64(2) || len(els) != 2 || len(str(m["eTag"])) != 40 {
		t.Fatalf("roles: %d %v", status, m)
	}
	r0 := els[0].(map[string]any)
	for k, want := range map[string]any{"oid": float64(1000000101), "prnOid": float64(1000000003), "shortName": "ООО «РОМАШКА»",
		"fullName": "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «РОМАШКА»", "ogrn": "1027700132195", "chief": true, "admin": true, "type": "LEGAL"} {
		if r0[k] != want {
			t.Errorf("roles[0].%s = %v, want %v", k, r0[k], want)
		}
	}
	if r1 := els[1].(map[string]any); r1["oid"] != float64(1000000103) || r1["chief"] != false || r1["admin"] != true || r1["type"] != "AGENCY" {
		t.Errorf("roles[1]: %v", r1)
	}

	// /orgs: links to /rs/orgs/{oid} built from the public URL; inline with embed.
	status, m = c.api(at, "/rs/prns/1000000003/orgs")
	els, _ = m["elements"].([]any)
	if status != http.StatusOK || len(els) != 2 || els[0] != "https://esia.example.test/rs/orgs/1000000101" || els[1] != "https://esia.example.test/rs/orgs/1000000103" {
		t.Fatalf("orgs: %d %v", status, m)
	}
	status, m = c.api(at, "/rs/prns/1000000003/orgs?embed=(elements)")
	els, _ = m["elements"].([]any)
	if status != http.StatusOK || len(els) != 2 {
		t.Fatalf("orgs embedded: %d %v", status, m)
	}
	if o := els[1].(map[string]any); o["oid"] != float64(1000000103) || o["ogrn"] != "1036900000103" || o["type"] != "AGENCY" || o["shortName"] != "Минцифры Тверской области" {
		t.Errorf("orgs[1]: %v", o)
	}
	// The person resource embeds them too.
	status, m = c.api(at, "/rs/prns/1000000003?embed=(organizations.elements)")
	orgsColl, _ := m["organizations"].(map[string]any)
	if status != http.StatusOK || orgsColl["size"] != float64(2) || m["firstName"] != "Мария" {
		t.Fatalf("person with organizations: %d %v", status, m)
	}

	// Without usr_org the collections are forbidden.
	code, _ = c.loginFor(false, "openid fullname", "online", "+79990000003")
	at2 := str(c.exchange(false, code, "openid fullname")["access_token"])
	if status, m := c.api(at2, "/rs/prns/1000000003/roles"); status != http.StatusForbidden || m["code"] != "ESIA-005029" {
		t.Errorf("roles without usr_org: %d %v", status, m)
	}
}

// A persona employed nowhere has empty collections; the admin API employs them and the next
// call shows the new organisation.
func TestRSRolesNowhereThenAdminCreatesOrg(t *testing.T) {
	e := newEnv(t)
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid usr_org", "online", "+79990000002")
	at := str(c.exchange(false, code, "openid usr_org")["access_token"])
	if status, m := c.api(at, "/rs/prns/1000000002/roles"); status != http.StatusOK || m["size"] != float64(0) || len(m["elements"].([]any)) != 0 {
		t.Fatalf("nowhere: %d %v", status, m)
	}

	post := func(body string, token string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.base+"/admin/api/esia/organizations", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	org := `{"oid":"2000000001","fullName":"АКЦИОНЕРНОЕ ОБЩЕСТВО «ЛУЧ»","shortName":"АО «ЛУЧ»","ogrn":"1027700000001","inn":"7700000001","kpp":"770001001","type":"LEGAL",
		"employees":[{"personOid":"1000000002","position":"Инженер","chief":false,"admin":true}]}`
	if status, _ := post(org, ""); status != http.StatusUnauthorized {
		t.Errorf("without the admin token: %d", status)
	}
	if status, m := post(`{"oid":"2000000002","fullName":"x","shortName":"x","type":"LEGAL","ogrn":"1"}`, adminToken); status != http.StatusBadRequest || !strings.Contains(str(m["error_description"]), "13-digit ogrn") {
		t.Errorf("invalid: %d %v", status, m)
	}
	if status, m := post(org, adminToken); status != http.StatusCreated {
		t.Fatalf("create: %d %v", status, m)
	}
	if status, _ := post(org, adminToken); status != http.StatusConflict {
		t.Errorf("again: %d", status)
	}
	if status, _ := post(strings.Replace(org, "2000000001", "1000000101", 1), adminToken); status != http.StatusConflict {
		t.Errorf("a built-in's oid: %d", status)
	}
	status, m := c.api(at, "/rs/prns/1000000002/roles")
	els, _ := m["elements"].([]any)
	if status != http.StatusOK || len(els) != 1 || els[0].(map[string]any)["shortName"] != "АО «ЛУЧ»" || els[0].(map[string]any)["admin"] != true {
		t.Fatalf("after create: %d %v", status, m)
	}
}

// The generator makes organisations from a seed through the admin API; a generated
// organisation employs the person named, and the same seed twice is refused.
func TestAdminGenerateOrgs(t *testing.T) {
	e := newEnv(t)
	post := func(body string) (int, map[string]any) {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, e.base+"/admin/api/esia/organizations/generate", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+adminToken)
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var m map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&m)
		return resp.StatusCode, m
	}
	status, m := post(`{"seed":7,"count":3,"employ":["1000000002"]}`)
	made, _ := m["organizations"].([]any)
	if status != http.StatusCreated || len(made) != 3 {
		t.Fatalf("generate: %d %v", status, m)
	}
	if status, _ := post(`{"seed":7,"count":3}`); status != http.StatusConflict {
		t.Errorf("same seed again: %d", status)
	}
	if status, _ := post(`{"count":1000}`); status != http.StatusBadRequest {
		t.Errorf("too many: %d", status)
	}
	c := e.rp(rpRSA, rsaKey)
	code, _ := c.loginFor(false, "openid usr_org", "online", "+79990000002")
	at := str(c.exchange(false, code, "openid usr_org")["access_token"])
	status, roles := c.api(at, "/rs/prns/1000000002/roles")
	els, _ := roles["elements"].([]any)
	first := made[0].(map[string]any)
	if status != http.StatusOK || len(els) != 1 || str(els[0].(map[string]any)["shortName"]) != str(first["shortName"]) || els[0].(map[string]any)["chief"] != true {
		t.Fatalf("roles after generate: %d %v", status, roles)
	}
}
