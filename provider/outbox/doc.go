// Package outbox is the emulator's outbox page (/outbox): every SMS, e-mail and letter the
// emulator "sent" to citizens, with their codes, filtered by recipient. Who may read it is a
// setting (config outbox): public, admin — the admin token as a Bearer header, or typed once
// into the page's form (POST /outbox/login), which sets the admin cookie — or off (404). The
// JSON twin is the admin API's /admin/api/outbox. provider.New builds the Handler and mounts it.
package outbox
