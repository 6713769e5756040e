package admin

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider/accounts"
	"github.com/esia-emulator/esia-emulator/provider/clients"
	"github.com/esia-emulator/esia-emulator/provider/keys"
	"github.com/esia-emulator/esia-emulator/provider/session"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/lockout"
	"github.com/esia-emulator/esia-emulator/verification/otp"
)

// Store is what the admin API needs of the storage.
type Store interface {
	ListUsers(ctx context.Context) ([]storage.User, error)
	CreateUser(ctx context.Context, u storage.User) error
	UpdateUser(ctx context.Context, id string, fn func(storage.User) (storage.User, error)) (storage.User, error)
}

// Handler serves /admin/api/…: personas, clients, identity confirmation and status, the
// audit log, the outbox, lockout and signing keys. All fields are required.
type Handler struct {
	API           *API
	Store         Store
	Clients       *clients.Registry
	ClientConfigs []config.Client // in configuration order, as the clients endpoint lists them
	Keys          *keys.Ring
	Sessions      *session.Manager
	Accounts      *accounts.Service
	Audit         *audit.Recorder
	Limiter       *lockout.Limiter
	Outbox        *otp.Outbox
	Now           func() time.Time
	Rand          io.Reader
	Logger        *slog.Logger
}
