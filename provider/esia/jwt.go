package esia

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/config"
)

// ESIA's JWTs carry a non-standard header {"ver":1,"typ":"JWT","sbt":"access","alg":"RS256"}
// and no kid; they are built here by hand so that header and claims come out in ESIA's
// order (esia-protocol.md §5).

// Token kinds in the header's sbt.
const (
	sbtAccess = "access"
	sbtID     = "id"
	sbtCode   = "authorization_code"
)

type jwtHeader struct {
	Ver int    `json:"ver"`
	Typ string `json:"typ"`
	Sbt string `json:"sbt"`
	Alg string `json:"alg"`
}

// subject is urn:esia:sbj. is_tru is present only for a confirmed account.
type subject struct {
	Typ   string `json:"urn:esia:sbj:typ"`
	IsTru *bool  `json:"urn:esia:sbj:is_tru,omitempty"`
	OID   int64  `json:"urn:esia:sbj:oid"`
	Nam   string `json:"urn:esia:sbj:nam"`
	EID   int64  `json:"urn:esia:sbj:eid,omitempty"` // in the code only
}

// accessClaims in the order of the real 2022 token (§5.1).
type accessClaims struct {
	NBF      int64  `json:"nbf"`
	Scope    string `json:"scope"`
	Iss      string `json:"iss"`
	SID      string `json:"urn:esia:sid"`
	SbjID    int64  `json:"urn:esia:sbj_id"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	ClientID string `json:"client_id"`
}

// idClaims in the order of the real 2022 id_token (§5.2).
type idClaims struct {
	Aud      string  `json:"aud"`
	Sub      int64   `json:"sub"`
	NBF      int64   `json:"nbf"`
	AMR      string  `json:"amr"`
	AMD      string  `json:"urn:esia:amd"`
	AuthTime int64   `json:"auth_time"`
	Iss      string  `json:"iss"`
	SID      string  `json:"urn:esia:sid"`
	Sbj      subject `json:"urn:esia:sbj"`
	Exp      int64   `json:"exp"`
	Iat      int64   `json:"iat"`
}

// codeClaims in the order of the 2020 test-stand code (§5.3).
type codeClaims struct {
	NBF      int64      `json:"nbf"`
	Scope    string     `json:"scope"`
	AuthTime int64      `json:"auth_time"`
	Iss      string     `json:"iss"`
	SID      string     `json:"urn:esia:sid"`
	State    string     `json:"urn:esia:client:state"`
	AuthMthd string     `json:"auth_mthd"`
	Sbj      subject    `json:"urn:esia:sbj"`
	Exp      int64      `json:"exp"`
	Params   codeParams `json:"params"`
	Iat      int64      `json:"iat"`
	ClientID string     `json:"client_id"`
}

type codeParams struct {
	RemoteIP  string `json:"remote_ip"`
	UserAgent string `json:"user_agent"`
}

// grantedScope echoes scopes ESIA's way: "openid fullname?oid=1000000003 …".
func grantedScope(scopes []string, oid string) string {
	parts := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if s == "openid" {
			parts = append(parts, s)
		} else {
			parts = append(parts, s+"?oid="+oid)
		}
	}
	return strings.Join(parts, " ")
}

// newSID returns urn:esia:sid: a random UUID for each code and each token pair (shared by
// the access token and the id_token of one answer). It also keeps two tokens issued in the
// same second for the same citizen apart, since ESIA's tokens carry no jti.
func (d *Dialect) newSID() (string, error) {
	var b [16]byte
	if _, err := io.ReadFull(d.rand, b[:]); err != nil {
		return "", err
	}
	return newUUID(b), nil
}

// amrOf maps the flow's methods to ESIA's single amr: DS for an e-signature, else PWD.
func amrOf(amr []string) string {
	for _, m := range amr {
		if m == "ds" || m == "sig" || m == "DS" {
			return "DS"
		}
	}
	return "PWD"
}

func oidNumber(oid string) int64 {
	n, _ := strconv.ParseInt(oid, 10, 64)
	return n
}

func hashHex(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

// signJWT signs claims with the dialect's key for alg (RS256 or GOST3410_2012_256).
func (d *Dialect) signJWT(ctx context.Context, alg, sbt string, claims any) (string, error) {
	ver := 1
	if sbt == sbtID {
		ver = 0
	}
	hb, err := json.Marshal(jwtHeader{Ver: ver, Typ: "JWT", Sbt: sbt, Alg: alg})
	if err != nil {
		return "", err
	}
	cb, err := json.Marshal(claims)
	if err != nil {
		return "", err
	}
	input := base64.RawURLEncoding.EncodeToString(hb) + "." + base64.RawURLEncoding.EncodeToString(cb)
	var sig []byte
	switch alg {
	case config.ESIAAlgRS256:
		signer, kid, err := d.signer.Signer(ctx, jose.RS256)
		if err != nil {
			return "", err
		}
		d.rememberKey(kid, signer.Public())
		h := sha256.Sum256([]byte(input))
		if sig, err = signer.Sign(d.rand, h[:], crypto.SHA256); err != nil {
			return "", fmt.Errorf("sign %s: %w", sbt, err)
		}
	case config.ESIAAlgGOST:
		gk, err := d.keys.GOST(ctx)
		if err != nil {
			return "", err
		}
		if sig, err = gk.Sign(d.rand, []byte(input)); err != nil {
			return "", fmt.Errorf("sign %s: %w", sbt, err)
		}
	default:
		return "", fmt.Errorf("unsupported alg %q", alg)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// rememberKey keeps the RSA keys this process signed with, so tokens signed before a key
// rotation still verify on /rs until they expire.
func (d *Dialect) rememberKey(kid string, pub crypto.PublicKey) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.rsaKeys[kid]; !ok {
		d.rsaKeys[kid] = pub
	}
}

var errTokenInvalid = errors.New("invalid token")

// verifyJWT checks an ESIA JWT made by this dialect: shape, header, signature with one of
// the dialect's keys, and nbf/exp by the injected clock. It returns the header and the
// claims' JSON.
func (d *Dialect) verifyJWT(ctx context.Context, tok, wantSbt string) (jwtHeader, []byte, error) {
	var h jwtHeader
	if len(tok) > 16<<10 {
		return h, nil, errTokenInvalid
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return h, nil, errTokenInvalid
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &h) != nil || h.Sbt != wantSbt || h.Typ != "JWT" {
		return h, nil, errTokenInvalid
	}
	input := []byte(parts[0] + "." + parts[1])
	switch h.Alg {
	case config.ESIAAlgRS256:
		if !d.verifyRSA(ctx, input, sig) {
			return h, nil, errTokenInvalid
		}
	case config.ESIAAlgGOST:
		gk, err := d.keys.GOST(ctx)
		if err != nil || !gk.Verify(input, sig) {
			return h, nil, errTokenInvalid
		}
	default:
		return h, nil, errTokenInvalid
	}
	var times struct {
		NBF int64 `json:"nbf"`
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(cb, &times) != nil {
		return h, nil, errTokenInvalid
	}
	now := d.now()
	if times.Exp == 0 || !now.Before(time.Unix(times.Exp, 0)) || now.Before(time.Unix(times.NBF, 0).Add(-time.Minute)) {
		return h, nil, fmt.Errorf("%w: expired or not yet valid", errTokenInvalid)
	}
	return h, cb, nil
}

func (d *Dialect) verifyRSA(ctx context.Context, input, sig []byte) bool {
	digest := sha256.Sum256(input)
	var keys []crypto.PublicKey
	if signer, kid, err := d.signer.Signer(ctx, jose.RS256); err == nil {
		d.rememberKey(kid, signer.Public())
	}
	d.mu.Lock()
	for _, k := range d.rsaKeys {
		keys = append(keys, k)
	}
	d.mu.Unlock()
	for _, k := range keys {
		if pub, ok := k.(*rsa.PublicKey); ok && rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil {
			return true
		}
	}
	return false
}
