package dprofile

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/esia-emulator/esia-emulator/storage"
)

// The data behind the Digital Profile scopes. The protocol doc gives no REST shape for them
// (the real ones are in Минцифры's "Методические рекомендации по интеграции с REST API
// Цифрового профиля", not public), so these are the emulator's shapes, served off ESIA's
// paths (Data.Mount). Every value is a pure function of the account (its oid, birth date,
// gender, SNILS) and the date asked about: the same persona gives the same data on every
// stand, and accounts the persona generator makes get theirs the same way.

// Scopes are the Digital Profile scopes with data in the emulator.
var Scopes = []string{"payments_egisso", "ils_doc", "pension_reference", "pre_retirement_age", "payout_income", "electronic_workbook"}

// seq is a deterministic stream of numbers for one account and scope.
type seq struct {
	h [32]byte
	i int
}

func newSeq(uid, scope string) *seq { return &seq{h: sha256.Sum256([]byte(uid + "/" + scope))} }

// n returns a number in [0, max).
func (s *seq) n(max int) int {
	if s.i+4 > len(s.h) {
		s.h, s.i = sha256.Sum256(s.h[:]), 0
	}
	v := binary.BigEndian.Uint32(s.h[s.i:])
	s.i += 4
	return int(v % uint32(max))
}

const dateLayout = "02.01.2006"

var employers = []struct{ name, inn string }{
	{"ООО «Ярославский шинный завод»", "7601000640"},
	{"АО «Северсталь Менеджмент»", "3528190479"},
	{"ГБУЗ ЯО «Областная клиническая больница»", "7606013620"},
	{"ООО «Ромашка»", "7707083893"},
	{"МОУ «Средняя школа № 33 г. Ярославля»", "7604043020"},
	{"ПАО «Сбербанк России»", "7707083893"},
	{"ООО «Лента»", "7814148471"},
	{"ФГУП «Почта России»", "7724261610"},
}

var positions = []string{"инженер", "бухгалтер", "учитель", "медицинская сестра", "водитель", "продавец-кассир", "оператор", "экономист"}

// age is the citizen's full years at now (-1 without a birth date).
func age(u storage.User, now time.Time) int {
	b, err := time.Parse("2006-01-02", u.BirthDate)
	if err != nil {
		return -1
	}
	y := now.Year() - b.Year()
	if now.YearDay() < b.YearDay() {
		y--
	}
	return y
}

// retirementAge is the general old-age pension age after the 2019–2028 transition.
func retirementAge(u storage.User) int {
	if u.Gender == "F" {
		return 60
	}
	return 65
}

// Record returns the data of scope for the citizen at now, or false when the emulator has
// none for the scope.
func Record(u storage.User, scope string, now time.Time) (any, bool) {
	s := newSeq(u.ID, scope)
	a := age(u, now)
	switch scope {
	case "payments_egisso":
		return egisso(u, s, a, now), true
	case "ils_doc":
		return ils(u, s, a, now), true
	case "pension_reference":
		return pension(u, s, a, now), true
	case "pre_retirement_age":
		ra := retirementAge(u)
		pre := a >= ra-5 && a < ra
		out := map[string]any{"snils": u.SNILS, "preRetirementAge": pre, "retirementAge": ra, "checkDate": now.Format(dateLayout)}
		if b, err := time.Parse("2006-01-02", u.BirthDate); err == nil && pre {
			out["since"] = b.AddDate(ra-5, 0, 0).Format(dateLayout)
		}
		return out, true
	case "payout_income":
		return income(u, s, now), true
	case "electronic_workbook":
		return workbook(s, a, now), true
	}
	return nil, false
}

func collection(elements []map[string]any) map[string]any {
	if elements == nil {
		elements = []map[string]any{}
	}
	return map[string]any{"stateFacts": []string{"hasSize"}, "size": len(elements), "elements": elements}
}

