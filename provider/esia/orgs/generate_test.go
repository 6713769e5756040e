package orgs_test

import (
	"reflect"
	"strconv"
	"testing"

	"github.com/esia-emulator/esia-emulator/provider/esia/orgs"
)

func TestGenerate(t *testing.T) {
	a := orgs.Generate(42, 6, []string{"1", "2", "3", "4", "5", "6", "7"})
	if b := orgs.Generate(42, 6, []string{"1", "2", "3", "4", "5", "6", "7"}); !reflect.DeepEqual(a, b) {
		t.Fatal("the same seed gave other organisations")
	}
	if c := orgs.Generate(43, 6, nil); c[0].OID == a[0].OID && c[0].OGRN == a[0].OGRN {
		t.Error("another seed gave the same organisation")
	}
	types := map[string]int{}
	for _, o := range a {
		if errs := o.Validate(o.OID); len(errs) > 0 {
			t.Errorf("%s: %v", o.OID, errs)
		}
		types[o.Type]++
		switch o.Type {
		case "LEGAL", "AGENCY":
			n, _ := strconv.ParseInt(o.OGRN[:12], 10, 64)
			if strconv.FormatInt(n%11%10, 10) != o.OGRN[12:] {
				t.Errorf("%s: OGRN %s check digit", o.OID, o.OGRN)
			}
			w, sum := []int{2, 4, 10, 3, 5, 9, 4, 6, 8}, 0
			for i := range 9 {
				sum += int(o.INN[i]-'0') * w[i]
			}
			if strconv.Itoa(sum%11%10) != o.INN[9:] {
				t.Errorf("%s: INN %s check digit", o.OID, o.INN)
			}
		case "BUSINESS":
			n, _ := strconv.ParseInt(o.OGRN[:14], 10, 64)
			if strconv.FormatInt(n%13%10, 10) != o.OGRN[14:] {
				t.Errorf("%s: OGRNIP %s check digit", o.OID, o.OGRN)
			}
		}
	}
	if types["LEGAL"] != 2 || types["BUSINESS"] != 2 || types["AGENCY"] != 2 {
		t.Errorf("types %v", types)
	}
	// Seven people over six organisations: the first gets two, each first one is chief.
	if len(a[0].Employees) != 2 || !a[0].Employees[0].Chief || a[0].Employees[1].Chief || len(a[5].Employees) != 1 {
		t.Errorf("employees: %+v / %+v", a[0].Employees, a[5].Employees)
	}
}
