package esiajwt

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/esia/signing"
	"github.com/esia-emulator/esia-emulator/storage"
)

// Token kinds in the header's sbt.
const (
	SbtAccess = "access"
	SbtID     = "id"
	SbtCode   = "authorization_code"
)

// Header is ESIA's JWT header: no kid.
type Header struct {
	Ver int    `json:"ver"`
	Typ string `json:"typ"`
	Sbt string `json:"sbt"`
	Alg string `json:"alg"`
}

// Subject is urn:esia:sbj. is_tru is present only for a confirmed account.
type Subject struct {
	Typ   string `json:"urn:esia:sbj:typ"`
	IsTru *bool  `json:"urn:esia:sbj:is_tru,omitempty"`
	OID   int64  `json:"urn:esia:sbj:oid"`
	Nam   string `json:"urn:esia:sbj:nam"`
	EID   int64  `json:"urn:esia:sbj:eid,omitempty"` // in the code only
	// OrgOID is the organisation the person logs in for (an emulator extension; absent for
	// the private person).
	OrgOID int64 `json:"urn:esia:sbj:org_oid,omitempty"`
	// RepFor and RepKind: the person acts for another (an emulator extension, off by
	// default): the other's oid, and "kid" (a parent) or "poa" (a power of attorney).
	RepFor  int64  `json:"urn:esia:sbj:rep_for,omitempty"`
	RepKind string `json:"urn:esia:sbj:rep_kind,omitempty"`
}

// SubjectOf builds urn:esia:sbj for an account; is_tru only for a confirmed one, eid (the
// code's) when withEID.
func SubjectOf(u storage.User, withEID bool) Subject {
	s := Subject{Typ: "P", OID: OIDNumber(u.ID), Nam: "OID." + u.ID}
	if u.Level == storage.LevelConfirmed {
		t := true
		s.IsTru = &t
	}
	if withEID {
		s.EID = OIDNumber(u.ID)
	}
	return s
}

// Access: the access token's claims in the order of the real 2022 token (§5.1).
type Access struct {
	NBF      int64  `json:"nbf"`
	Scope    string `json:"scope"`
	Iss      string `json:"iss"`
	SID      string `json:"urn:esia:sid"`
	SbjID    int64  `json:"urn:esia:sbj_id"`
	Exp      int64  `json:"exp"`
	Iat      int64  `json:"iat"`
	ClientID string `json:"client_id"`
	// Permissions and PermissionsURL are the Digital Profile consents the token was issued
	// under (§5.1, "newer tokens may carry"); absent without any.
	Permissions    any    `json:"permissions,omitempty"`
	PermissionsURL string `json:"permissions_url,omitempty"`
}

// ID: the id_token's claims in the order of the real 2022 id_token (§5.2).
type ID struct {
	Aud      string  `json:"aud"`
	Sub      int64   `json:"sub"`
	NBF      int64   `json:"nbf"`
	AMR      string  `json:"amr"`
	AMD      string  `json:"urn:esia:amd"`
	AuthTime int64   `json:"auth_time"`
	Iss      string  `json:"iss"`
	SID      string  `json:"urn:esia:sid"`
	Sbj      Subject `json:"urn:esia:sbj"`
	Exp      int64   `json:"exp"`
	Iat      int64   `json:"iat"`
}

// Code: the authorization code's claims in the order of the 2020 test-stand code (§5.3).
type Code struct {
	NBF      int64      `json:"nbf"`
	Scope    string     `json:"scope"`
	AuthTime int64      `json:"auth_time"`
	Iss      string     `json:"iss"`
	SID      string     `json:"urn:esia:sid"`
	State    string     `json:"urn:esia:client:state"`
	AuthMthd string     `json:"auth_mthd"`
	Sbj      Subject    `json:"urn:esia:sbj"`
	Exp      int64      `json:"exp"`
	Params   CodeParams `json:"params"`
	Iat      int64      `json:"iat"`
	ClientID string     `json:"client_id"`
}

// CodeParams are the browser's address and agent in the code.
type CodeParams struct {
	RemoteIP  string `json:"remote_ip"`
	UserAgent string `json:"user_agent"`
}

// GrantedScope echoes scopes ESIA's way: "openid fullname?oid=1000000003 …".
func GrantedScope(scopes []string, oid string) string {
	parts := make([]string, 0, len(scopes))
	for _, s := range scopes {
		if s == "openid" || strings.Contains(s, "?org_oid=") { // an organisation scope names its organisation
			parts = append(parts, s)
		} else {
			parts = append(parts, s+"?oid="+oid)
		}
	}
	return strings.Join(parts, " ")
}

