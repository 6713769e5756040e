package orgs

import (
	"encoding/json"
	"errors"
	"net/http"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Gate is the admin API's token check (admin.API).
type Gate interface {
	// Guard lets only requests with the admin token through (JSON 401 otherwise).
	Guard(next http.Handler) http.Handler
}

// Admin serves the organisations part of the admin API.
type Admin struct {
	Registry *Registry
	Gate     Gate
}

// maxBody bounds a POSTed organisation.
const maxBody = 64 << 10

// Mount adds GET and POST /admin/api/esia/organizations and GET …/{oid}.
func (a *Admin) Mount(mux *http.ServeMux) {
	mux.Handle("GET /admin/api/esia/organizations", a.Gate.Guard(http.HandlerFunc(a.list)))
	mux.Handle("POST /admin/api/esia/organizations", a.Gate.Guard(http.HandlerFunc(a.create)))
	mux.Handle("GET /admin/api/esia/organizations/{oid}", a.Gate.Guard(http.HandlerFunc(a.get)))
	mux.Handle("POST /admin/api/esia/organizations/generate", a.Gate.Guard(http.HandlerFunc(a.generate)))
}

// generateRequest is the body of POST /admin/api/esia/organizations/generate.
type generateRequest struct {
	Seed   int64    `json:"seed"`
	Count  int      `json:"count"`  // 1 (default) to 100
	Employ []string `json:"employ"` // person oids spread over the organisations
}

// generate creates organisations from a seed (Generate); existing oids are checked first, so a
// repeated seed creates nothing: 201 with the
// organisations, 409 when one exists.
func (a *Admin) generate(w http.ResponseWriter, r *http.Request) {
	var req generateRequest
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body must be {seed, count, employ}: " + err.Error()})
		return
	}
	if req.Count == 0 {
		req.Count = 1
	}
	if req.Count < 1 || req.Count > 100 || len(req.Employ) > 1000 {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "count is 1 to 100, employ at most 1000 oids"})
		return
	}
	made := Generate(req.Seed, req.Count, req.Employ)
	for _, o := range made {
		if _, err := a.Registry.Get(r.Context(), o.OID); err == nil {
			writeJSON(w, http.StatusConflict, map[string]string{"error": "already_exists", "error_description": "organisation " + o.OID + " exists (this seed was generated before)"})
			return
		}
	}
	for _, o := range made {
		if err := a.Registry.Create(r.Context(), o); err != nil {
			status := http.StatusServiceUnavailable
			if errors.Is(err, ErrInvalid) {
				status = http.StatusBadRequest
			}
			writeJSON(w, status, map[string]string{"error": "invalid_request", "error_description": err.Error()})
			return
		}
	}
	writeJSON(w, http.StatusCreated, map[string]any{"seed": req.Seed, "organizations": made})
}

func (a *Admin) list(w http.ResponseWriter, r *http.Request) {
	all, err := a.Registry.List(r.Context())
	if err != nil {
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"organizations": all})
}

func (a *Admin) get(w http.ResponseWriter, r *http.Request) {
	o, err := a.Registry.Get(r.Context(), r.PathValue("oid"))
	switch {
	case errors.Is(err, storage.ErrNotFound):
		writeJSON(w, http.StatusNotFound, map[string]string{"error": "not_found"})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
	default:
		writeJSON(w, http.StatusOK, o)
	}
}

func (a *Admin) create(w http.ResponseWriter, r *http.Request) {
	var o config.ESIAOrganization
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "the body must be one organisation as JSON: " + err.Error()})
		return
	}
	err := a.Registry.Create(r.Context(), o)
	switch {
	case errors.Is(err, ErrInvalid):
		writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": err.Error()})
	case errors.Is(err, storage.ErrAlreadyExists):
		writeJSON(w, http.StatusConflict, map[string]string{"error": "already_exists", "error_description": "an organisation with oid " + o.OID + " exists"})
	case err != nil:
		writeJSON(w, http.StatusServiceUnavailable, map[string]string{"error": "temporarily_unavailable"})
	default:
		writeJSON(w, http.StatusCreated, o)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
