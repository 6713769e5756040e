package oidc

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/zitadel/oidc/v3/pkg/oidc"

	"github.com/esia-emulator/esia-emulator/storage"
)

// ctxFinish carries a login's pending finish from CompleteFinishing to SaveAuthCode.
const ctxFinish ctxKey = ctxExchange + 1

// pendingFinish is the flow's finishing commit of request id, waiting for the engine's code.
type pendingFinish struct {
	id     string
	finish func(codeHash string, codeExpiresAt time.Time) error
	ran    bool
	err    error
}

func pendingFinishFrom(ctx context.Context, id string) *pendingFinish {
	p, _ := ctx.Value(ctxFinish).(*pendingFinish)
	if p == nil || p.id != id || p.ran {
		return nil
	}
	return p
}

// CompleteFinishing is Complete for a request the flow has yet to finish (flow.FinishingDialect):
// the engine's code is saved by the commit that finishes the request, in the engine's
// SaveAuthCode, and the engine's answer is held until that commit has succeeded. A request
// without a code to save (implicit and hybrid response types) is finished first.
func (d oidcDialect) CompleteFinishing(w http.ResponseWriter, r *http.Request, want storage.AuthRequest, finish func(codeHash string, codeExpiresAt time.Time) error) error {
	if oidc.ResponseType(want.ResponseType) != oidc.ResponseTypeCode {
		if err := finish("", time.Time{}); err != nil {
			return err
		}
		d.Complete(w, r, want)
		return nil
	}
	p := &pendingFinish{id: want.ID, finish: finish}
	held := &heldResponse{header: http.Header{}}
	d.Complete(held, r.WithContext(context.WithValue(r.Context(), ctxFinish, p)), want)
	if p.err != nil {
		return p.err
	}
	held.sendTo(w) // the code is saved, or the engine answers the relying party with an error
	return nil
}

// saveCodeFinishing saves a code by running the pending finish of its request, when there is
// one: the code and the end of the login are one commit. ok is false without one.
func saveCodeFinishing(ctx context.Context, id, codeHash string, expiresAt time.Time) (ok bool, err error) {
	p := pendingFinishFrom(ctx, id)
	if p == nil {
		return false, nil
	}
	p.ran = true
	if p.err = p.finish(codeHash, expiresAt); p.err != nil {
		return true, fmt.Errorf("finish the request with its code: %w", p.err)
	}
	return true, nil
}

// heldResponse keeps a response until the caller decides whether it is sent.
type heldResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (h *heldResponse) Header() http.Header { return h.header }

func (h *heldResponse) WriteHeader(code int) {
	if h.status == 0 {
		h.status = code
	}
}

func (h *heldResponse) Write(b []byte) (int, error) {
	h.WriteHeader(http.StatusOK)
	return h.body.Write(b)
}

// sendTo writes the held response to w; its headers replace those w has of the same name.
func (h *heldResponse) sendTo(w http.ResponseWriter) {
	for k, v := range h.header {
		w.Header()[k] = v
	}
	h.WriteHeader(http.StatusOK)
	w.WriteHeader(h.status)
	_, _ = w.Write(h.body.Bytes())
}
