package backchannel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/keys"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
)

// OpenID Connect Back-Channel Logout 1.0, OP side: when an SSO session ends, every client that
// received tokens in it and has a backchannel_logout_uri gets a logout token by POST. Delivery
// runs in the background so the citizen's logout never waits for relying parties.

const (
	// backchannelEvent is the member of a logout token's events claim.
	backchannelEvent = "http://schemas.openid.net/event/backchannel-logout"
	// logoutTokenTTL is exp - iat of a logout token.
	logoutTokenTTL = 2 * time.Minute
	// Timeout bounds one delivery (the injected client may set a shorter Timeout).
	Timeout = 5 * time.Second
)

// Keys gives the key that signs now for an algorithm (keys.Ring).
type Keys interface {
	Signer(alg jose.SignatureAlgorithm, now time.Time) (keys.Key, error)
}

// Auditor records audit events (audit.Recorder).
type Auditor interface {
	Record(ctx context.Context, r *http.Request, ev audit.Event)
}

// Notifier sends logout tokens when SSO sessions end (it implements session.EndNotifier).
// Build it with New; Shutdown waits for deliveries in flight.
type Notifier struct {
	Issuer  string
	Clients *clients.Registry
	Keys    Keys
	Audit   Auditor
	// HTTPClient sends the tokens; each delivery is bounded by 5 s in any case.
	HTTPClient *http.Client
	Now        func() time.Time
	NewID      func() string
	Logger     *slog.Logger

	bgCtx    context.Context    // parent of deliveries; cancelled by Shutdown on timeout
	bgCancel context.CancelFunc //
	bgWG     sync.WaitGroup     // deliveries in flight
}

// New returns a Notifier; fill its exported fields before use. A nil HTTPClient gets one with
// a 5 s timeout.
func New() *Notifier {
	n := &Notifier{HTTPClient: &http.Client{Timeout: Timeout}}
	n.bgCtx, n.bgCancel = context.WithCancel(context.Background())
	return n
}

// logoutDelivery is one logout token ready to be sent.
type logoutDelivery struct {
	clientID, uri   string
	userID, session string
	token           string
}

// SessionsEnded sends logout tokens for sessions that have just been deleted: one per client of
// each session with a backchannel_logout_uri. Tokens are minted now (on the caller's
// goroutine); delivery is asynchronous and tracked for Shutdown.
func (p *Notifier) SessionsEnded(ctx context.Context, sessions []storage.Session) {
	var out []logoutDelivery
	for _, s := range sessions {
		for _, id := range s.Clients {
			cl := p.Clients.Get(id)
			if cl == nil || cl.Config.BackchannelLogoutURI == "" {
				continue
			}
			tok, err := p.logoutToken(cl, s.UserID, s.ID)
			if err != nil {
				p.Logger.ErrorContext(ctx, "back-channel logout: sign the logout token", "client_id", id, "err", err)
				p.Audit.Record(ctx, nil, audit.Event{Type: audit.BackchannelLogout, UserID: s.UserID, ClientID: id, SessionID: s.ID,
					Details: map[string]string{"status": "failed", "error": "signing: " + err.Error()}})
				continue
			}
			out = append(out, logoutDelivery{clientID: id, uri: cl.Config.BackchannelLogoutURI, userID: s.UserID, session: s.ID, token: tok})
		}
	}
	for _, d := range out {
		p.bgWG.Add(1)
		go func() {
			defer p.bgWG.Done()
			p.deliverLogout(d)
		}()
	}
}

// logoutToken mints a signed logout token for the client, with the key and algorithm of the
// client's ID tokens.
func (p *Notifier) logoutToken(cl *clients.Client, sub, sid string) (string, error) {
	now := p.Now()
	k, err := p.Keys.Signer(cl.SigningAlg, now)
	if err != nil {
		return "", err
	}
	claims := map[string]any{
		"iss":    p.Issuer,
		"aud":    cl.Config.ID,
		"iat":    now.Unix(),
		"exp":    now.Add(logoutTokenTTL).Unix(),
		"jti":    p.NewID(),
		"sub":    sub,
		"sid":    sid,
		"events": map[string]any{backchannelEvent: map[string]any{}},
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: k.Alg, Key: k.Private},
		(&jose.SignerOptions{}).WithType("logout+jwt").WithHeader("kid", k.ID))
	if err != nil {
		return "", err
	}
	jws, err := signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return jws.CompactSerialize()
}

// deliverLogout POSTs one logout token and records the outcome (never the token).
func (p *Notifier) deliverLogout(d logoutDelivery) {
	ctx, cancel := context.WithTimeout(p.bgCtx, Timeout)
	defer cancel()
	status, err := p.postLogoutToken(ctx, d)
	details := map[string]string{"status": "delivered"}
	if status != 0 {
		details["http_status"] = strconv.Itoa(status)
	}
	if err != nil {
		details["status"] = "failed"
		details["error"] = err.Error()
		p.Logger.WarnContext(ctx, "back-channel logout failed", "client_id", d.clientID, "http_status", status, "err", err)
	} else {
		p.Logger.InfoContext(ctx, "back-channel logout delivered", "client_id", d.clientID, "http_status", status)
	}
	// The delivery's own context may have timed out; the audit record still gets written.
	actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), Timeout)
	defer acancel()
	p.Audit.Record(actx, nil, audit.Event{Type: audit.BackchannelLogout, UserID: d.userID, ClientID: d.clientID, SessionID: d.session, Details: details})
}

func (p *Notifier) postLogoutToken(ctx context.Context, d logoutDelivery) (int, error) {
	body := url.Values{"logout_token": {d.token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.uri, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.HTTPClient.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is in the audit record already, via the client's config
		}
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	// The spec: 200 OK on success (204 is accepted as well, as many RPs answer so).
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return resp.StatusCode, fmt.Errorf("relying party answered %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// Shutdown waits for background work (back-channel logout deliveries) to finish. When ctx ends
// first, the deliveries still running are cancelled and waited for, and ctx's error returned.
// Call it after the HTTP server has stopped serving.
func (p *Notifier) Shutdown(ctx context.Context) error {
	done := make(chan struct{})
	go func() {
		p.bgWG.Wait()
		close(done)
	}()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		p.bgCancel()
		<-done
		return ctx.Err()
	}
}