func egisso(u storage.User, s *seq, a int, now time.Time) map[string]any {
	type measure struct{ code, name, provider string }
	all := []measure{
		{"0201", "Ежемесячная денежная выплата на ребёнка в возрасте от 3 до 7 лет включительно", "ОСФР по Ярославской области"},
		{"0311", "Единое пособие в связи с рождением и воспитанием ребёнка", "ОСФР по Ярославской области"},
		{"0505", "Компенсация расходов на оплату жилого помещения и коммунальных услуг", "Департамент социальной защиты населения Ярославской области"},
		{"0712", "Ежемесячная денежная выплата ветеранам труда", "Департамент социальной защиты населения Ярославской области"},
		{"1004", "Социальная доплата к пенсии", "ОСФР по Ярославской области"},
	}
	var els []map[string]any
	n := s.n(3) // 0…2 measures
	if a >= retirementAge(u) {
		n++
	}
	for i := 0; i < n && i < len(all); i++ {
		m := all[(s.n(len(all))+i)%len(all)]
		from := time.Date(now.Year()-s.n(3), time.Month(1+s.n(12)), 1, 0, 0, 0, 0, time.UTC)
		els = append(els, map[string]any{
			"id": fmt.Sprintf("%s-%s-%d", u.ID, m.code, i), "measureCode": m.code, "measureName": m.name, "provider": m.provider,
			"decisionDate": from.AddDate(0, 0, -14).Format(dateLayout), "periodFrom": from.Format(dateLayout),
			"periodTo": from.AddDate(1, 0, -1).Format(dateLayout), "amount": fmt.Sprintf("%d.00", 1500+s.n(180)*100),
			"form": "денежная", "status": "назначена",
		})
	}
	return collection(els)
}

func ils(u storage.User, s *seq, a int, now time.Time) map[string]any {
	years := max(0, a-18-s.n(5))
	ipk := float64(years)*(2.5+float64(s.n(60))/10) + float64(s.n(100))/100
	var jobs []map[string]any
	for _, j := range workbook(newSeq(u.ID, "electronic_workbook"), a, now)["elements"].([]map[string]any) {
		jobs = append(jobs, map[string]any{"employer": j["employer"], "periodFrom": j["dateFrom"], "periodTo": j["dateTo"]})
	}
	return map[string]any{
		"snils": u.SNILS, "formedOn": now.Format(dateLayout), "provider": "Социальный фонд России",
		"insuranceExperience": map[string]int{"years": years, "months": s.n(12), "days": s.n(28)},
		"ipk":                 fmt.Sprintf("%.3f", ipk), "employers": jobs,
		"contributions": map[string]any{"year": now.Year() - 1, "amount": fmt.Sprintf("%d.00", 40000+s.n(200)*1000)},
	}
}

func pension(u storage.User, s *seq, a int, now time.Time) map[string]any {
	if a < retirementAge(u) {
		return map[string]any{"snils": u.SNILS, "recipient": false, "formedOn": now.Format(dateLayout), "payments": []any{}}
	}
	b, _ := time.Parse("2006-01-02", u.BirthDate)
	since := b.AddDate(retirementAge(u), 0, 1)
	base := 12000 + s.n(150)*100
	return map[string]any{
		"snils": u.SNILS, "recipient": true, "formedOn": now.Format(dateLayout), "provider": "ОСФР по Ярославской области",
		"payments": []map[string]any{
			{"type": "Страховая пенсия по старости", "since": since.Format(dateLayout), "amount": fmt.Sprintf("%d.00", base)},
			{"type": "Фиксированная выплата к страховой пенсии", "since": since.Format(dateLayout), "amount": "8907.70"},
		},
	}
}

func income(u storage.User, s *seq, now time.Time) map[string]any {
	e := employers[s.n(len(employers))]
	year := now.Year() - 1
	monthly := 30000 + s.n(120)*500
	var els []map[string]any
	for m := 1; m <= 12; m++ {
		els = append(els, map[string]any{"month": m, "payer": e.name, "payerInn": e.inn, "incomeCode": "2000",
			"amount": fmt.Sprintf("%d.00", monthly+s.n(10)*100)})
	}
	out := collection(els)
	out["year"], out["snils"] = year, u.SNILS
	return out
}

func workbook(s *seq, a int, now time.Time) map[string]any {
	var els []map[string]any
	if a < 18 {
		return collection(nil)
	}
	start := now.AddDate(-(a - 18 - s.n(3)), 0, 0)
	for start.Before(now) {
		e := employers[s.n(len(employers))]
		end := start.AddDate(2+s.n(8), s.n(12), 0)
		el := map[string]any{"employer": e.name, "employerInn": e.inn, "position": positions[s.n(len(positions))],
			"dateFrom": start.Format(dateLayout), "order": fmt.Sprintf("Приказ № %d-к", 10+s.n(400))}
		if end.Before(now) {
			el["dateTo"] = end.Format(dateLayout)
		} else {
			el["dateTo"] = nil
		}
		els = append(els, el)
		start = end.AddDate(0, 0, 1+s.n(60))
	}
	return collection(els)
}
