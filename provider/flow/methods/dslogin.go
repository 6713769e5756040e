package methods

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/esia/clientsecret"
	"github.com/esia-emulator/esia-emulator/provider/flow"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
)

// AMRSignature is the login method of an electronic signature: ESIA's amr=DS
// (urn:esia:amd=DS; esiajwt.AMR maps it). A qualified signature is a key the citizen holds
// plus its PIN, so the login counts as two factors.
const AMRSignature = "ds"

// dsMaxBody bounds the e-signature upload (a detached CMS with a short chain is a few KiB).
const dsMaxBody = 64 << 10

// formDS is the step the e-signature form is bound to.
const formDS = "ds"

// DSLogin is «Войти другим способом» and the login with an electronic signature: the
// citizen signs a challenge (bound to the browser and the authorization request, derived
// from the session keys, so nothing is stored) with a certificate of the emulator's test CA
// and uploads the detached CMS; the account is the one with the certificate's SNILS. After
// it the login flow goes on as after a password (consent, level, the code).
//
// Routes (Mount): GET /login/other (the methods page), GET /login/ds (the challenge and the
// upload form), POST /login/ds (the signature), POST|DELETE /admin/api/esignature/revoked
// (revoke a test certificate by serial, or lift it; admin token).
type DSLogin struct {
	Flow *flow.Handler
	// Roots is the test CA (proofing.esignature_ca); nil: e-signature login is unavailable.
	Roots *x509.CertPool
	// Docs keeps the revoked certificates (the test CA's revocation list, kept by the admin
	// call POST /admin/api/esignature/revoked behind Guard).
	Docs  storage.Docs
	Guard func(http.Handler) http.Handler
}

// revokedColl holds revoked certificates by lower-case hex serial.
const revokedColl = "esig-revoked"

// Mount adds the routes.
func (d *DSLogin) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /login/other", d.methods)
	mux.HandleFunc("GET /login/ds", d.page)
	mux.HandleFunc("POST /login/ds", d.post)
	mux.Handle("POST /admin/api/esignature/revoked", d.Guard(http.HandlerFunc(d.revoke)))
	mux.Handle("DELETE /admin/api/esignature/revoked", d.Guard(http.HandlerFunc(d.revoke)))
}

// revoke is the test CA's revocation list: {"serial": "<hex>"} revoked (POST) or reinstated
// (DELETE).
func (d *DSLogin) revoke(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Serial string `json:"serial"`
	}
	w.Header().Set("Content-Type", "application/json")
	err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<10)).Decode(&in)
	serial, ok := new(big.Int).SetString(strings.TrimPrefix(strings.ToLower(strings.ReplaceAll(in.Serial, ":", "")), "0x"), 16)
	if err != nil || !ok || serial.Sign() < 0 {
		w.WriteHeader(http.StatusBadRequest)
		_, _ = io.WriteString(w, `{"error":"invalid_request","error_description":"body: {\"serial\": \"<hex>\"}"}`+"\n")
		return
	}
	id := serial.Text(16)
	if r.Method == http.MethodDelete {
		err = d.Docs.DeleteDoc(r.Context(), revokedColl, id)
	} else {
		err = d.Docs.PutDocRaw(r.Context(), revokedColl, id, []byte(`{}`), time.Time{})
	}
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		d.Flow.Pages.ServerError(w, r, err)
		return
	}
	_ = json.NewEncoder(w).Encode(map[string]any{"serial": id, "revoked": r.Method != http.MethodDelete})
}

func (d *DSLogin) view(r *http.Request, ar storage.AuthRequest, bid string) *web.LoginMethodsPage {
	h := d.Flow
	lang := web.Lang(r, ar.UILocales)
	return &web.LoginMethodsPage{Frame: web.Frame{Lang: lang, Title: "methods.title"}, AuthRequestID: ar.ID,
		CSRF: h.Sessions.FormToken(bid, ar.ID, formDS), ClientName: h.Clients.Name(ar.ClientID), SignatureAvailable: d.Roots != nil || h.Picker != nil}
}

