// Package accounts is the citizen's account as every room shares it (the login flow, the
// citizen's pages, the admin API and test mode): finding an account by any reading of a login
// (Lookup), the registry checks and identity confirmations that change its level (Refresh,
// SetConfirmation, LevelChanged), the notices it receives (Notify), and accounts made from
// configured or generated personas (Seed, FromPersona, Find, NewOID).
//
// It mounts no routes and holds no rule of its own: the rules are verification/proofing's;
// this package applies them to stored accounts and sends their notices through otp.Sender.
// provider.New builds one *Service.
package accounts
