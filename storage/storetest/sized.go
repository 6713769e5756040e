package storetest

import (
	"fmt"
	"strings"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// SizedUser is a fully filled persona record (confirmed, one document, one address) for the
// engines' record-size tests, so that their bytes-per-user figures compare.
func SizedUser(id string, now time.Time) storage.User {
	return storage.User{
		ID: id, Phone: "+7999" + id, PhoneVerified: true, Email: "user" + id + "@example.ru",
		SNILS: "123" + id + "9", PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$" + strings.Repeat("x", 66),
		LastName: "Иванов", FirstName: "Иван", MiddleName: "Иванович", BirthDate: "1980-01-02",
		BirthPlace: "г. Москва", Gender: "M", Citizenship: "RUS", INN: "770000000000",
		Level: storage.LevelConfirmed, Status: storage.StatusActive, StatusSince: now,
		Documents: []storage.Document{{ID: "1", Type: "RF_PASSPORT", Series: "4500", Number: "123456",
			IssueDate: "2000-01-01", IssueID: "770-001", IssuedBy: "ОВД Тверской", VrfStu: storage.VerifyVerified}},
		Addresses: []storage.Address{{Type: "PRG", AddressStr: "г. Москва, ул. Тверская, д. 1, кв. 1", ZipCode: "125009"}},
		CreatedAt: now, UpdatedAt: now,
	}
}

// SizedSession is the i-th SSO session of userID (a 43-character id, as the provider makes),
// the companion of SizedUser.
func SizedSession(i int, userID string, now time.Time) storage.Session {
	return storage.Session{
		ID: strings.Repeat("s", 43) + fmt.Sprint(i), UserID: userID, AuthTime: now, AMR: []string{"PWD", "SMS"},
		ACR: "urn:esia:loa:2", CreatedAt: now, LastSeen: now, IdleTimeout: 30 * time.Minute,
		ExpiresAt: now.Add(8 * time.Hour), IP: "192.0.2.1",
		UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36", Clients: []string{"client-1"},
	}
}
