package provider

import (
	"context"
	"fmt"
	"os"

	"github.com/esia-emulator/esia-emulator/audit"
	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/verification/otp"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/confirm"
	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
	"github.com/esia-emulator/esia-emulator/verification/proofing/registry"
)

// proofsOf reads the verification facts of an account in the proofing package's form.
func proofsOf(u storage.User) proofing.Proofs {
	p := proofing.Proofs{SNILSVrf: u.SNILSVrf, SNILSVrfReason: u.SNILSVrfReason, INNVrf: u.INNVrf, INNVrfReason: u.INNVrfReason,
		StatusDeadline: u.StatusDeadline}
	if d, ok := proofing.CurrentPassport(u); ok {
		p.PassportVrfReason = d.VrfReason
	}
	if c := u.Confirmation; c != nil {
		p.Confirmation = &proofing.Confirmation{Method: proofing.ConfirmMethod(c.Method), At: c.At, By: c.By}
	}
	return p
}

// withProofs writes the verification facts back onto the account.
func withProofs(u storage.User, p proofing.Proofs) storage.User {
	u.SNILSVrf, u.SNILSVrfReason, u.INNVrf, u.INNVrfReason, u.StatusDeadline = p.SNILSVrf, p.SNILSVrfReason, p.INNVrf, p.INNVrfReason, p.StatusDeadline
	for i := len(u.Documents) - 1; i >= 0; i-- {
		if u.Documents[i].Type == "RF_PASSPORT" {
			docs := append([]storage.Document(nil), u.Documents...)
			docs[i].VrfReason = p.PassportVrfReason
			u.Documents = docs
			break
		}
	}
	u.Confirmation = nil
	if c := p.Confirmation; c != nil {
		u.Confirmation = &storage.Confirmation{Method: string(c.Method), At: c.At, By: c.By}
	}
	return u
}

// refreshAccount applies the registry checks that are due and recomputes the level. It is
// called whenever the account is shown or logs in, so a check with a delay finishes on the
// next page view after its time (by the injected clock). Notices go to the outbox.
func (p *Provider) refreshAccount(ctx context.Context, u storage.User) (storage.User, error) {
	if !checkUnderWay(u) { // the common case, and every login: no registry lookup at all
		return u, nil
	}
	now := p.now()
	results, err := p.registries.Poll(ctx, u.ID, now)
	if err != nil {
		return u, fmt.Errorf("registry checks: %w", err)
	}
	if len(results) == 0 {
		return u, nil
	}
	old := u.Level
	u, err = p.store.UpdateUser(ctx, u.ID, func(cur storage.User) (storage.User, error) {
		pr := proofsOf(cur)
		for _, r := range results {
			cur, pr, _ = registry.ApplyCheck(cur, pr, r.Check)
		}
		cur = withProofs(cur, pr)
		if l := proofing.LevelOf(cur, pr); l != "" {
			cur.Level = l
		}
		cur.UpdatedAt = now
		return cur, nil
	})
	if err != nil {
		return u, err
	}
	for _, r := range results {
		p.notify(ctx, u, r.Notice)
	}
	p.levelChanged(ctx, u, old)
	return u, nil
}

// checkUnderWay reports whether a registry check of the account is VERIFYING.
func checkUnderWay(u storage.User) bool {
	if u.SNILSVrf == storage.VerifyVerifying || u.INNVrf == storage.VerifyVerifying {
		return true
	}
	for _, d := range u.Documents {
		if d.VrfStu == storage.VerifyVerifying {
			return true
		}
	}
	return false
}

// levelChanged notifies and audits a level change.
func (p *Provider) levelChanged(ctx context.Context, u storage.User, old storage.Level) {
	if u.Level == old {
		return
	}
	if n, ok := proofing.LevelNotice(old, u.Level); ok {
		p.notify(ctx, u, n)
	}
	p.recordAudit(ctx, nil, audit.Event{Type: audit.LevelChanged, UserID: u.ID, Details: map[string]string{"from": string(old), "to": string(u.Level)}})
}

// notify sends a proofing notice to the citizen: a letter by post, anything else by e-mail
// (or SMS when there is no e-mail).
func (p *Provider) notify(ctx context.Context, u storage.User, n proofing.Notice) {
	msg := otp.Message{Channel: n.Channel, Subject: n.Subject, Body: n.Body, Kind: n.Kind, Code: n.Code}
	switch {
	case n.Channel == proofing.ChannelPost:
		msg.To = u.FullName()
		if len(u.Addresses) > 0 {
			msg.To += ", " + u.Addresses[0].AddressStr
		}
	case u.Email != "":
		msg.Channel, msg.To = otp.ChannelEmail, u.Email
	default:
		msg.Channel, msg.To = otp.ChannelSMS, u.Phone
	}
	if err := p.sender.Send(ctx, msg); err != nil {
		p.log.WarnContext(ctx, "notice not sent", "kind", n.Kind, "err", err)
	}
}

// initProofing builds the emulated registries and the confirmation methods.
func (p *Provider) initProofing() error {
	pc := p.cfg.Proofing
	p.registries = &registry.Registries{Docs: p.store, Fixtures: pc.Fixtures, Delay: pc.Delay.Or(0), Rand: p.rand}
	p.confirmer = &confirm.Confirmer{Docs: p.store, Rand: p.rand, LetterTTL: pc.LetterTTL.Or(0)}
	if p.cfg.TestMode() { // registry faults (POST /admin/api/faults {"endpoint":"registry:snils"})
		p.registries.Override = func(kind registry.CheckKind) (string, string, bool) {
			if f := p.faults.take("registry:" + string(kind)); f != nil {
				return storage.VerifyFailed, f.Outcome, true
			}
			return "", "", false
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
