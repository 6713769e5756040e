package main

import (
	"crypto/tls"
	"net/http"
	"os"
	"testing"
	"time"
)

func insecureTransport() http.RoundTripper {
	return &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} //nolint:gosec // test of a self-signed certificate
}

func TestSelfSignedCertIsKeptAndRenewed(t *testing.T) {
	dir := t.TempDir()
	now := time.Now()
	cert, key, err := selfSignedCert(dir, now)
	if err != nil {
		t.Fatal(err)
	}
	first, _ := os.ReadFile(cert)
	if info, _ := os.Stat(key); info.Mode().Perm() != 0o600 {
		t.Fatalf("key mode %v", info.Mode().Perm())
	}
	if _, err := loadTLS(cert, key); err != nil {
		t.Fatal(err)
	}
	cert2, _, _ := selfSignedCert(dir, now.Add(24*time.Hour))
	if second, _ := os.ReadFile(cert2); string(second) != string(first) {
		t.Fatal("a valid certificate was replaced")
	}
	cert3, _, _ := selfSignedCert(dir, now.AddDate(1, 0, 0))
	if third, _ := os.ReadFile(cert3); string(third) == string(first) {
		t.Fatal("an expiring certificate was not renewed")
	}
}
