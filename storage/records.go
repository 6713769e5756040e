package storage

import "time"

// SchemaVersion is written into every record so a later release can migrate old ones.
const SchemaVersion = 1

// LoginKind names a unique login of a user.
type LoginKind string

const (
	LoginPhone LoginKind = "phone" // +7XXXXXXXXXX
	LoginEmail LoginKind = "email" // lower-case
	LoginSNILS LoginKind = "snils" // 11 digits, no separators
	LoginINN   LoginKind = "inn"   // a person's 12-digit INN, once the tax service confirmed it
)

// Level is the ESIA account level.
type Level string

const (
	LevelSimplified Level = "simplified"
	LevelStandard   Level = "standard"
	LevelConfirmed  Level = "confirmed"
)

// Rank orders levels: simplified < standard < confirmed. Unknown levels rank 0.
func (l Level) Rank() int {
	switch l {
	case LevelSimplified:
		return 1
	case LevelStandard:
		return 2
	case LevelConfirmed:
		return 3
	}
	return 0
}

// Status is the account status shown to the citizen.
type Status string

const (
	StatusActive            Status = "active"
	StatusSuspended         Status = "suspended"
	StatusNeedsConfirmation Status = "needs_confirmation"
)

// Verification states used by ESIA for contacts and documents.
const (
	VerifyNotVerified = "NOT_VERIFIED"
	VerifyVerifying   = "VERIFYING"
	VerifyVerified    = "VERIFIED"
	VerifyFailed      = "VERIFICATION_FAILED"
)

// VerifyState is VerifyVerified for true, VerifyNotVerified for false.
func VerifyState(verified bool) string {
	if verified {
		return VerifyVerified
	}
	return VerifyNotVerified
}