// challenge is the text the citizen signs: unguessable, and the same for this browser and
// request until the request ends.
func (d *DSLogin) challenge(ar storage.AuthRequest, bid string) string {
	return "esia-emulator-login:" + d.Flow.Sessions.FormToken(bid, ar.ID, "ds-challenge")
}

func (d *DSLogin) methods(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := d.Flow.LoadRequest(w, r, r.URL.Query().Get("authRequestID"))
	if !ok {
		return
	}
	d.Flow.Pages.Render(w, r, http.StatusOK, d.view(r, ar, bid))
}

func (d *DSLogin) page(w http.ResponseWriter, r *http.Request) {
	ar, bid, ok := d.Flow.LoadRequest(w, r, r.URL.Query().Get("authRequestID"))
	if !ok {
		return
	}
	d.render(w, r, http.StatusOK, ar, bid, "")
}

func (d *DSLogin) render(w http.ResponseWriter, r *http.Request, status int, ar storage.AuthRequest, bid, problemKey string) {
	v := d.view(r, ar, bid)
	if !v.SignatureAvailable {
		d.Flow.Pages.Render(w, r, http.StatusOK, v) // the methods page says why
		return
	}
	v.Title, v.Challenge = "ds.title", d.challenge(ar, bid)
	if d.Flow.Picker != nil { // test mode: test certificates stand in for a signature
		rows, _, err := d.Flow.Picker.Pick(r.Context(), "")
		if err != nil {
			d.Flow.Pages.ServerError(w, r, err)
			return
		}
		v.TestPersonas = rows
	}
	if problemKey != "" {
		v.Error = d.Flow.Pages.T(v.Lang, problemKey)
	}
	d.Flow.Pages.Render(w, r, status, v)
}

func (d *DSLogin) post(w http.ResponseWriter, r *http.Request) {
	h := d.Flow
	sig, err := readUpload(r)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			h.Pages.Message(w, r, http.StatusRequestEntityTooLarge, web.Lang(r, nil), "error.title", "ds.toolarge")
			return
		}
		h.Pages.Message(w, r, http.StatusBadRequest, web.Lang(r, nil), "error.title", "error.badrequest")
		return
	}
	ar, bid, ok := h.FlowForm(w, r, formDS)
	if !ok {
		return
	}
	ctx := r.Context()
	if oid := r.PostForm.Get("test_cert"); oid != "" && h.Picker != nil {
		// Test mode: the persona's test certificate, as after a verified signature.
		user, err := h.Users.GetUser(ctx, oid)
		if errors.Is(err, storage.ErrNotFound) {
			d.render(w, r, http.StatusBadRequest, ar, bid, "ds.unknown")
			return
		}
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		d.signedIn(w, r, ar, user, "test:"+oid)
		return
	}
	if d.Roots == nil { // test mode without a test CA: only the test certificates work
		d.render(w, r, http.StatusForbidden, ar, bid, "ds.untrusted")
		return
	}
	raw, err := decodeCMS(sig)
	if err != nil {
		d.render(w, r, http.StatusBadRequest, ar, bid, "ds.bad")
		return
	}
	if len(raw) == 0 {
		d.render(w, r, http.StatusBadRequest, ar, bid, "ds.empty")
		return
	}
	fail := func(key, reason string) {
		h.Audit.Record(ctx, r, audit.Event{Type: audit.LoginFailed, ClientID: ar.ClientID, Details: map[string]string{"reason": reason, "method": AMRSignature}})
		d.render(w, r, http.StatusForbidden, ar, bid, key)
	}
	challenge := d.challenge(ar, bid)
	cert, chain, err := clientsecret.VerifyDetached(raw, []byte(challenge))
	if err != nil { // openssl and editors may add a final newline to the signed file
		cert, chain, err = clientsecret.VerifyDetached(raw, []byte(challenge+"\n"))
	}
	if err != nil {
		fail("ds.bad", "bad_signature")
		return
	}
	now := h.Now()
	inter := x509.NewCertPool()
	for _, c := range chain {
		inter.AddCert(c)
	}
	if _, err := cert.Verify(x509.VerifyOptions{Roots: d.Roots, Intermediates: inter, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}}); err != nil {
		var inv x509.CertificateInvalidError
		if errors.As(err, &inv) && inv.Reason == x509.Expired {
			fail("ds.expired", "certificate_expired")
			return
		}
		fail("ds.untrusted", "certificate_untrusted")
		return
	}
	if _, err := d.Docs.GetDocRaw(ctx, revokedColl, cert.SerialNumber.Text(16), now); err == nil {
		fail("ds.revoked", "certificate_revoked")
		return
	} else if !errors.Is(err, storage.ErrNotFound) {
		h.Pages.ServerError(w, r, err)
		return
	}
	signer := esig.SignerOf(cert)
	if signer.SNILS == "" {
		fail("ds.nosnils", "certificate_without_snils")
		return
	}
	user, found, _, err := h.Accounts.Lookup(ctx, signer.SNILS)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if !found {
		fail("ds.unknown", "unknown_snils")
		return
	}
	d.signedIn(w, r, ar, user, signer.Serial)
}

