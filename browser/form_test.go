package browser

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

func page(t testing.TB, body string) *Page {
	t.Helper()
	u, err := url.Parse("https://op.example/login?authRequestID=r1")
	if err != nil {
		t.Fatal(err)
	}
	return NewPage(u, 200, body)
}

const loginPage = `<!doctype html><html><head><title>Вход</title></head><body>
<h1>Вход <span>в систему</span></h1>
<form method="post" action="/login" autocomplete="on">
<input type="hidden" name="authRequestID" value="id&amp;1">
<input value='tok' type='hidden' name='csrf'>
<input type="text" id="login" name="login" value="&#43;79990000005" required autofocus>
<input type="password" id="password" name="password" required>
<input type=checkbox name=remember>
<input type=checkbox name=terms checked>
<button type="submit">Войти</button>
</form>
<FORM METHOD=POST ACTION="/login/consent" id=consent><input type="hidden" name="csrf" value="c2">
<input type="checkbox" name="scope" value="openid" checked disabled>
<input type="checkbox" name="scope" value="fullname" checked>
<input type="checkbox" name="scope" value="snils" checked>
<input type="checkbox" name="scope" value="email">
<button type="submit" name="decision" value="allow" id="grantAuthorization">Allow</button>
<button name="decision" value="deny">Deny</button></FORM>
<form name=search action="?q=old#frag"><input type=search name=persona_q><input type=submit name=go value="Найти"></form>
<p><a href="/recover?authRequestID=r1">Забыли пароль?</a> · <a href="https://other.example/x">Other</a></p>
<script>var x = "<form>";</script><style>p{}</style>
</body></html>`

func TestForms(t *testing.T) {
	p := page(t, loginPage)
	forms := p.Forms()
	if len(forms) != 3 {
		t.Fatalf("%d forms", len(forms))
	}
	for _, tc := range []struct {
		name    string
		form    *Form
		action  string
		method  string
		values  url.Values
		names   []string
		checked []string
	}{
		{"login: hidden fields, prefill, only checked boxes, no buttons", forms[0], "https://op.example/login", "POST",
			url.Values{"authRequestID": {"id&1"}, "csrf": {"tok"}, "login": {"+79990000005"}, "password": {""}, "terms": {"on"}},
			[]string{"authRequestID", "csrf", "login", "password", "remember", "terms"}, nil},
		{"consent: repeated names, disabled skipped, buttons not sent", forms[1], "https://op.example/login/consent", "POST",
			url.Values{"csrf": {"c2"}, "scope": {"fullname", "snils"}},
			[]string{"csrf", "scope", "decision"}, []string{"openid", "fullname", "snils"}},
		{"search: GET, empty method, action resolved", forms[2], "https://op.example/login?q=old#frag", "GET",
			url.Values{"persona_q": {""}}, []string{"persona_q", "go"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.form
			if f.Action.String() != tc.action || f.Method != tc.method {
				t.Fatalf("%s %s, want %s %s", f.Method, f.Action, tc.method, tc.action)
			}
			if got := f.Values(); !reflect.DeepEqual(got, tc.values) {
				t.Fatalf("values %v, want %v", got, tc.values)
			}
			if got := f.Names(); !reflect.DeepEqual(got, tc.names) {
				t.Fatalf("names %v, want %v", got, tc.names)
			}
			if got := f.Checked("scope"); !reflect.DeepEqual(got, tc.checked) {
				t.Fatalf("checked %v, want %v", got, tc.checked)
			}
		})
	}
}

