// Package admin is the admin API under /admin/api/ (JSON): personas (list, get, create),
// clients, identity confirmation by a service centre or bank and account status, the audit log,
// the outbox (list, wait for the next message to a recipient, clear), lockout (status, unlock,
// locked accounts, an address's counter and its unlock under /admin/api/lockout/ip/{ip}) and
// signing keys (list, rotate, delete).
//
// Every route needs the admin token ("Authorization: Bearer <token>"); without a configured
// token every admin route answers 404, as if it did not exist. API — the token guard and the
// JSON error answers — is shared with test mode's endpoints; its Authorized and LogIn also
// let the /outbox page accept the token from a form (an admin cookie holding a MAC of it). provider.New builds the Handler
// and mounts it.
package admin
