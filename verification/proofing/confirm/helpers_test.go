package confirm

import (
	"context"
	"time"

	"testing"

	"github.com/esia-emulator/esia-emulator/storage"
	"github.com/esia-emulator/esia-emulator/storage/memory"
	"github.com/esia-emulator/esia-emulator/verification/proofing"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

var t0 = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

// testUser is a standard-level account: names, confirmed phone, SNILS and a verified passport.
func testUser() (storage.User, proofing.Proofs) {
	u := storage.User{ID: "1000000003", LastName: "Иванова", FirstName: "Мария", MiddleName: "Ивановна",
		BirthDate: "1976-06-21", Phone: "+79990000003", PhoneVerified: true, SNILS: "11223344595", INN: "500100732259",
		Documents: []storage.Document{{ID: "d1", Type: proofing.DocRFPassport, Series: "4521", Number: "634215",
			IssueDate: "2021-07-05", IssueID: "770-095", IssuedBy: "ГУ МВД России по г. Москве", VrfStu: storage.VerifyVerified}}}
	return u, proofing.Proofs{SNILSVrf: storage.VerifyVerified}
}

func snils(nine string) string { return nine + ident.SNILSControl(nine) }

func newDocs(t *testing.T) storage.Docs { t.Helper(); return memory.New() }
func ctx() context.Context              { return context.Background() }
