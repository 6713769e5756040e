// Package orgs owns the ESIA dialect's organisations (esia-protocol.md §6–§7): the built-in
// ones (a legal entity, an individual entrepreneur, a state body, with personas employed by
// them as chief or admin, and the personas "simplified" and "standard" employed nowhere),
// those of config esia.organizations, and those created at run time through the admin API
// and the test-mode persona generator, which are stored as documents of the storage
// contract (collection "esia-orgs", every engine).
//
// It mounts no routes of its own except Admin.Mount:
//
//	GET  /admin/api/esia/organizations        every organisation
//	POST /admin/api/esia/organizations        create one (config.ESIAOrganization JSON)
//	GET  /admin/api/esia/organizations/{oid}  one organisation
//
// Callers: provider/esia builds the Registry in New and hands it to provider/esia/rs
// (/rs/prns/{oid}/roles and /orgs, /rs/orgs/{oid}/…) and to the admin routes.
package orgs
