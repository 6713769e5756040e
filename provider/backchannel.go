package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/provider/clients"

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
	// backchannelTimeout bounds one delivery (the injected client may set a shorter Timeout).
	backchannelTimeout = 5 * time.Second
)

// logoutDelivery is one logout token ready to be sent.
type logoutDelivery struct {
	clientID, uri   string
	userID, session string
	token           string
}

// EndSession ends an SSO session by id and notifies its clients over the back channel (for
// dialects; see esia.Host).
func (p *Provider) EndSession(ctx context.Context, id string) error {
	return p.sessions.End(ctx, id)
}

// notifyLogout sends logout tokens for sessions that have just been deleted: one per client of
// each session with a backchannel_logout_uri. Tokens are minted now (on the caller's
// goroutine); delivery is asynchronous and tracked for Shutdown.
func (p *Provider) SessionsEnded(ctx context.Context, sessions []storage.Session) {
	var out []logoutDelivery
	for _, s := range sessions {
		for _, id := range s.Clients {
			cl := p.clients.Get(id)
			if cl == nil || cl.Config.BackchannelLogoutURI == "" {
				continue
			}
			tok, err := p.logoutToken(cl, s.UserID, s.ID)
			if err != nil {
				p.log.ErrorContext(ctx, "back-channel logout: sign the logout token", "client_id", id, "err", err)
				p.audit.Record(ctx, nil, audit.Event{Type: audit.BackchannelLogout, UserID: s.UserID, ClientID: id, SessionID: s.ID,
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
func (p *Provider) logoutToken(cl *clients.Client, sub, sid string) (string, error) {
	now := p.now()
	k, err := p.keys.Signer(cl.SigningAlg, now)
	if err != nil {
		return "", err
	}
	claims := map[string]any{
		"iss":    p.cfg.Issuer,
		"aud":    cl.Config.ID,
		"iat":    now.Unix(),
		"exp":    now.Add(logoutTokenTTL).Unix(),
		"jti":    p.randomID(),
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
func (p *Provider) deliverLogout(d logoutDelivery) {
	ctx, cancel := context.WithTimeout(p.bgCtx, backchannelTimeout)
	defer cancel()
	status, err := p.postLogoutToken(ctx, d)
	details := map[string]string{"status": "delivered"}
	if status != 0 {
		details["http_status"] = strconv.Itoa(status)
	}
	if err != nil {
		details["status"] = "failed"
		details["error"] = err.Error()
		p.log.WarnContext(ctx, "back-channel logout failed", "client_id", d.clientID, "http_status", status, "err", err)
	} else {
		p.log.InfoContext(ctx, "back-channel logout delivered", "client_id", d.clientID, "http_status", status)
	}
	// The delivery's own context may have timed out; the audit record still gets written.
	actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), backchannelTimeout)
	defer acancel()
	p.audit.Record(actx, nil, audit.Event{Type: audit.BackchannelLogout, UserID: d.userID, ClientID: d.clientID, SessionID: d.session, Details: details})
}

func (p *Provider) postLogoutToken(ctx context.Context, d logoutDelivery) (int, error) {
	body := url.Values{"logout_token": {d.token}}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.uri, strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := p.httpClient.Do(req)
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
func (p *Provider) Shutdown(ctx context.Context) error {
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
