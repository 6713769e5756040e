package esiatest

import (
	"net/http"
	"time"
)

// Endpoint names what a fault hits.
type Endpoint string

// The endpoints faults can target. Each name covers both dialects: EndpointToken is
// /oauth/token and ESIA's /aas/oauth2/te and /aas/oauth2/v3/te, EndpointAuthorize is
// /authorize and /aas/oauth2/ac and /aas/oauth2/v2/ac, EndpointPerson is /rs/….
const (
	EndpointToken      Endpoint = "token"
	EndpointAuthorize  Endpoint = "authorize"
	EndpointUserinfo   Endpoint = "userinfo"
	EndpointJWKS       Endpoint = "jwks"
	EndpointPerson     Endpoint = "person"
	EndpointIntrospect Endpoint = "introspect"
	EndpointRevoke     Endpoint = "revoke"
	EndpointDiscovery  Endpoint = "discovery"
	// The emulated state registries: the next check of a SNILS, passport or INN fails
	// (status is ignored; FaultOutcome names the refusal).
	RegistrySNILS    Endpoint = "registry:snils"
	RegistryPassport Endpoint = "registry:passport"
	RegistryINN      Endpoint = "registry:inn"
)

// FaultOption refines a fault.
type FaultOption struct{ apply func(*faultRequest) }

type faultRequest struct {
	Endpoint         Endpoint `json:"endpoint"`
	Count            int      `json:"count,omitempty"`
	Status           int      `json:"status,omitempty"`
	Error            string   `json:"error,omitempty"`
	ErrorDescription string   `json:"error_description,omitempty"`
	ESIACode         string   `json:"esia_code,omitempty"`
	Delay            string   `json:"delay,omitempty"`
	Outcome          string   `json:"outcome,omitempty"`
}

// Times makes the fault hit the next n calls (default 1).
func Times(n int) FaultOption { return FaultOption{func(f *faultRequest) { f.Count = n }} }

// FaultError sets the answer's OAuth error and error_description.
func FaultError(code, description string) FaultOption {
	return FaultOption{func(f *faultRequest) { f.Error, f.ErrorDescription = code, description }}
}

// FaultESIACode puts an ESIA error code (e.g. "ESIA-007008") in the answer.
func FaultESIACode(code string) FaultOption {
	return FaultOption{func(f *faultRequest) { f.ESIACode = code }}
}

// FaultDelay waits d before answering (up to 5 minutes); with status 0 the call then
// succeeds, late.
func FaultDelay(d time.Duration) FaultOption {
	return FaultOption{func(f *faultRequest) { f.Delay = d.String() }}
}

// FaultOutcome is a registry fault's refusal reason, e.g. "PERSON_NOT_FOUND",
// "PASSPORT_INVALID", "INN_NOT_FOUND" (the default per registry).
func FaultOutcome(reason string) FaultOption {
	return FaultOption{func(f *faultRequest) { f.Outcome = reason }}
}

// Fault makes the next call of endpoint fail with status (400–599; 0 with FaultDelay for a
// slow success). Faults are consumed in order; Reset and ClearFaults drop those pending.
func (s *Server) Fault(endpoint Endpoint, status int, opts ...FaultOption) {
	s.t.Helper()
	f := faultRequest{Endpoint: endpoint, Status: status}
	for _, o := range opts {
		o.apply(&f)
	}
	s.admin(http.MethodPost, "/admin/api/faults", f, http.StatusCreated, nil)
}

// ClearFaults drops every pending fault.
func (s *Server) ClearFaults() {
	s.t.Helper()
	s.admin(http.MethodDelete, "/admin/api/faults", nil, http.StatusOK, nil)
}

// Maintenance switches the "технические работы" mode: every page and endpoint but the admin
// API and health probes answers 503 until it is switched off.
func (s *Server) Maintenance(on bool) {
	s.t.Helper()
	s.admin(http.MethodPost, "/admin/api/maintenance", map[string]bool{"on": on}, http.StatusOK, nil)
}
