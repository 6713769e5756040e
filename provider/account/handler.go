package account

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/password"
	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"
	"github.com/medama-io/go-useragent"
)

// Store is what the citizen's pages need of the storage: accounts, their sessions and tokens,
// and documents for pending registrations, recoveries and enrolments.
type Store interface {
	storage.Users
	storage.Docs
	GetSession(ctx context.Context, id string, now time.Time) (storage.Session, error)
	ListUserSessions(ctx context.Context, userID string, now time.Time) ([]storage.Session, error)
	RevokeUserClientTokens(ctx context.Context, userID, clientID string) error
	UpdateAuthRequest(ctx context.Context, id string, now time.Time, fn func(storage.AuthRequest) (storage.AuthRequest, error)) (storage.AuthRequest, error)
}

// LoginStarter sends the browser into the login flow (flow.Handler).
type LoginStarter interface {
	StartLogin(w http.ResponseWriter, r *http.Request, ar storage.AuthRequest) error
}

// Handler serves the citizen's pages. All fields are required.
type Handler struct {
	Store      Store
	Flow       LoginStarter
	Sessions   *session.Manager
	Pages      *web.Renderer
	Clients    *clients.Registry
	Accounts   *accounts.Service
	Audit      *audit.Recorder
	Hasher     *password.Hasher
	Limiter    *lockout.Limiter
	SMS        *otp.SMS // phone codes
	EmailCodes *otp.SMS // the same rules, by e-mail
	TOTP       *otp.TOTP
	Registries *registry.Registries
	Confirmer  *confirm.Confirmer
	Now        func() time.Time
	Rand       io.Reader
	Logger     *slog.Logger

	agentsOnce sync.Once
	agents     *useragent.Parser // built on first use (device)
}

// Dialect finishes logins started by the account pages (flow.Dialect): back to the page the
// citizen wanted.
func (h *Handler) Dialect() accountDialect { return accountDialect{} }

// DialectName is the name the account pages' logins carry in storage.AuthRequest.Dialect.
const DialectName = dialectAccount