// User is a citizen's account. Logins (Phone, Email, SNILS) are stored normalised.
type User struct {
	Schema int    `json:"v"`
	ID     string `json:"id"` // ESIA oid: decimal digits
	// Persona is the key of the built-in or configured persona this account was seeded from.
	Persona string `json:"persona,omitempty"`

	Phone         string `json:"phone,omitempty"`
	PhoneVerified bool   `json:"phone_verified,omitempty"`
	Email         string `json:"email,omitempty"`
	EmailVerified bool   `json:"email_verified,omitempty"`
	SNILS         string `json:"snils,omitempty"`
	PasswordHash  string `json:"password_hash"`

	LastName    string `json:"last_name"`
	FirstName   string `json:"first_name"`
	MiddleName  string `json:"middle_name,omitempty"`
	BirthDate   string `json:"birth_date,omitempty"` // YYYY-MM-DD
	BirthPlace  string `json:"birth_place,omitempty"`
	Gender      string `json:"gender,omitempty"` // "M" or "F"
	Citizenship string `json:"citizenship,omitempty"`
	INN         string `json:"inn,omitempty"`

	Level        Level     `json:"level"`
	Status       Status    `json:"status"`
	StatusReason string    `json:"status_reason,omitempty"`
	StatusSince  time.Time `json:"status_since,omitempty"`
	// StatusDeadline is when the citizen must have acted on a needs_confirmation status.
	StatusDeadline time.Time `json:"status_deadline,omitzero"`

	// Registry verdicts on SNILS (pension fund) and INN (tax service): NOT_VERIFIED,
	// VERIFYING, VERIFIED or VERIFICATION_FAILED with a reason. The passport's verdict is
	// on its Document.
	SNILSVrf       string `json:"snils_vrf,omitempty"`
	SNILSVrfReason string `json:"snils_vrf_reason,omitempty"`
	INNVrf         string `json:"inn_vrf,omitempty"`
	INNVrfReason   string `json:"inn_vrf_reason,omitempty"`
	// Confirmation is set once the identity was confirmed (the confirmed level).
	Confirmation *Confirmation `json:"confirmation,omitempty"`

	Documents []Document `json:"documents,omitempty"`
	Addresses []Address  `json:"addresses,omitempty"`

	// SecondFactor is "ask for a code at every login": "" (off), "sms" or "totp".
	SecondFactor string `json:"second_factor,omitempty"`
	// TOTPSecret is the enrolled authenticator's base32 secret (set once a first code was
	// accepted); RecoveryCodes are SHA-256 hashes of the unused recovery codes.
	TOTPSecret    string   `json:"totp_secret,omitempty"`
	RecoveryCodes []string `json:"recovery_codes,omitempty"`
	// NotifyLogins sends a notice to the outbox at every login (opt-in).
	NotifyLogins bool `json:"notify_logins,omitempty"`
	// AllowedNets limits logins to these address ranges (canonical CIDR; empty: anywhere),
	// set on the account's security page (verification/iprestrict).
	AllowedNets []string `json:"allowed_nets,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// UserSummary is what a list of accounts shows of each (the test-mode persona picker):
// kept next to the user order index, so a page of them reads no whole account.
type UserSummary struct {
	ID           string `json:"id"`
	Persona      string `json:"p,omitempty"`
	LastName     string `json:"ln,omitempty"`
	FirstName    string `json:"fn,omitempty"`
	MiddleName   string `json:"mn,omitempty"`
	Level        Level  `json:"l,omitempty"`
	Status       Status `json:"s,omitempty"`
	Phone        string `json:"ph,omitempty"`
	Email        string `json:"em,omitempty"`
	SNILS        string `json:"sn,omitempty"`
	SecondFactor string `json:"sf,omitempty"`
}

// Summary is the user's UserSummary.
func (u User) Summary() UserSummary {
	return UserSummary{ID: u.ID, Persona: u.Persona, LastName: u.LastName, FirstName: u.FirstName, MiddleName: u.MiddleName,
		Level: u.Level, Status: u.Status, Phone: u.Phone, Email: u.Email, SNILS: u.SNILS, SecondFactor: u.SecondFactor}
}

// FullName is "Фамилия Имя Отчество".
func (s UserSummary) FullName() string {
	return User{LastName: s.LastName, FirstName: s.FirstName, MiddleName: s.MiddleName}.FullName()
}

// Logins returns the user's unique logins: the phone and the e-mail once confirmed, and the
// SNILS, and the INN once the tax service has confirmed it. An unconfirmed contact is neither a login nor reserved: anyone may type someone
// else's e-mail into a form, and only the one who confirms it owns it.
func (u User) Logins() map[LoginKind]string {
	m := make(map[LoginKind]string, 4)
	if u.Phone != "" && u.PhoneVerified {
		m[LoginPhone] = u.Phone
	}
	if u.Email != "" && u.EmailVerified {
		m[LoginEmail] = u.Email
	}
	if u.SNILS != "" {
		m[LoginSNILS] = u.SNILS
	}
	if u.INN != "" && u.INNVrf == VerifyVerified {
		m[LoginINN] = u.INN
	}
	return m
}

// FullName is "Фамилия Имя Отчество".
func (u User) FullName() string {
	s := u.LastName + " " + u.FirstName
	if u.MiddleName != "" {
		s += " " + u.MiddleName
	}
	return s
}

// Document is an identity document (ESIA types: RF_PASSPORT, FRGN_PASS, …).
type Document struct {
	ID         string `json:"id"`
	Type       string `json:"type"`
	Series     string `json:"series,omitempty"`
	Number     string `json:"number"`
	IssueDate  string `json:"issue_date,omitempty"` // YYYY-MM-DD
	IssueID    string `json:"issue_id,omitempty"`   // unit code ddd-ddd
	IssuedBy   string `json:"issued_by,omitempty"`
	ExpiryDate string `json:"expiry_date,omitempty"`
	VrfStu     string `json:"vrf_stu"` // VERIFIED / NOT_VERIFIED / VERIFYING / VERIFICATION_FAILED
	VrfReason  string `json:"vrf_reason,omitempty"`
}

// Confirmation records how, when and by whom an identity was confirmed.
type Confirmation struct {
	Method string    `json:"method"` // service_centre, letter, esignature, bank, preset
	At     time.Time `json:"at"`
	By     string    `json:"by,omitempty"`
}

// Address is a registration (PRG) or residence (PLV) address.
type Address struct {
	Type       string `json:"type"` // PRG or PLV
	AddressStr string `json:"address_str"`
	ZipCode    string `json:"zip_code,omitempty"`
	Region     string `json:"region,omitempty"`
	City       string `json:"city,omitempty"`
	Street     string `json:"street,omitempty"`
	House      string `json:"house,omitempty"`
	Flat       string `json:"flat,omitempty"`
	Country    string `json:"country,omitempty"`
	FIASCode   string `json:"fias_code,omitempty"` // a GUID (the emulator derives one from the line)
}

// AuthRequest is an authorization request and the progress of its login flow.
type AuthRequest struct {
	Schema              int      `json:"v"`
	ID                  string   `json:"id"`
	ClientID            string   `json:"client_id"`
	RedirectURI         string   `json:"redirect_uri"`
	Scopes              []string `json:"scopes"`
	ResponseType        string   `json:"response_type"`
	ResponseMode        string   `json:"response_mode,omitempty"`
	State               string   `json:"state,omitempty"`
	Nonce               string   `json:"nonce,omitempty"`
	CodeChallenge       string   `json:"code_challenge,omitempty"`
	CodeChallengeMethod string   `json:"code_challenge_method,omitempty"`
	Prompt              []string `json:"prompt,omitempty"`
	MaxAge              *int64   `json:"max_age,omitempty"` // seconds; nil when absent
	LoginHint           string   `json:"login_hint,omitempty"`
	UILocales           []string `json:"ui_locales,omitempty"`
	ACRValues           []string `json:"acr_values,omitempty"`
	HintSubject         string   `json:"hint_subject,omitempty"` // subject of a valid id_token_hint
	Claims              string   `json:"claims,omitempty"`       // the raw claims request parameter
	// ClaimScopes are the scopes that cover claims asked for by name in Claims: asked on the
	// consent page, but releasing only the claims named, only where named.
	ClaimScopes []string `json:"claim_scopes,omitempty"`
	// Dialect names the protocol the request came in ("" for OpenID Connect, "esia" for
	// ESIA's /aas/oauth2 endpoints); Extra holds that dialect's own parameters.
	Dialect string `json:"dialect,omitempty"`
	// MinLevel is a minimum account level asked for by this request (on top of the client's).
	MinLevel  Level             `json:"min_level,omitempty"`
	Extra     map[string]string `json:"extra,omitempty"`
	CreatedAt time.Time         `json:"created_at"`
	ExpiresAt time.Time         `json:"expires_at"`

	// Progress of the login flow.
	// BrowserID binds the request to the browser that first opened the login page.
	BrowserID string `json:"browser_id,omitempty"`
	// FirstFactor: the password was right in this request and a second factor is pending.
	FirstFactor bool `json:"first_factor,omitempty"`
	// Authenticated: the citizen proved who they are during this request (not just by SSO).
	Authenticated bool `json:"authenticated,omitempty"`
	// Consented: the citizen answered the consent page during this request.
	Consented bool `json:"consented,omitempty"`
	// NoticeSeen: the citizen went on past the needs-confirmation notice in this request.
	NoticeSeen bool      `json:"notice_seen,omitempty"`
	UserID     string    `json:"user_id,omitempty"`
	SessionID  string    `json:"session_id,omitempty"`
	AuthTime   time.Time `json:"auth_time,omitempty"`
	AMR        []string  `json:"amr,omitempty"`
	ACR        string    `json:"acr,omitempty"`
	Done       bool      `json:"done,omitempty"`

	// CodeHash is the SHA-256 (hex) of the issued code; the code itself is never stored.
	CodeHash string `json:"code_hash,omitempty"`
	// CodeExpiresAt is when the code stops being accepted.
	CodeExpiresAt time.Time `json:"code_expires_at,omitzero"`
	// Redeemed: the code was exchanged. The store then keeps only its RedeemedView,
	// until the code would have expired, to recognise a replay.
	Redeemed bool `json:"redeemed,omitempty"`
}

// RedeemedView is what the store keeps of a request once its code was exchanged: enough to tell
// a replay (who the code was for, its client's checks, the family to revoke), until the code
// would have expired. Everything else (scopes, nonce, PKCE, claims, the login's progress) is
// dropped, so a finished login leaves a few hundred bytes behind for a minute, not the whole
// request for its lifetime.
func (r AuthRequest) RedeemedView() AuthRequest {
	exp := r.ExpiresAt
	if !r.CodeExpiresAt.IsZero() && r.CodeExpiresAt.Before(exp) {
		exp = r.CodeExpiresAt
	}
	return AuthRequest{Schema: r.Schema, ID: r.ID, ClientID: r.ClientID, RedirectURI: r.RedirectURI, State: r.State,
		Dialect: r.Dialect, Extra: r.Extra, CreatedAt: r.CreatedAt, ExpiresAt: exp, UserID: r.UserID, Done: r.Done,
		CodeHash: r.CodeHash, CodeExpiresAt: r.CodeExpiresAt, Redeemed: true}
}

// Session is an SSO session bound to a browser cookie.
type Session struct {
	Schema    int       `json:"v"`
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	AuthTime  time.Time `json:"auth_time"`
	AMR       []string  `json:"amr,omitempty"`
	ACR       string    `json:"acr,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	// IdleTimeout ends the session when LastSeen+IdleTimeout has passed.
	IdleTimeout time.Duration `json:"idle_timeout"`
	// ExpiresAt is the absolute end of the session.
	ExpiresAt time.Time `json:"expires_at"`
	IP        string    `json:"ip,omitempty"`
	UserAgent string    `json:"user_agent,omitempty"`
	// Clients lists the relying parties that received tokens in this session.
	Clients []string `json:"clients,omitempty"`
}

