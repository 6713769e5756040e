package testmode

import (
	"context"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// pickerLimit is how many accounts a search in the test-mode picker shows at once;
// pickerFirst how many it shows before any search: the built-in personas (the lowest oids)
// and a few more, with the search box and the total when there are more. A long wall of
// buttons helps nobody find a persona, and the login page stays the size it has with the
// built-in six however many accounts a stand holds.
const (
	pickerLimit = 50
	pickerFirst = 10
)

// Pick is the persona picker on the login page (flow.Picker). It lists the accounts the
// test-mode picker offers and how many matched in all: without q the first pickerFirst in oid
// order, read from the store's user index (the same cost with 6 accounts or 100,000); with q
// the first pickerLimit whose name, persona key, account id, phone, e-mail or SNILS contains
// q (any case), which reads every account.
func (h *Handler) Pick(ctx context.Context, q string) ([]web.PersonaRow, int, error) {
	row := func(u storage.UserSummary) web.PersonaRow {
		login := u.Phone
		if login == "" {
			login = u.Email
		}
		return web.PersonaRow{Key: u.Persona, OID: u.ID, Name: u.FullName(), Level: string(u.Level), Login: login,
			SecondFactor: u.SecondFactor, Status: string(u.Status)}
	}
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		users, total, err := h.Store.ListUsersPage(ctx, pickerFirst)
		var rows []web.PersonaRow
		for _, u := range users {
			rows = append(rows, row(u))
		}
		return rows, total, err
	}
	users, err := h.Store.ListUsers(ctx)
	if err != nil {
		return nil, 0, err
	}
	var rows []web.PersonaRow
	total := 0
	for _, u := range users {
		if !strings.Contains(strings.ToLower(strings.Join([]string{u.FullName(), u.Persona, u.ID, u.Phone, u.Email, u.SNILS}, "\n")), q) {
			continue
		}
		total++
		if len(rows) < pickerLimit {
			rows = append(rows, row(u.Summary()))
		}
	}
	return rows, total, nil
}