func TestFormMatchers(t *testing.T) {
	p := page(t, loginPage)
	for _, tc := range []struct {
		name   string
		match  []FormMatcher
		action string // "" when no form matches
	}{
		{"first form", nil, "/login"},
		{"by action", []FormMatcher{ByAction("/login/consent")}, "/login/consent"},
		{"by absolute action", []FormMatcher{ByAction("https://op.example/login")}, "/login"},
		{"action query ignored", []FormMatcher{ByAction("/login"), WithField("persona_q")}, "/login"},
		{"by id", []FormMatcher{ByID("consent")}, "/login/consent"},
		{"by name", []FormMatcher{ByName("search")}, "/login"},
		{"with fields", []FormMatcher{WithField("login", "password")}, "/login"},
		{"with a button's name", []FormMatcher{WithField("decision")}, "/login/consent"},
		{"without a field", []FormMatcher{WithField("csrf"), WithoutField("password")}, "/login/consent"},
		{"none", []FormMatcher{ByID("nope")}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, err := p.Form(tc.match...)
			if tc.action == "" {
				if err == nil || !strings.Contains(err.Error(), "POST https://op.example/login [authRequestID") {
					t.Fatalf("want an error listing the forms, got %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.Action.Path != tc.action {
				t.Fatalf("action %s, want %s", f.Action, tc.action)
			}
		})
	}
}

func TestFormEdits(t *testing.T) {
	body := `<form method=post action=/p>
<input name=a value=1><textarea name=t>
line one
line two</textarea>
<select name=s><option>x</option><option value=y selected>Y</option><option value=z disabled>Z</option></select>
<select name=m multiple><option value=1 selected>1</option><option value=2>2</option></select>
<select name=none><option disabled>-</option><option value=first>F</option></select>
<input type=radio name=r value=a checked><input type=radio name=r value=b>
<input type=checkbox name=c value=1><input type=checkbox name=c value=2 checked>
<fieldset disabled><legend><input name=inlegend value=L></legend><input name=off value=O></fieldset>
<input name=file type=file><input type=image name=img>
</form>`
	newForm := func(t *testing.T) *Form {
		f, err := page(t, body).Form()
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	base := url.Values{"a": {"1"}, "t": {"line one\nline two"}, "s": {"y"}, "m": {"1"}, "none": {"first"}, "r": {"a"},
		"c": {"2"}, "inlegend": {"L"}, "file": {""}}
	with := func(k string, v ...string) url.Values {
		out := url.Values{}
		for kk, vv := range base {
			out[kk] = vv
		}
		if v == nil {
			delete(out, k)
		} else {
			out[k] = v
		}
		return out
	}
	for _, tc := range []struct {
		name string
		edit func(f *Form)
		want url.Values
		err  string
	}{
		{"as parsed", func(*Form) {}, base, ""},
		{"set a text field", func(f *Form) { f.Set("a", "new") }, with("a", "new"), ""},
		{"set a textarea", func(f *Form) { f.Set("t", "x") }, with("t", "x"), ""},
		{"select an option", func(f *Form) { f.Set("s", "x") }, with("s", "x"), ""},
		{"a disabled option", func(f *Form) { f.Set("s", "z") }, nil, `select "s" has no option "z"`},
		{"check a multiple select", func(f *Form) { f.Check("m", "2") }, with("m", "1", "2"), ""},
		{"radio: one of a name", func(f *Form) { f.Check("r", "b") }, with("r", "b"), ""},
		{"check a box", func(f *Form) { f.Check("c", "1") }, with("c", "1", "2"), ""},
		{"uncheck a box", func(f *Form) { f.Uncheck("c", "2") }, with("c"), ""},
		{"no such box", func(f *Form) { f.Check("c", "3") }, nil, `no checkbox or radio c="3"`},
		{"no such field", func(f *Form) { f.Set("nope", "1").Set("a", "2") }, nil, `no text field or select named "nope"`},
		{"a disabled field", func(f *Form) { f.Set("off", "1") }, nil, `no text field or select named "off"`},
		{"add and delete", func(f *Form) { f.Add("a", "2").Del("t") }, func() url.Values { v := with("t"); v["a"] = []string{"1", "2"}; return v }(), ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newForm(t)
			tc.edit(f)
			if tc.err != "" {
				if f.Err() == nil || !strings.Contains(f.Err().Error(), tc.err) {
					t.Fatalf("error %v, want %q", f.Err(), tc.err)
				}
				return
			}
			if f.Err() != nil {
				t.Fatal(f.Err())
			}
			if got := f.Values(); !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("values\n%v\nwant\n%v", got, tc.want)
			}
		})
	}
}

