package orgs

import (
	"fmt"
	"math/rand/v2"
	"strconv"

	"github.com/esia-emulator/esia-emulator/config"
)

// Generate makes n organisations from seed: the same seed gives the same organisations on
// every emulator. Types rotate legal entity, individual entrepreneur, state body; oids start
// at 3000000000 + seed-derived offset; OGRN, OGRNIP and INN carry valid check digits. The
// persons in employ (oids) are spread over them: the first of each organisation's share is
// its chief and admin.
func Generate(seed int64, n int, employ []string) []config.ESIAOrganization {
	rnd := rand.New(rand.NewPCG(uint64(seed), 0x6f726773))
	names := []string{"ВЕКТОР", "ГОРИЗОНТ", "СЕВЕРНЫЙ ВЕТЕР", "ТЕХНОСФЕРА", "ЯНТАРЬ", "ЛАДОГА", "ПРОСТОР", "ИСТОК"}
	people := []string{"Орлов Андрей Викторович", "Белова Ольга Петровна", "Зайцев Игорь Семёнович", "Морозова Дарья Олеговна"}
	bodies := []string{"Комитет по информатизации", "Департамент социальной защиты", "Управление архивами"}
	regions := []string{"Тверской области", "Рязанской области", "Калужской области"}
	base := 3000000000 + rnd.Int64N(900000)*1000
	out := make([]config.ESIAOrganization, 0, n)
	for i := range n {
		oid := strconv.FormatInt(base+int64(i), 10)
		region := fmt.Sprintf("%02d", 10+rnd.IntN(80))
		var o config.ESIAOrganization
		switch i % 3 {
		case 0:
			name := names[rnd.IntN(len(names))]
			inn := withINN10Check(region + digitsN(rnd, 7))
			o = config.ESIAOrganization{OID: oid, Type: "LEGAL", Leg: "12300",
				FullName: "ОБЩЕСТВО С ОГРАНИЧЕННОЙ ОТВЕТСТВЕННОСТЬЮ «" + name + "»", ShortName: "ООО «" + name + "»",
				OGRN: withOGRNCheck("1" + digitsN(rnd, 2) + region + digitsN(rnd, 7)), INN: inn, KPP: inn[:4] + "01001"}
		case 1:
			p := people[rnd.IntN(len(people))]
			o = config.ESIAOrganization{OID: oid, Type: "BUSINESS", Leg: "50102",
				FullName: "Индивидуальный предприниматель " + p, ShortName: "ИП " + p,
				OGRN: withOGRNIPCheck("3" + digitsN(rnd, 2) + region + digitsN(rnd, 9)), INN: region + digitsN(rnd, 10)}
		default:
			body, reg := bodies[rnd.IntN(len(bodies))], regions[rnd.IntN(len(regions))]
			inn := withINN10Check(region + digitsN(rnd, 7))
			o = config.ESIAOrganization{OID: oid, Type: "AGENCY", Leg: "75104", FullName: body + " " + reg, ShortName: body,
				OGRN: withOGRNCheck("1" + digitsN(rnd, 2) + region + digitsN(rnd, 7)), INN: inn, KPP: inn[:4] + "01001"}
		}
		o.Addresses = []config.ESIAOrgAddress{{Type: "OLG", AddressStr: fmt.Sprintf("г. Тверь, ул. Новая, д. %d", 1+rnd.IntN(99)), ZipCode: "170" + digitsN(rnd, 3)}}
		o.Contacts = []config.ESIAContact{{Type: "OPH", Value: "+7(4822)" + digitsN(rnd, 6)}}
		out = append(out, o)
	}
	for j, p := range employ {
		if n == 0 {
			break
		}
		o := &out[j%n]
		first := len(o.Employees) == 0
		o.Employees = append(o.Employees, config.ESIAOrgEmployee{PersonOID: p, Chief: first, Admin: first, Position: map[bool]string{true: "Руководитель", false: "Специалист"}[first]})
	}
	return out
}

func digitsN(rnd *rand.Rand, n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte('0' + rnd.IntN(10))
	}
	return string(b)
}

// withOGRNCheck appends the 13th digit of an OGRN: (first 12 mod 11) mod 10.
func withOGRNCheck(s12 string) string {
	n, _ := strconv.ParseInt(s12, 10, 64)
	return s12 + strconv.FormatInt(n%11%10, 10)
}

// withOGRNIPCheck appends the 15th digit of an OGRNIP: (first 14 mod 13) mod 10.
func withOGRNIPCheck(s14 string) string {
	n, _ := strconv.ParseInt(s14, 10, 64)
	return s14 + strconv.FormatInt(n%13%10, 10)
}

// withINN10Check appends the control digit of a legal entity's INN.
func withINN10Check(s9 string) string {
	w := []int{2, 4, 10, 3, 5, 9, 4, 6, 8}
	sum := 0
	for i, c := range s9 {
		sum += int(c-'0') * w[i]
	}
	return s9 + strconv.Itoa(sum%11%10)
}
