package esiatest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"
)

// admin calls the emulator's admin API with the Server's token: body (if not nil) as JSON,
// the answer (if out is not nil) decoded from JSON. Any status but want fails the test.
func (s *Server) admin(method, path string, body any, want int, out any) {
	s.t.Helper()
	if err := s.adminCtx(context.Background(), method, path, body, want, out); err != nil {
		s.t.Fatalf("esiatest: %v", err)
	}
}

func (s *Server) adminCtx(ctx context.Context, method, path string, body any, want int, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("%s %s: %w", method, path, err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.srv.URL+path, rd)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+s.adminToken)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := s.srv.Client().Do(req)
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 10<<20))
	if err != nil {
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode != want {
		var p struct{ Error, Message string }
		if json.Unmarshal(b, &p) == nil && p.Error != "" {
			return fmt.Errorf("%s %s: %d %s: %s", method, path, resp.StatusCode, p.Error, p.Message)
		}
		return fmt.Errorf("%s %s: status %d", method, path, resp.StatusCode)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("%s %s: answer: %w", method, path, err)
		}
	}
	return nil
}

// Message is a message the emulator "sent" (SMS, e-mail, letter) and kept in its outbox.
type Message struct {
	ID      string
	Channel string // "sms", "email", "post"
	To      string // normalised: +7XXXXXXXXXX or a lower-case e-mail address
	Subject string
	Body    string
	// Kind: "login_code", "registration_code", "recovery_code", "letter_code",
	// "lock_notice", "login_notice".
	Kind string
	Code string // the one-time code in clear; "" for notices
	Sent time.Time
}

type outboxMessage struct {
	ID        string    `json:"id"`
	Channel   string    `json:"channel"`
	To        string    `json:"to"`
	Subject   string    `json:"subject"`
	Body      string    `json:"body"`
	Kind      string    `json:"kind"`
	Code      string    `json:"code"`
	CreatedAt time.Time `json:"created_at"`
}

func (m outboxMessage) public() Message {
	return Message{ID: m.ID, Channel: m.Channel, To: m.To, Subject: m.Subject, Body: m.Body, Kind: m.Kind, Code: m.Code, Sent: m.CreatedAt}
}

// Outbox lists the messages sent to a phone or e-mail address ("" for every recipient),
// oldest first.
func (s *Server) Outbox(phoneOrEmail string) []Message {
	s.t.Helper()
	var msgs []outboxMessage
	s.admin(http.MethodGet, "/admin/api/outbox?"+url.Values{"to": {phoneOrEmail}}.Encode(), nil, http.StatusOK, &msgs)
	out := make([]Message, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, m.public())
	}
	return out
}

// WaitForCode returns the one-time code of the newest message to phoneOrEmail that carries a
// code and that WaitForCode has not returned before; when there is none yet it waits for the
// next one. It fails the test when ctx ends first (or after a minute without a deadline).
//
// Call it after the step that sends the code (the password form of an SMS persona, "send
// again", registration): the code may already be in the outbox, and it is found there.
func (s *Server) WaitForCode(ctx context.Context, phoneOrEmail string) string {
	s.t.Helper()
	m, err := s.waitForCode(ctx, phoneOrEmail)
	if err != nil {
		s.t.Fatalf("esiatest: code to %s: %v", phoneOrEmail, err)
	}
	return m.Code
}

func (s *Server) waitForCode(ctx context.Context, to string) (Message, error) {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, time.Minute)
		defer cancel()
	}
	s.mu.Lock()
	after := s.cursors[to]
	s.mu.Unlock()
	var msgs []outboxMessage
	if err := s.adminCtx(ctx, http.MethodGet, "/admin/api/outbox?"+url.Values{"to": {to}}.Encode(), nil, http.StatusOK, &msgs); err != nil {
		return Message{}, err
	}
	var found *outboxMessage
	for i := range msgs { // oldest first: keep the newest unread one with a code
		if msgs[i].ID > after && msgs[i].Code != "" {
			found = &msgs[i]
		}
	}
	if len(msgs) > 0 && msgs[len(msgs)-1].ID > after {
		after = msgs[len(msgs)-1].ID
	}
	for found == nil {
		// The admin API waits up to 2 minutes per call; ctx bounds the whole wait.
		q := url.Values{"to": {to}, "wait": {"2m"}}
		if after != "" {
			q.Set("after", after)
		} else {
			q.Set("after", "0") // every message: ids are decimal timestamps, all after "0"
		}
		var m outboxMessage
		err := s.adminCtx(ctx, http.MethodGet, "/admin/api/outbox?"+q.Encode(), nil, http.StatusOK, &m)
		if ctx.Err() != nil {
			return Message{}, ctx.Err()
		}
		if err != nil {
			return Message{}, err
		}
		after = m.ID
		if m.Code != "" {
			found = &m
		}
	}
	s.mu.Lock()
	if found.ID > s.cursors[to] {
		s.cursors[to] = found.ID
	}
	s.mu.Unlock()
	return found.public(), nil
}

// Tokens are what the token endpoint answers.
type Tokens struct {
	AccessToken  string
	IDToken      string
	RefreshToken string // only with the offline_access scope on a client with refresh tokens
	TokenType    string
	ExpiresIn    time.Duration
	Scopes       []string
}

// MintTokens issues real tokens (stored, signed with the emulator's keys, revocable) for a
// persona (key or oid) and an OpenID Connect client, as if the persona had just logged in
// with a password — for tests of resource servers that need a token, not a login. Scopes
// default to openid; "offline_access" adds a refresh token.
func (s *Server) MintTokens(persona, clientID string, scopes ...string) Tokens {
	s.t.Helper()
	req := struct {
		Persona  string   `json:"persona"`
		ClientID string   `json:"client_id"`
		Scopes   []string `json:"scopes"`
		Offline  bool     `json:"offline"`
	}{Persona: persona, ClientID: clientID, Scopes: scopes}
	for _, sc := range scopes {
		req.Offline = req.Offline || sc == "offline_access"
	}
	var ans struct {
		AccessToken  string   `json:"access_token"`
		IDToken      string   `json:"id_token"`
		RefreshToken string   `json:"refresh_token"`
		TokenType    string   `json:"token_type"`
		ExpiresIn    int64    `json:"expires_in"`
		Scope        []string `json:"scope"`
	}
	s.admin(http.MethodPost, "/admin/api/tokens", req, http.StatusCreated, &ans)
	return Tokens{AccessToken: ans.AccessToken, IDToken: ans.IDToken, RefreshToken: ans.RefreshToken, TokenType: ans.TokenType,
		ExpiresIn: time.Duration(ans.ExpiresIn) * time.Second, Scopes: ans.Scope}
}

// Reset returns the emulator to its state at New: sessions, tokens, consents, lockout
// counters, messages and personas made with CreatePersona are dropped and the personas seeded
// again; pending faults and maintenance are cleared and the clock follows the wall clock
// again. Signing keys stay.
func (s *Server) Reset() {
	s.t.Helper()
	s.admin(http.MethodPost, "/admin/api/reset", struct{}{}, http.StatusOK, nil)
	s.admin(http.MethodDelete, "/admin/api/faults", nil, http.StatusOK, nil)
	s.Maintenance(false)
	s.clock.c.Reset()
	s.mu.Lock()
	clear(s.cursors)
	s.mu.Unlock()
}
