package otp

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// DefaultWebhookTimeout bounds a webhook call when WebhookSender.Client is nil.
const DefaultWebhookTimeout = 10 * time.Second

// WebhookSender delivers messages to a real gateway by POSTing them as JSON:
//
//	{"id":"","channel":"sms","to":"+79990000001","subject":"","body":"…","kind":"login_code","created_at":"…"}
//
// The code travels inside body (the citizen must read it); the separate "code" field is sent
// only with IncludeCode. Any status outside 2xx is an error. The sender logs nothing, and its
// errors name the status only, never the message.
type WebhookSender struct {
	URL string
	// Client makes the request (nil: a client with DefaultWebhookTimeout).
	Client *http.Client
	// Header is added to every request (for example Authorization).
	Header http.Header
	// IncludeCode also sends the code as its own field.
	IncludeCode bool
}

var _ Sender = (*WebhookSender)(nil)

// Send POSTs m to URL.
func (w *WebhookSender) Send(ctx context.Context, m Message) error {
	if !w.IncludeCode {
		m.Code = ""
	}
	body, err := json.Marshal(m)
	if err != nil {
		return fmt.Errorf("otp: webhook: encode: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("otp: webhook: %w", err)
	}
	for k, vs := range w.Header {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	req.Header.Set("Content-Type", "application/json")
	client := w.Client
	if client == nil {
		client = &http.Client{Timeout: DefaultWebhookTimeout}
	}
	resp, err := client.Do(req)
	if err != nil {
		return fmt.Errorf("otp: webhook: %w", err)
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return fmt.Errorf("otp: webhook: gateway answered %s", resp.Status)
	}
	return nil
}
