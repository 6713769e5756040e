// Package personagen makes realistic test citizens from a seed: the same seed gives the
// same people, so a developer can name a seed in the configuration or a test and get the
// same accounts on every start.
//
// A person has a surname, first name and patronymic by gender (feminine surname forms:
// Иванов → Иванова, Покровский → Покровская; Tatar names in Tatarstan and Bashkortostan),
// a birth date and birth place (Soviet city names for births before the renaming), a mobile
// phone, an e-mail at example.ru or example.com transliterated from the name, and — from the
// standard level — a SNILS and an INN with valid check digits, an RF passport consistent
// with the region (series = OKATO code + issue year, unit code = subject code, issuer named
// as at the issue date: militia, migration service or ministry) and a registration address.
// Every value passes the proofing validators and none trips the emulated registries'
// default failure rules, so generated standard personas verify.
//
// Person returns a plain struct whose fields mirror config.Persona. The package
// does not import config, so that the configuration may use it (for example to
// expand a "generate N personas from seed S" entry) without an import cycle.
//
// Callers: persona seeding in the provider and tests that need many distinct citizens.
package personagen
