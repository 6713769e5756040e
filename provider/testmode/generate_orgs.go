package testmode

import (
	"context"

	"github.com/esia-emulator/esia-emulator/config"
)

// OrgGenerator makes ESIA organisations from a seed that employ the persons named
// (*orgs.Registry of the ESIA dialect). Nil: the generator makes no organisations.
type OrgGenerator interface {
	CreateGenerated(ctx context.Context, seed int64, n int, employ []string) ([]config.ESIAOrganization, error)
}

// maxGeneratedOrgs bounds "organizations" of one generator request.
const maxGeneratedOrgs = 100
