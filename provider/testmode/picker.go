package testmode

import (
	"context"
	"strings"

	"github.com/esia-emulator/esia-emulator/provider/web"
	"github.com/esia-emulator/esia-emulator/storage"
)

// pickerLimit is how many accounts the test-mode picker shows at once.
const pickerLimit = 50

// Pick is the persona picker on the login page (flow.Picker). It lists the accounts the test-mode picker offers: the first pickerLimit
// whose name, persona key, account id, phone, e-mail or SNILS contains q (any case; "" matches
// all), and how many matched in all. Without q only the shown accounts are read in full, so a
// store with thousands of generated personas does not slow every login page.
func (h *Handler) Pick(ctx context.Context, q string) ([]web.PersonaRow, int, error) {
	row := func(u storage.User) web.PersonaRow {
		login := u.Phone
		if login == "" {
			login = u.Email
		}
		return web.PersonaRow{Key: u.Persona, OID: u.ID, Name: u.FullName(), Level: string(u.Level), Login: login,
			SecondFactor: u.SecondFactor, Status: string(u.Status)}
	}
	q = strings.ToLower(strings.TrimSpace(q))
	if q == "" {
		users, total, err := h.Store.ListUsersPage(ctx, pickerLimit)
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
			rows = append(rows, row(u))
		}
	}
	return rows, total, nil
}
