package main

import (
	"fmt"

	"github.com/esia-emulator/esia-emulator/config"
	"github.com/esia-emulator/esia-emulator/provider"
	"github.com/esia-emulator/esia-emulator/provider/esia"
)

// registerESIA mounts ESIA's own endpoints (/aas/oauth2/…, /rs/prns/…, /idp/ext/Logout, the
// certificate downloads and the client_secret diagnostics) on the provider. Call it after
// provider.New and before serving.
func registerESIA(p *provider.Provider, cfg *config.Config) error {
	d, err := esia.New(p, cfg)
	if err != nil {
		return fmt.Errorf("esia dialect: %w", err)
	}
	p.Register(esia.Name, d, d.Mount)
	return nil
}