// signedIn logs in the holder of a verified signature (certificate: its serial, for the
// audit) and hands over to the dispatcher.
func (d *DSLogin) signedIn(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, user storage.User, certificate string) {
	h := d.Flow
	ctx := r.Context()
	now := h.Now()
	if addr, ok := h.IPCheck(r, ar, user); !ok {
		h.IPRefusedPage(w, r, ar, addr)
		return
	}
	amr, acr := []string{AMRSignature, session.AMRMFA}, session.ACRTwoFactor
	sessID := ""
	if user.Status != storage.StatusSuspended { // as after a password: the dispatcher explains
		sess, err := h.Sessions.Start(ctx, w, r, user.ID, amr, acr)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		sessID = sess.ID
		h.Audit.Record(ctx, r, audit.Event{Type: audit.Login, UserID: user.ID, ClientID: ar.ClientID, SessionID: sessID,
			Details: map[string]string{"amr": strings.Join(amr, " "), "certificate": certificate}})
		h.NotifyLogin(ctx, user, ar.ClientID)
	}
	ar, err := h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
		a.UserID, a.SessionID, a.AuthTime, a.AMR, a.ACR = user.ID, sessID, now, amr, acr
		a.Authenticated, a.FirstFactor = true, false
		return a, nil
	})
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login?authRequestID="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

// dsMaxParts bounds the parts of the upload form (four are used).
const dsMaxParts = 8

// readUpload reads the e-signature form: multipart/form-data (the file) parsed in memory part
// by part, each at most dsMaxBody (the body itself is bounded by provider/limits), or an
// urlencoded form (the pasted text). Its text fields land in r.PostForm for the CSRF check;
// the signature is the file, else the pasted text.
func readUpload(r *http.Request) ([]byte, error) {
	if r.PostForm == nil {
		r.PostForm = url.Values{}
	}
	mr, err := r.MultipartReader()
	if errors.Is(err, http.ErrNotMultipart) {
		return []byte(r.PostFormValue("signature_text")), nil
	}
	if err != nil {
		return nil, err
	}
	var file []byte
	for range dsMaxParts {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
		b, err := io.ReadAll(io.LimitReader(p, dsMaxBody))
		if err != nil {
			return nil, err
		}
		switch name := p.FormName(); name {
		case "signature":
			file = b
		case "authRequestID", "csrf", "signature_text":
			r.PostForm.Set(name, string(b))
		}
	}
	if len(bytes.TrimSpace(file)) == 0 {
		file = []byte(r.PostForm.Get("signature_text"))
	}
	return file, nil
}

// decodeCMS accepts DER as is, PEM of any type, or bare base64 (line breaks allowed).
func decodeCMS(raw []byte) ([]byte, error) {
	if len(raw) > 0 && raw[0] == 0x30 { // DER / BER SEQUENCE: binary, its last bytes may look like spaces
		return raw, nil
	}
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return nil, nil
	}
	if b, _ := pem.Decode(t); b != nil {
		return b.Bytes, nil
	}
	s := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == ' ' || r == '\t' {
			return -1
		}
		return r
	}, string(t))
	out, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	return out, nil
}
