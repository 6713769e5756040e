package provider

import (
	"fmt"
	"os"

	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"
)

// initProofing builds the emulated registries and the confirmation methods.
func (p *Provider) initProofing() error {
	pc := p.cfg.Proofing
	p.registries = &registry.Registries{Docs: p.store, Fixtures: pc.Fixtures, Delay: pc.Delay.Or(0), Rand: p.rand}
	p.confirmer = &confirm.Confirmer{Docs: p.store, Rand: p.rand, LetterTTL: pc.LetterTTL.Or(0)}
	if p.cfg.TestMode() { // registry faults (POST /admin/api/faults {"endpoint":"registry:snils"})
		p.registries.Override = func(kind registry.CheckKind) (string, string, bool) {
			return p.testmode.RegistryFault(kind)
		}
	}
	if pc.ESignatureCA != "" {
		b, err := os.ReadFile(pc.ESignatureCA)
		if err != nil {
			return fmt.Errorf("proofing.esignature_ca: %w", err)
		}
		if p.confirmer.Roots, err = esig.LoadRoots(b); err != nil {
			return fmt.Errorf("proofing.esignature_ca: %w", err)
		}
	}
	return nil
}
