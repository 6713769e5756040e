package provider_test

import (
	"encoding/json"
	"net/http"
	"testing"
)

// The persona generator makes ESIA organisations from the same seed, employing the people it
// generated; the organisations are then served by the admin API (and /rs, see
// provider/esia).
func TestGenerateOrganizations(t *testing.T) {
	e := newEnv(t, testMode)
	status, body := e.admin("POST", "/admin/api/personas/generate", adminToken, `{"seed":11,"count":3,"organizations":2}`)
	if status != http.StatusCreated {
		t.Fatalf("generate: %d %s", status, body)
	}
	var resp struct {
		Personas []struct {
			OID string `json:"oid"`
		} `json:"personas"`
		Organizations []struct {
			OID       string `json:"oid"`
			ShortName string `json:"shortName"`
			Employees []struct {
				PersonOID string `json:"personOid"`
				Chief     bool   `json:"chief"`
			} `json:"employees"`
		} `json:"organizations"`
	}
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if len(resp.Personas) != 3 || len(resp.Organizations) != 2 {
		t.Fatalf("%d personas, %d organisations: %s", len(resp.Personas), len(resp.Organizations), body)
	}
	o := resp.Organizations[0]
	if len(o.Employees) != 2 || o.Employees[0].PersonOID != resp.Personas[0].OID || !o.Employees[0].Chief ||
		resp.Organizations[1].Employees[0].PersonOID != resp.Personas[1].OID {
		t.Errorf("employees: %s", body)
	}
	if status, got := e.admin("GET", "/admin/api/esia/organizations/"+o.OID, adminToken, ""); status != http.StatusOK {
		t.Errorf("stored organisation: %d %s", status, got)
	}
	if status, got := e.admin("POST", "/admin/api/personas/generate", adminToken, `{"seed":12,"organizations":101}`); status != http.StatusBadRequest {
		t.Errorf("too many organisations: %d %s", status, got)
	}
}
