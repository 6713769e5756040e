// Package texts holds the emulator's page texts in Russian and English, one file per feature
// (flow, account pages, login methods, Digital Profile, roles, …), as plain tables. It owns no
// behaviour and mounts no routes; web.NewCatalog (called by provider.New through web.New) is
// its only caller. Russian wording follows the source guides (../shared/seeds).
package texts
