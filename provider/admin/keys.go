package admin

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/provider/web"

	jose "github.com/go-jose/go-jose/v4"
)

func (h *Handler) adminListKeys(w http.ResponseWriter, r *http.Request) {
	if err := h.Keys.Reload(r.Context()); err != nil {
		h.API.Error(w, r, err)
		return
	}
	web.JSON(w, http.StatusOK, h.Keys.Statuses(h.Now()))
}

// adminRotateKey adds a new signing key for an algorithm. It signs from now plus
// publish_delay (default 0: at once); older keys stay published until deleted, so tokens they
// signed keep verifying. Body: {"alg":"RS256","publish_delay":"10m"} (both optional).
func (h *Handler) adminRotateKey(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Alg          string `json:"alg"`
		PublishDelay string `json:"publish_delay"`
	}
	if r.ContentLength != 0 {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "body: " + err.Error()})
			return
		}
	}
	alg := jose.SignatureAlgorithm(req.Alg)
	if alg == "" {
		alg = jose.RS256
	}
	if alg != jose.RS256 && alg != jose.ES256 {
		web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "alg: want RS256 or ES256"})
		return
	}
	var delay time.Duration
	if req.PublishDelay != "" {
		d, err := time.ParseDuration(req.PublishDelay)
		if err != nil || d < 0 {
			web.JSON(w, http.StatusBadRequest, Problem{Error: "invalid_request", Message: "publish_delay: a duration such as 10m"})
			return
		}
		delay = d
	}
	ctx := r.Context()
	now := h.Now()
	rec, err := h.Keys.Rotate(ctx, alg, now, now.Add(delay), h.Rand)
	if errors.Is(err, keys.ErrConflict) {
		web.JSON(w, http.StatusConflict, Problem{Error: "conflict", Message: "another rotation happened at the same time; list the keys and retry"})
		return
	}
	if err != nil {
		h.API.Error(w, r, err)
		return
	}
	h.Logger.InfoContext(ctx, "signing key rotated", "alg", alg, "record", rec.ID)
	web.JSON(w, http.StatusCreated, h.Keys.Statuses(h.Now()))
}

// adminDeleteKey unpublishes a key by kid. The key that signs now cannot be deleted.
func (h *Handler) adminDeleteKey(w http.ResponseWriter, r *http.Request) {
	kid := r.PathValue("kid")
	for _, k := range h.Keys.Statuses(h.Now()) {
		if k.KID != kid {
			continue
		}
		if k.Signing {
			web.JSON(w, http.StatusConflict, Problem{Error: "conflict", Message: "this key signs new tokens; rotate first"})
			return
		}
		if err := h.Keys.Delete(r.Context(), k.Record); err != nil {
			h.API.Error(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	web.JSON(w, http.StatusNotFound, Problem{Error: "not_found", Message: "no published key with this kid"})
}
