package methods

import (
	"bytes"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"image/png"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/boombuler/barcode"
	"github.com/boombuler/barcode/qr"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/flow"
	"github.com/esia-emulator/esia-emulator/provider/limits"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// AMRQR is the login method of the Gosuslugi app's QR code. The app is itself a logged-in,
// confirmed device, so the login counts as two factors (the session's acr); ESIA tokens
// carry amr PWD for it (esiajwt.AMR), as the protocol doc names no other value.
const AMRQR = "qr"

// Defaults of QRLogin.
const (
	DefaultQRTTL        = 120 * time.Second
	DefaultQRMaxStreams = 64
	// qrStreamDeadline is the longest one event stream stays open (wall clock); the browser's
	// EventSource reconnects after it.
	qrStreamDeadline = 50 * time.Second
	qrPoll           = 250 * time.Millisecond
	qrColl           = "qrlogin"
	formQR           = "qr"
)

// qrRecord is a QR code shown for an authorization request (the document's id is the
// request's). Code is what the QR carries besides the id; UserID is set by the scan.
type qrRecord struct {
	Code      string    `json:"code"`
	ExpiresAt time.Time `json:"expires_at"`
	UserID    string    `json:"user_id,omitempty"`
}

// QRLogin is the login through the Gosuslugi app: the page shows a QR code, the app "scans"
// it (in the emulator: POST /admin/api/qr/scan with the code's text and a persona, behind the
// admin token), and the page goes on by itself — server-sent events at /login/qr/events (at
// most MaxStreams at once, each closed after qrStreamDeadline or at the code's expiry), or
// without scripts a reload every few seconds and a «Проверить» button. A code expires after
// TTL (the provider's clock): the page then shows ESIA-007110 and offers a new code.
//
// Routes (Mount): GET /login/qr, POST /login/qr (a new code), GET /login/qr/events,
// POST /admin/api/qr/scan (through Guard).
type QRLogin struct {
	Flow  *flow.Handler
	Docs  storage.Docs
	Guard func(http.Handler) http.Handler
	// TTL is a code's lifetime (DefaultQRTTL when zero); MaxStreams bounds the open event
	// streams (DefaultQRMaxStreams when zero).
	TTL        time.Duration
	MaxStreams int

	streams chan struct{}
}

// Mount adds the routes.
func (q *QRLogin) Mount(mux *http.ServeMux) {
	if q.TTL <= 0 {
		q.TTL = DefaultQRTTL
	}
	if q.MaxStreams <= 0 {
		q.MaxStreams = DefaultQRMaxStreams
	}
	q.streams = make(chan struct{}, q.MaxStreams)
	mux.HandleFunc("GET /login/qr", q.page)
	mux.HandleFunc("POST /login/qr", q.renew)
	mux.HandleFunc("GET /login/qr/events", q.events)
	mux.Handle("POST /admin/api/qr/scan", q.Guard(http.HandlerFunc(q.scan)))
}

func (q *QRLogin) load(r *http.Request, id string) (qrRecord, bool, error) {
	b, err := q.Docs.GetDocRaw(r.Context(), qrColl, id, q.Flow.Now())
	if errors.Is(err, storage.ErrNotFound) {
		return qrRecord{}, false, nil
	}
	if err != nil {
		return qrRecord{}, false, fmt.Errorf("qr login: %w", err)
	}
	var rec qrRecord
	if err := json.Unmarshal(b, &rec); err != nil {
		return qrRecord{}, false, fmt.Errorf("qr login: %w", err)
	}
	return rec, true, nil
}

// issue stores a new code for the request.
func (q *QRLogin) issue(r *http.Request, ar storage.AuthRequest) (qrRecord, error) {
	now := q.Flow.Now()
	rec := qrRecord{Code: q.Flow.NewID(), ExpiresAt: now.Add(q.TTL)}
	b, _ := json.Marshal(rec)
	// Kept past its expiry (until the request ends) so an expired code is told apart.
	if err := q.Docs.PutDocRaw(r.Context(), qrColl, ar.ID, b, ar.ExpiresAt); err != nil {
		return rec, fmt.Errorf("qr login: %w", err)
	}
	return rec, nil
}

func (q *QRLogin) page(w http.ResponseWriter, r *http.Request) {
	h := q.Flow
	ar, bid, ok := h.LoadRequest(w, r, r.URL.Query().Get("authRequestID"))
	if !ok {
		return
	}
	rec, found, err := q.load(r, ar.ID)
	if err == nil && !found {
		rec, err = q.issue(r, ar)
	}
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if rec.UserID != "" {
		q.complete(w, r, ar, rec.UserID)
		return
	}
	lang := web.Lang(r, ar.UILocales)
	v := &web.QRLoginPage{Frame: web.Frame{Lang: lang, Title: "qr.title"}, AuthRequestID: ar.ID, CSRF: h.Sessions.FormToken(bid, ar.ID, formQR),
		ClientName: h.Clients.Name(ar.ClientID)}
	if !h.Now().Before(rec.ExpiresAt) {
		v.Expired = true
		h.Pages.Render(w, r, http.StatusOK, v)
		return
	}
	v.QRText = ar.ID + "." + rec.Code
	img, err := qrDataURL(v.QRText)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	v.QRImage, v.ExpiresAt = img, web.Clock(rec.ExpiresAt)
	v.EventsURL = "/login/qr/events?authRequestID=" + url.QueryEscape(ar.ID)
	v.RefreshIn, v.RefreshURL = 5, "/login/qr?authRequestID="+url.QueryEscape(ar.ID)
	h.Pages.Render(w, r, http.StatusOK, v)
}

// qrDataURL draws text as a 256×256 QR code PNG in a data: URL (the pages' CSP allows data:
// images).
func qrDataURL(text string) (template.URL, error) {
	c, err := qr.Encode(text, qr.M, qr.Auto)
	if err != nil {
		return "", fmt.Errorf("qr login: encode: %w", err)
	}
	if c, err = barcode.Scale(c, 256, 256); err != nil {
		return "", fmt.Errorf("qr login: scale: %w", err)
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, c); err != nil {
		return "", fmt.Errorf("qr login: png: %w", err)
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(buf.Bytes())), nil //nolint:gosec // our own PNG
}

// renew is «Получить новый QR-код» after ESIA-007110.
func (q *QRLogin) renew(w http.ResponseWriter, r *http.Request) {
	ar, _, ok := q.Flow.FlowForm(w, r, formQR)
	if !ok {
		return
	}
	if _, err := q.issue(r, ar); err != nil {
		q.Flow.Pages.ServerError(w, r, err)
		return
	}
	http.Redirect(w, r, "/login/qr?authRequestID="+url.QueryEscape(ar.ID), http.StatusSeeOther)
}

// complete logs the scanning citizen in and hands over to the dispatcher.
func (q *QRLogin) complete(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest, userID string) {
	h := q.Flow
	ctx := r.Context()
	if err := q.Docs.DeleteDoc(ctx, qrColl, ar.ID); err != nil { // one scan, one login
		h.Pages.ServerError(w, r, err)
		return
	}
	user, err := h.Users.GetUser(ctx, userID)
	if err != nil {
		h.Pages.ServerError(w, r, err)
		return
	}
	if addr, ok := h.IPCheck(r, ar, user); !ok {
		h.IPRefusedPage(w, r, ar, addr)
		return
	}
	now := h.Now()
	amr, acr := []string{AMRQR, session.AMRMFA}, session.ACRTwoFactor
	sessID := ""
	if user.Status != storage.StatusSuspended {
		sess, err := h.Sessions.Start(ctx, w, r, user.ID, amr, acr)
		if err != nil {
			h.Pages.ServerError(w, r, err)
			return
		}
		sessID = sess.ID
		h.Audit.Record(ctx, r, audit.Event{Type: audit.Login, UserID: user.ID, ClientID: ar.ClientID, SessionID: sessID, Details: map[string]string{"amr": strings.Join(amr, " ")}})
		h.NotifyLogin(ctx, user, ar.ClientID)
	}
	ar, err = h.AuthRequests.UpdateAuthRequest(ctx, ar.ID, now, func(a storage.AuthRequest) (storage.AuthRequest, error) {
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

// events streams "done" when the code is scanned and "expired" when it expires.
func (q *QRLogin) events(w http.ResponseWriter, r *http.Request) {
	h := q.Flow
	id := r.URL.Query().Get("authRequestID")
	bid := h.Sessions.ReadCookie(r, session.FlowCookie)
	ar, err := h.AuthRequests.GetAuthRequest(r.Context(), id, h.Now())
	if err != nil || bid == "" || ar.BrowserID != bid {
		http.Error(w, "no QR login in progress for this browser", http.StatusNotFound)
		return
	}
	select {
	case q.streams <- struct{}{}:
		defer func() { <-q.streams }()
	default:
		w.Header().Set("Retry-After", "5")
		http.Error(w, "too many open event streams", http.StatusServiceUnavailable)
		return
	}
	limits.HoldConnection(w, qrStreamDeadline)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	rc := http.NewResponseController(w)
	send := func(s string) bool {
		if _, err := fmt.Fprint(w, s); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 3000\n: waiting for the scan\n\n") {
		return
	}
	deadline := time.NewTimer(qrStreamDeadline)
	defer deadline.Stop()
	tick := time.NewTicker(qrPoll)
	defer tick.Stop()
	for {
		rec, found, err := q.load(r, id)
		switch {
		case err != nil:
			h.Logger.WarnContext(r.Context(), "qr events", "err", err)
			return
		case !found || rec.UserID != "":
			send("event: done\ndata: /login/qr?authRequestID=" + url.QueryEscape(id) + "\n\n")
			return
		case !h.Now().Before(rec.ExpiresAt):
			send("event: expired\ndata: ESIA-007110\n\n")
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-deadline.C:
			return
		case <-tick.C:
		}
	}
}

// scanBody is the admin call that plays the app scanning a code.
type scanBody struct {
	QR      string `json:"qr"`      // the code's text (shown under the QR code)
	Persona string `json:"persona"` // the account logged in to the app (oid)
}

// scan is POST /admin/api/qr/scan: the Gosuslugi app of persona scanned the code.
func (q *QRLogin) scan(w http.ResponseWriter, r *http.Request) {
	h := q.Flow
	answer := func(status int, v map[string]string) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		_ = json.NewEncoder(w).Encode(v)
	}
	var in scanBody
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&in); err != nil {
		answer(http.StatusBadRequest, map[string]string{"error": "invalid_request", "error_description": "body: {\"qr\": \"…\", \"persona\": \"oid\"}"})
		return
	}
	id, code, _ := strings.Cut(strings.TrimSpace(in.QR), ".")
	if _, err := h.Users.GetUser(r.Context(), in.Persona); err != nil {
		answer(http.StatusNotFound, map[string]string{"error": "not_found", "error_description": "no persona " + in.Persona})
		return
	}
	var expired bool
	_, err := q.Docs.UpdateDocRaw(r.Context(), qrColl, id, h.Now(), func(old []byte) ([]byte, time.Time, error) {
		var rec qrRecord
		if err := json.Unmarshal(old, &rec); err != nil {
			return nil, time.Time{}, err
		}
		if subtle.ConstantTimeCompare([]byte(rec.Code), []byte(code)) != 1 {
			return nil, time.Time{}, storage.ErrNotFound
		}
		if !h.Now().Before(rec.ExpiresAt) {
			expired = true
			return nil, time.Time{}, errQRExpired
		}
		rec.UserID = in.Persona
		b, err := json.Marshal(rec)
		return b, rec.ExpiresAt.Add(time.Hour), err
	})
	switch {
	case expired:
		answer(http.StatusGone, map[string]string{"error": "ESIA-007110", "error_description": "the QR code has expired"})
	case errors.Is(err, storage.ErrNotFound):
		answer(http.StatusNotFound, map[string]string{"error": "not_found", "error_description": "no such QR code"})
	case err != nil:
		answer(http.StatusInternalServerError, map[string]string{"error": "server_error"})
	default:
		answer(http.StatusOK, map[string]string{"status": "scanned"})
	}
}

var errQRExpired = errors.New("qr login: the code expired")
