package provider

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/storage"
)

// keyView is a published signing key as the admin API shows it (never the private part).
type keyView struct {
	KID       string    `json:"kid"`
	Record    string    `json:"record"`
	Alg       string    `json:"alg"`
	NotBefore time.Time `json:"not_before"`
	RetireAt  time.Time `json:"retire_at,omitzero"`
	Signing   bool      `json:"signing"` // signs new tokens now
}

func (p *Provider) keyViews() []keyView {
	now := p.now()
	p.keys.mu.RLock()
	keys := append([]signingKey(nil), p.keys.signing...)
	p.keys.mu.RUnlock()
	out := make([]keyView, 0, len(keys))
	for _, k := range keys {
		cur, err := p.keys.signer(k.alg, now)
		out = append(out, keyView{KID: k.id, Record: k.record, Alg: string(k.alg), NotBefore: k.notBefore, RetireAt: k.retireAt,
			Signing: err == nil && cur.record == k.record})
	}
	return out
}

func (p *Provider) adminListKeys(w http.ResponseWriter, r *http.Request) {
	if err := p.keys.reload(r.Context()); err != nil {
		p.adminError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p.keyViews())
}

// adminRotateKey adds a new signing key for an algorithm. It signs from now plus
// publish_delay (default 0: at once); older keys stay published until deleted, so tokens they
// signed keep verifying. Body: {"alg":"RS256","publish_delay":"10m"} (both optional).
func (p *Provider) adminRotateKey(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Alg          string `json:"alg"`
		PublishDelay string `json:"publish_delay"`
	}
	if r.ContentLength != 0 {
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&req); err != nil {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "body: " + err.Error()})
			return
		}
	}
	alg := jose.SignatureAlgorithm(req.Alg)
	if alg == "" {
		alg = jose.RS256
	}
	if alg != jose.RS256 && alg != jose.ES256 {
		writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "alg: want RS256 or ES256"})
		return
	}
	var delay time.Duration
	if req.PublishDelay != "" {
		d, err := time.ParseDuration(req.PublishDelay)
		if err != nil || d < 0 {
			writeJSON(w, http.StatusBadRequest, apiError{Error: "invalid_request", Message: "publish_delay: a duration such as 10m"})
			return
		}
		delay = d
	}
	ctx := r.Context()
	recs, err := p.keys.store.ListKeys(ctx)
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	gen := 0
	prefix := "signing-" + string(alg) + "-"
	for _, k := range recs {
		if n, err := strconv.Atoi(strings.TrimPrefix(k.ID, prefix)); err == nil && strings.HasPrefix(k.ID, prefix) && n > gen {
			gen = n
		}
	}
	now := p.now()
	rec, err := newSigningKeyRecord(fmt.Sprintf("%s%d", prefix, gen+1), alg, now, p.rand)
	if err != nil {
		p.adminError(w, r, err)
		return
	}
	rec.NotBefore = now.Add(delay)
	rec.Schema = storage.SchemaVersion
	if err := p.keys.store.AddKey(ctx, rec); err != nil {
		if errors.Is(err, storage.ErrAlreadyExists) {
			writeJSON(w, http.StatusConflict, apiError{Error: "conflict", Message: "another rotation happened at the same time; list the keys and retry"})
			return
		}
		p.adminError(w, r, err)
		return
	}
	if err := p.keys.reload(ctx); err != nil {
		p.adminError(w, r, err)
		return
	}
	p.log.InfoContext(ctx, "signing key rotated", "alg", alg, "record", rec.ID)
	writeJSON(w, http.StatusCreated, p.keyViews())
}

// adminDeleteKey unpublishes a key by kid. The key that signs now cannot be deleted.
func (p *Provider) adminDeleteKey(w http.ResponseWriter, r *http.Request) {
	kid := r.PathValue("kid")
	for _, k := range p.keyViews() {
		if k.KID != kid {
			continue
		}
		if k.Signing {
			writeJSON(w, http.StatusConflict, apiError{Error: "conflict", Message: "this key signs new tokens; rotate first"})
			return
		}
		if err := p.keys.store.DeleteKey(r.Context(), k.Record); err != nil {
			p.adminError(w, r, err)
			return
		}
		if err := p.keys.reload(r.Context()); err != nil {
			p.adminError(w, r, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
		return
	}
	writeJSON(w, http.StatusNotFound, apiError{Error: "not_found", Message: "no published key with this kid"})
}