func TestText(t *testing.T) {
	p := page(t, loginPage)
	if got := p.Title(); got != "Вход" {
		t.Errorf("title %q", got)
	}
	if got := p.TextOf("h1"); got != "Вход в систему" {
		t.Errorf("h1 %q", got)
	}
	text := p.Text()
	for _, want := range []string{"Вход в систему", "Войти", "Забыли пароль? · Other"} {
		if !strings.Contains(text, want) {
			t.Errorf("text %q lacks %q", text, want)
		}
	}
	for _, not := range []string{"var x", "p{}", "tok"} {
		if strings.Contains(text, not) {
			t.Errorf("text %q has %q", text, not)
		}
	}
	if u, ok := p.Link("Забыли"); !ok || u.String() != "https://op.example/recover?authRequestID=r1" {
		t.Errorf("link %v %v", u, ok)
	}
	if _, ok := p.Link("missing"); ok {
		t.Error("a missing link was found")
	}
}

func TestSelectors(t *testing.T) {
	p := page(t, `<table id=s><tr class="row current"><td>A</td><td data-x="1">a1</td></tr>
<tr class=row><td>B</td><td data-x='2'>b1 <b>bold</b></td></tr></table><p class=row>not a tr</p>`)
	for _, tc := range []struct {
		sel  string
		want []string
	}{
		{"td", []string{"A", "a1", "B", "b1 bold"}},
		{"tr.row td[data-x]", []string{"a1", "b1 bold"}},
		{".row.current td", []string{"A", "a1"}},
		{"#s [data-x=\"2\"]", []string{"b1 bold"}},
		{"[data-x=1]", []string{"a1"}},
		{"table .row", []string{"A a1", "B b1 bold"}},
		{".row", []string{"A a1", "B b1 bold", "not a tr"}},
		{"*[class]", []string{"A a1", "B b1 bold", "not a tr"}},
		{"span", nil},
	} {
		if got := p.Root().Texts(tc.sel); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.sel, got, tc.want)
		}
	}
	if e := p.Find("nothing"); e != nil || e.Text() != "" || e.Attr("x") != "" || e.Find("td") != nil {
		t.Error("a nil element is not empty")
	}
	for _, bad := range []string{"", "a>b", "[x", "#", "a,b"} {
		if _, err := parseSelector(bad); err == nil {
			t.Errorf("selector %q parsed", bad)
		}
	}
}

// FuzzParseForms feeds arbitrary pages to the form parser and the text helpers: they must
// not panic, and every form must yield an encodable submission.
func FuzzParseForms(f *testing.F) {
	f.Add(loginPage)
	f.Add(`<form action=":bad"><input name=a form=x><select name=s multiple></select></form><form id=x>`)
	f.Add(`<body onload="document.forms[0].submit()"><form method=post action=https://rp/cb><input type=hidden name=code value=c>`)
	f.Add(`<meta http-equiv=refresh content="0; url='/next'"><fieldset disabled><legend><input name=l></legend></fieldset>`)
	f.Fuzz(func(t *testing.T, body string) {
		p := page(t, body)
		for _, form := range p.Forms() {
			_ = form.Values().Encode()
			for _, n := range form.Names() {
				form.Set(n, "v").Check(n, "v").Uncheck(n, "v")
			}
			_ = form.Values().Encode()
		}
		_ = p.Text()
		_ = p.Title()
		_, _ = p.Link("a")
		_ = p.autoForm()
		_ = p.metaRefresh()
	})
}