// AMR maps the flow's methods to ESIA's single amr: DS for an e-signature, else PWD.
func AMR(amr []string) string {
	for _, m := range amr {
		if m == "ds" || m == "sig" || m == "DS" {
			return "DS"
		}
	}
	return "PWD"
}

// OIDNumber is an account id as ESIA's numeric oid.
func OIDNumber(oid string) int64 {
	n, _ := strconv.ParseInt(oid, 10, 64)
	return n
}

// Tokens signs and checks ESIA's JWTs with the provider's current RS256 key or the GOST key
// of package signing. Keys, Signers, Rand and Now are required.
type Tokens struct {
	Keys    *signing.Keys
	Signers signing.Signers
	Rand    io.Reader
	Now     func() time.Time
}

// Sign signs claims with the dialect's key for alg (RS256 or GOST3410_2012_256).
func (t *Tokens) Sign(ctx context.Context, alg, sbt string, claims any) (string, error) {
	ver := 1
	if sbt == SbtID {
		ver = 0
	}
	hb, err := json.Marshal(Header{Ver: ver, Typ: "JWT", Sbt: sbt, Alg: alg})
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
		signer, _, err := t.Signers.Signer(ctx, jose.RS256)
		if err != nil {
			return "", err
		}
		h := sha256.Sum256([]byte(input))
		if sig, err = signer.Sign(t.Rand, h[:], crypto.SHA256); err != nil {
			return "", fmt.Errorf("sign %s: %w", sbt, err)
		}
	case config.ESIAAlgGOST:
		gk, err := t.Keys.GOST(ctx)
		if err != nil {
			return "", err
		}
		if sig, err = gk.Sign(t.Rand, []byte(input)); err != nil {
			return "", fmt.Errorf("sign %s: %w", sbt, err)
		}
	default:
		return "", fmt.Errorf("unsupported alg %q", alg)
	}
	return input + "." + base64.RawURLEncoding.EncodeToString(sig), nil
}

// ErrInvalid: the token is not one of ours, or has expired.
var ErrInvalid = errors.New("invalid token")

// Verify checks an ESIA JWT made by this dialect: shape, header, signature with one of
// the dialect's keys, and nbf/exp by the injected clock. It returns the header and the
// claims' JSON.
func (t *Tokens) Verify(ctx context.Context, tok, wantSbt string) (Header, []byte, error) {
	var h Header
	if len(tok) > 16<<10 {
		return h, nil, ErrInvalid
	}
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return h, nil, ErrInvalid
	}
	hb, err1 := base64.RawURLEncoding.DecodeString(parts[0])
	cb, err2 := base64.RawURLEncoding.DecodeString(parts[1])
	sig, err3 := base64.RawURLEncoding.DecodeString(parts[2])
	if err1 != nil || err2 != nil || err3 != nil || json.Unmarshal(hb, &h) != nil || h.Sbt != wantSbt || h.Typ != "JWT" {
		return h, nil, ErrInvalid
	}
	input := []byte(parts[0] + "." + parts[1])
	switch h.Alg {
	case config.ESIAAlgRS256:
		if !t.verifyRSA(ctx, input, sig) {
			return h, nil, ErrInvalid
		}
	case config.ESIAAlgGOST:
		if !t.verifyGOST(ctx, input, sig) {
			return h, nil, ErrInvalid
		}
	default:
		return h, nil, ErrInvalid
	}
	var times struct {
		NBF int64 `json:"nbf"`
		Exp int64 `json:"exp"`
	}
	if json.Unmarshal(cb, &times) != nil {
		return h, nil, ErrInvalid
	}
	now := t.Now()
	if times.Exp == 0 || !now.Before(time.Unix(times.Exp, 0)) || now.Before(time.Unix(times.NBF, 0).Add(-time.Minute)) {
		return h, nil, fmt.Errorf("%w: expired or not yet valid", ErrInvalid)
	}
	return h, cb, nil
}

// verifyRSA tries every kept RS256 key: a token signed before a rotation verifies until it
// expires, on every replica and after a restart.
func (t *Tokens) verifyRSA(ctx context.Context, input, sig []byte) bool {
	digest := sha256.Sum256(input)
	kept, err := t.Signers.Kept(ctx)
	if err != nil {
		return false
	}
	for _, k := range kept {
		if pub, ok := k.Private.Public().(*rsa.PublicKey); ok && rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil {
			return true
		}
	}
	return false
}

// verifyGOST tries the GOST key of every kept RS256 key, for the same reason.
func (t *Tokens) verifyGOST(ctx context.Context, input, sig []byte) bool {
	keys, err := t.Keys.KeptGOST(ctx)
	if err != nil {
		return false
	}
	for _, g := range keys {
		if g.Verify(input, sig) {
			return true
		}
	}
	return false
}
