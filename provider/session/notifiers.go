package session

import (
	"context"

	"github.com/esia-emulator/esia-emulator/storage"
)

// EndNotifiers tells every notifier in turn (back-channel logout, the citizen's logout
// notices).
type EndNotifiers []EndNotifier

// SessionsEnded implements EndNotifier.
func (ns EndNotifiers) SessionsEnded(ctx context.Context, sessions []storage.Session) {
	for _, n := range ns {
		n.SessionsEnded(ctx, sessions)
	}
}
