package testmode

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/admin"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/provider/oidc"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/password"
)

// Store is what test mode needs of the storage: accounts (picker, generator) and Reset.
type Store interface {
	GetUser(ctx context.Context, id string) (storage.User, error)
	CreateUser(ctx context.Context, u storage.User) error
	CreateUsers(ctx context.Context, users []storage.User) error
	UserByLogin(ctx context.Context, kind storage.LoginKind, value string) (storage.User, error)
	DeleteUser(ctx context.Context, id string) error
	ListUsers(ctx context.Context) ([]storage.User, error)
	ListUsersPage(ctx context.Context, limit int) ([]storage.UserSummary, int, error)
	RevokeUserClientTokens(ctx context.Context, userID, clientID string) error
	Reset(ctx context.Context) error
}

// Minter issues tokens without a login (oidc.Handler).
type Minter interface {
	Mint(ctx context.Context, req oidc.MintRequest) ([]byte, error)
}

// Handler is test mode: the clock, reset, faults and maintenance, token minting, the persona
// generator and picker, and the /debug login debugger. Outside test mode (Enabled false) its
// admin endpoints answer 404, GET /debug is not mounted and the debugger serves the built-in demo
// clients only («Попробовать вход» on the home page). All fields are required.
type Handler struct {
	Enabled       bool
	API           *admin.API
	Clock         *TravelClock
	Store         Store
	Accounts      *accounts.Service
	Sessions      *session.Manager
	Clients       *clients.Registry
	ClientConfigs []config.Client // the debugger's client list, in configuration order
	Keys          *keys.Ring
	Pages         *web.Renderer
	Hasher        *password.Hasher
	Minter        Minter
	Organizations OrgGenerator // the persona generator's "organizations" (generate_orgs.go)
	Issuer        string
	// Site is the whole emulator's handler: the debugger exchanges its code through it
	// in-process, as a relying party would over HTTP.
	Site   http.Handler
	Now    func() time.Time
	NewID  func() string
	Rand   io.Reader
	Logger *slog.Logger

	faults faultTable
	// generateMu serialises creating runs in this process, so that a run's rollback (and a
	// replace) never interleaves with another run's writes.
	generateMu sync.Mutex
}

// DebugCallback is the login debugger's redirect URI path; in test mode every client accepts
// it.
const DebugCallback = pathDebugCB
