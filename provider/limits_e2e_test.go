package provider_test

import (
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// TestAuthorizeSizeCaps: /authorize refuses an oversized request or parameter with
// invalid_request at a registered redirect_uri (without echoing an oversized state), and on
// an error page when the redirect_uri cannot be trusted; parameters within the caps pass.
func TestAuthorizeSizeCaps(t *testing.T) {
	e := newEnv(t)
	const redirect = "http://127.0.0.1:9100/cb"
	big := func(n int) string { return strings.Repeat("a", n) }
	base := func() url.Values {
		return url.Values{"client_id": {"es-client"}, "redirect_uri": {redirect}, "response_type": {"code"},
			"scope": {"openid"}, "state": {"st"}, "nonce": {"n"}}
	}
	tests := []struct {
		name   string
		set    map[string]string
		post   bool
		status int    // 302 to the client, or 400 page
		param  string // in error_description
	}{
		{"state over 2 KiB", map[string]string{"state": big(2<<10 + 1)}, false, http.StatusFound, "state"},
		{"nonce over 2 KiB", map[string]string{"nonce": big(2<<10 + 1)}, false, http.StatusFound, "nonce"},
		{"login_hint over 256 B", map[string]string{"login_hint": big(257)}, false, http.StatusFound, "login_hint"},
		{"claims over 16 KiB", map[string]string{"claims": `{"userinfo":{"` + big(16<<10) + `":null}}`}, false, http.StatusFound, "claims"},
		{"claims over 16 KiB by POST", map[string]string{"claims": `{"userinfo":{"` + big(16<<10) + `":null}}`}, true, http.StatusFound, "claims"},
		{"request over 64 KiB", func() map[string]string {
			m := map[string]string{}
			for i := range 20 {
				m[fmt.Sprintf("x%d", i)] = big(4 << 10)
			}
			return m
		}(), false, http.StatusFound, "request"},
		{"untrusted redirect_uri", map[string]string{"state": big(3 << 10), "redirect_uri": "https://evil.example/cb"}, false, http.StatusBadRequest, ""},
		{"unknown client", map[string]string{"claims": big(17 << 10), "client_id": "nobody"}, false, http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := base()
			for k, v := range tt.set {
				q.Set(k, v)
			}
			var pg page
			if tt.post {
				pg = post(t, e.browser(), e.issuer+"/authorize", q)
			} else {
				pg = get(t, e.browser(), e.issuer+"/authorize?"+q.Encode())
			}
			if tt.status == http.StatusBadRequest {
				if pg.status != http.StatusBadRequest || pg.location != "" || !strings.Contains(pg.body, "invalid_request") {
					t.Fatalf("want a 400 page naming invalid_request, got %d %s %q", pg.status, pg.location, snippet(pg.body))
				}
				return
			}
			if !strings.HasPrefix(pg.location, redirect) {
				t.Fatalf("want a redirect to the client, got %d %q", pg.status, snippet(pg.body))
			}
			if pg.query("error") != "invalid_request" || !strings.Contains(pg.query("error_description"), tt.param) {
				t.Fatalf("error %q: %q", pg.query("error"), pg.query("error_description"))
			}
			if len(pg.query("state")) > 2<<10 {
				t.Fatalf("an oversized state (%d bytes) was echoed", len(pg.query("state")))
			}
		})
	}
	t.Run("at the caps", func(t *testing.T) {
		q := base()
		q.Set("state", big(2<<10))
		q.Set("nonce", big(2<<10))
		q.Set("login_hint", big(256))
		if pg := get(t, e.browser(), e.issuer+"/authorize?"+q.Encode()); !pg.isLoginForm() {
			t.Fatalf("want the login form, got %d %s %q", pg.status, pg.location, snippet(pg.body))
		}
	})
}

// lazyMultipart is a multipart/form-data body of size bytes made as it is read (a "file" of
// zeros); every 16 MiB it samples the bytes in dir, the temporary directory.
type lazyMultipart struct {
	head, tail string
	size, pos  int64 // pos: the reader's own position
	sent       atomic.Int64
	dir        string
	peak       atomic.Int64
}

func newLazyMultipart(size int64, dir string) *lazyMultipart {
	return &lazyMultipart{
		head: "--b\r\nContent-Disposition: form-data; name=\"authRequestID\"\r\n\r\nx\r\n" +
			"--b\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\nContent-Type: application/octet-stream\r\n\r\n",
		tail: "\r\n--b--\r\n", size: size, dir: dir,
	}
}

func (l *lazyMultipart) Read(p []byte) (int, error) {
	if l.pos >= l.size {
		return 0, io.EOF
	}
	if l.pos/(16<<20) != (l.pos+int64(len(p)))/(16<<20) {
		if n := dirBytes(l.dir); n > l.peak.Load() {
			l.peak.Store(n)
		}
	}
	n := 0
	for n < len(p) && l.pos < l.size {
		switch {
		case l.pos < int64(len(l.head)):
			p[n] = l.head[l.pos]
		case l.pos >= l.size-int64(len(l.tail)):
			p[n] = l.tail[l.pos-(l.size-int64(len(l.tail)))]
		default:
			p[n] = 0
		}
		n++
		l.pos++
	}
	l.sent.Store(l.pos)
	return n, nil
}

func dirBytes(dir string) int64 {
	var n int64
	_ = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// TestMultipartRefused: a 300 MB multipart POST to /login is refused with 415 and a clear
// page before anything is read: nothing reaches the temporary directory.
func TestMultipartRefused(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp) // where Go's multipart parser would spool the file
	e := newEnv(t)
	body := newLazyMultipart(300<<20, tmp)
	req, err := http.NewRequest(http.MethodPost, e.issuer+"/login", body)
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = -1 // chunked: the size is not announced
	req.Header.Set("Content-Type", "multipart/form-data; boundary=b")
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatalf("POST /login: %v (sent %d bytes, temp dir peaked at %d bytes)", err, body.sent.Load(), body.peak.Load())
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnsupportedMediaType || !strings.Contains(string(page), "формы портала не отправляют файлы") {
		t.Errorf("status %d, page %q", resp.StatusCode, snippet(string(page)))
	}
	if p := body.peak.Load(); p != 0 {
		t.Errorf("the temp dir held %d bytes during the upload", p)
	}
	if n := dirBytes(tmp); n != 0 {
		t.Errorf("the temp dir holds %d bytes after the upload", n)
	}
	if sent := body.sent.Load(); sent > 64<<20 {
		t.Errorf("the server read on: %d bytes of the upload were sent", sent)
	}
	_ = os.Remove(tmp)

	// A url-encoded body over the form limit is refused too, with a page.
	big := url.Values{"authRequestID": {strings.Repeat("a", 70<<10)}}.Encode()
	resp, err = e.srv.Client().Post(e.issuer+"/login", "application/x-www-form-urlencoded", strings.NewReader(big))
	if err != nil {
		t.Fatal(err)
	}
	page, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(page), "Запрос слишком большой") {
		t.Errorf("70 KiB form: status %d, page %q", resp.StatusCode, snippet(string(page)))
	}
}
