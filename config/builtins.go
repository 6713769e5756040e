package config

import "slices"

// BuiltinClients are the demo relying parties printed on the console at start.
func BuiltinClients() []Client {
	return []Client{
		{
			ID:                     "demo-cabinet",
			Name:                   "Демо-кабинет",
			Secret:                 "demo-secret",
			RedirectURIs:           []string{"http://127.0.0.1:9000/callback", "http://localhost:9000/callback"},
			PostLogoutRedirectURIs: []string{"http://127.0.0.1:9000/", "http://localhost:9000/"},
		},
		{
			// ESIA's own endpoints (/aas/oauth2/v2/ac, /aas/oauth2/v3/te) without a registered
			// certificate: client_secret and client_certificate_hash must be present, not valid.
			ID:                     "DEMOCAB01",
			Name:                   "Демо-кабинет ЕСИА",
			RedirectURIs:           []string{"http://127.0.0.1:9000/callback", "http://localhost:9000/callback"},
			PostLogoutRedirectURIs: []string{"http://127.0.0.1:9000/", "http://localhost:9000/"},
			ESIA:                   &ESIAClient{SecretCheck: SecretCheckOff},
		},
		{
			ID:                     "demo-spa",
			Name:                   "Демо-приложение в браузере",
			Public:                 true,
			RequirePKCE:            true,
			RedirectURIs:           []string{"http://127.0.0.1:9001/callback"},
			PostLogoutRedirectURIs: []string{"http://127.0.0.1:9001/"},
		},
	}
}

// IsDemoClient reports whether c is one of the built-in OpenID Connect demo clients (by id and
// redirect URIs, so a configured client that reuses the id for a real cabinet is not one): the
// home page's «Попробовать вход» may log in through them outside test mode.
func IsDemoClient(c Client) bool {
	for _, b := range BuiltinClients() {
		if b.ID == c.ID && b.ESIA == nil && c.ESIA == nil && slices.Equal(b.RedirectURIs, c.RedirectURIs) {
			return true
		}
	}
	return false
}

// BuiltinPersonas are the test citizens, one per level and situation. All have the password
// Test1234!. SNILS follow the ESIA test stand's 000-000-600 0N pattern (numbers up to
// 001-001-998 carry no checked sum); INNs carry valid check digits.
func BuiltinPersonas() []Persona {
	return []Persona{
		{
			Key: "simplified", OID: "1000000001", Level: "simplified",
			LastName: "Смирнова", FirstName: "Анна", MiddleName: "Сергеевна",
			BirthDate: "1995-03-14", BirthPlace: "г. Тверь", Gender: "F",
			Phone: "+79990000001", Email: "anna.smirnova@example.ru",
		},
		{
			Key: "standard", OID: "1000000002", Level: "standard",
			LastName: "Петров", FirstName: "Сергей", MiddleName: "Александрович",
			BirthDate: "1982-11-02", BirthPlace: "г. Ярославль", Gender: "M",
			Phone: "+79990000002", Email: "sergey.petrov@example.ru",
			SNILS: "000-000-600 02",
			Passport: &Passport{Series: "7804", Number: "512347", IssueDate: "2004-12-01",
				IssuedBy: "ОВД Кировского района г. Ярославля", UnitCode: "762-003"},
			Address: "150003, Ярославская обл., г. Ярославль, ул. Советская, д. 12, кв. 45",
		},
		{
			Key: "confirmed", OID: "1000000003", Level: "confirmed",
			LastName: "Иванова", FirstName: "Мария", MiddleName: "Ивановна",
			BirthDate: "1976-06-21", BirthPlace: "г. Москва", Gender: "F",
			Phone: "+79990000003", Email: "maria.ivanova@example.ru",
			SNILS: "000-000-600 03", INN: "770123450074",
			Passport: &Passport{Series: "4521", Number: "634215", IssueDate: "2021-07-05",
				IssuedBy: "ГУ МВД России по г. Москве", UnitCode: "770-095"},
			Address: "119021, г. Москва, ул. Льва Толстого, д. 7, кв. 18",
		},
		{
			Key: "confirmed-totp", OID: "1000000004", Level: "confirmed",
			LastName: "Кузнецов", FirstName: "Дмитрий", MiddleName: "Павлович",
			BirthDate: "1969-09-30", BirthPlace: "г. Ленинград", Gender: "M",
			Phone: "+79990000004", Email: "dmitry.kuznetsov@example.ru",
			SNILS: "000-000-600 04", INN: "781045670014",
			Passport: &Passport{Series: "4015", Number: "287441", IssueDate: "2014-10-09",
				IssuedBy: "ТП № 12 отдела УФМС России по г. Санкт-Петербургу и Ленинградской обл. в Невском р-не", UnitCode: "780-012"},
			Address:      "192019, г. Санкт-Петербург, наб. Обводного канала, д. 24, кв. 3",
			SecondFactor: "totp",
		},
		{
			Key: "confirmed-sms", OID: "1000000005", Level: "confirmed",
			LastName: "Соколова", FirstName: "Елена", MiddleName: "Викторовна",
			BirthDate: "1988-01-17", BirthPlace: "г. Новосибирск", Gender: "F",
			Phone: "+79990000005", Email: "elena.sokolova@example.ru",
			SNILS: "000-000-600 05", INN: "540622220025",
			Passport: &Passport{Series: "5008", Number: "771209", IssueDate: "2008-02-20",
				IssuedBy: "Отделом УФМС России по Новосибирской обл. в Центральном р-не г. Новосибирска", UnitCode: "540-004"},
			Address:      "630099, Новосибирская обл., г. Новосибирск, Красный пр-кт, д. 30, кв. 7",
			SecondFactor: "sms",
		},
		{
			Key: "suspended", OID: "1000000006", Level: "standard", Status: "suspended",
			Reason:   "Учётная запись заблокирована по заявлению владельца",
			LastName: "Волков", FirstName: "Николай", MiddleName: "Андреевич",
			BirthDate: "1991-05-08", BirthPlace: "г. Казань", Gender: "M",
			Phone: "+79990000006", Email: "nikolay.volkov@example.ru",
			SNILS: "000-000-600 06",
			Passport: &Passport{Series: "9211", Number: "404118", IssueDate: "2011-06-15",
				IssuedBy: "Отделом УФМС России по Республике Татарстан в Вахитовском р-не г. Казани", UnitCode: "160-005"},
			Address: "420111, Республика Татарстан, г. Казань, ул. Баумана, д. 19, кв. 2",
		},
	}
}
