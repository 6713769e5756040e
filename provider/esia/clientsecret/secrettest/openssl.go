package secrettest

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// OpenSSL runs the system's openssl with the GOST engine (Debian's libengine-gost-openssl,
// which .ci/install-deps installs) in a temporary directory: the independent implementation
// the emulator's Streebog, GOST R 34.10-2012 and CMS reader are checked against. Without the
// engine the test is skipped — unless CI or ESIA_REQUIRE_GOST=1 is set (make test sets it),
// where it fails.
type OpenSSL struct {
	t   testing.TB
	Dir string
}

// NewOpenSSL finds openssl with a working GOST engine.
func NewOpenSSL(t testing.TB) *OpenSSL {
	t.Helper()
	out, err := exec.Command("openssl", "engine", "gost", "-t").CombinedOutput()
	if err != nil || !strings.Contains(string(out), "available") {
		msg := "openssl's GOST engine is not available (apt-get install libengine-gost-openssl; bash .ci/install-deps does): " + strings.TrimSpace(string(out))
		if os.Getenv("CI") != "" || os.Getenv("ESIA_REQUIRE_GOST") == "1" {
			t.Fatal(msg + " — CI or ESIA_REQUIRE_GOST=1 is set, so this is a failure, not a skip")
		}
		t.Skip(msg)
	}
	return &OpenSSL{t: t, Dir: t.TempDir()}
}

// Write puts data into the working directory as name and returns its path.
func (o *OpenSSL) Write(name string, data []byte) string {
	o.t.Helper()
	p := filepath.Join(o.Dir, name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		o.t.Fatal(err)
	}
	return p
}

// Read returns the file name of the working directory.
func (o *OpenSSL) Read(name string) []byte {
	o.t.Helper()
	b, err := os.ReadFile(filepath.Join(o.Dir, name))
	if err != nil {
		o.t.Fatal(err)
	}
	return b
}

// Run runs openssl with args in the working directory and returns its standard output.
func (o *OpenSSL) Run(args ...string) []byte {
	o.t.Helper()
	cmd := exec.Command("openssl", args...)
	cmd.Dir = o.Dir
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		o.t.Fatalf("openssl %s: %v\n%s", strings.Join(args, " "), err, stderr.String())
	}
	return stdout.Bytes()
}

// GOSTKey makes a GOST R 34.10-2012-256 key in paramset (A, B, C, XA, XB, TCA … TCD) and its
// self-signed certificate, as key-<paramset>.pem and cert-<paramset>.pem / .der; it returns
// the certificate's DER.
func (o *OpenSSL) GOSTKey(paramset string) []byte {
	o.t.Helper()
	o.Run("genpkey", "-engine", "gost", "-algorithm", "gost2012_256", "-pkeyopt", "paramset:"+paramset, "-out", "key-"+paramset+".pem")
	o.Run("req", "-x509", "-engine", "gost", "-key", "key-"+paramset+".pem", "-md_gost12_256", "-subj", "/CN=openssl "+paramset,
		"-days", "30", "-out", "cert-"+paramset+".pem")
	o.Run("x509", "-in", "cert-"+paramset+".pem", "-outform", "DER", "-out", "cert-"+paramset+".der")
	return o.Read("cert-" + paramset + ".der")
}