// Live reports whether the session is usable at now.
func (s Session) Live(now time.Time) bool {
	if !now.Before(s.ExpiresAt) {
		return false
	}
	return s.IdleTimeout <= 0 || now.Before(s.LastSeen.Add(s.IdleTimeout))
}

// TokenKind distinguishes access from refresh tokens.
type TokenKind string

const (
	TokenAccess  TokenKind = "access"
	TokenRefresh TokenKind = "refresh"
)

// Token is an issued access or refresh token. For refresh tokens ID is the SHA-256 (hex) of
// the token value; the value itself is never stored.
type Token struct {
	Schema    int       `json:"v"`
	ID        string    `json:"id"`
	Kind      TokenKind `json:"kind"`
	FamilyID  string    `json:"family_id"`
	ClientID  string    `json:"client_id"`
	Subject   string    `json:"sub"`
	Audience  []string  `json:"aud,omitempty"`
	Scopes    []string  `json:"scopes,omitempty"`
	AMR       []string  `json:"amr,omitempty"`
	ACR       string    `json:"acr,omitempty"`
	AuthTime  time.Time `json:"auth_time,omitempty"`
	SessionID string    `json:"session_id,omitempty"`
	// Claims is the claims request parameter of the authorization (JSON), for userinfo, and
	// ClaimScopes the granted scopes that cover the claims it names.
	Claims      string    `json:"claims,omitempty"`
	ClaimScopes []string  `json:"claim_scopes,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	ExpiresAt   time.Time `json:"expires_at"`
	// RefreshID links an access token to the refresh token issued with it.
	RefreshID string `json:"refresh_id,omitempty"`
	Used      bool   `json:"used,omitempty"`
}

// SigningKey is a token-signing key pair.
type SigningKey struct {
	Schema     int       `json:"v"`
	ID         string    `json:"id"`
	Algorithm  string    `json:"alg"`         // RS256, ES256, …
	PrivatePEM string    `json:"private_pem"` // PKCS#8
	CreatedAt  time.Time `json:"created_at"`
	// NotBefore: the key is published from CreatedAt but signs only from NotBefore, so
	// relying parties have fetched it before the first token it signs.
	NotBefore time.Time `json:"not_before"`
	// RetireAt (zero: never): after it the key no longer signs but is still published
	// until all tokens it signed have expired.
	RetireAt time.Time `json:"retire_at,omitempty"`
}
