package personagen

import "strings"

// translit maps Cyrillic lower-case letters to the Latin spelling people use in e-mail
// addresses (ж zh, х kh, ц ts, щ shch, ю yu, я ya; ь and ъ dropped).
var translit = map[rune]string{
	'а': "a", 'б': "b", 'в': "v", 'г': "g", 'д': "d", 'е': "e", 'ё': "e", 'ж': "zh", 'з': "z",
	'и': "i", 'й': "y", 'к': "k", 'л': "l", 'м': "m", 'н': "n", 'о': "o", 'п': "p", 'р': "r",
	'с': "s", 'т': "t", 'у': "u", 'ф': "f", 'х': "kh", 'ц': "ts", 'ч': "ch", 'ш': "sh",
	'щ': "shch", 'ъ': "", 'ы': "y", 'ь': "", 'э': "e", 'ю': "yu", 'я': "ya",
}

// Translit writes a Russian name in lower-case Latin letters for an e-mail address;
// characters other than Cyrillic letters and ASCII letters and digits are dropped.
func Translit(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case 'a' <= r && r <= 'z', '0' <= r && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteString(translit[r])
		}
	}
	return b.String()
}

// FeminineSurname returns the feminine form of a masculine Russian surname: -ов/-ев/-ёв/
// -ин/-ын add -а (Иванов → Иванова), -ский/-цкий become -ская/-цкая, -ой and -ый become
// -ая (Толстой → Толстая); other surnames (Шевченко, Черных, Ковальчук) do not change.
func FeminineSurname(m string) string {
	switch {
	case strings.HasSuffix(m, "ский"), strings.HasSuffix(m, "цкий"):
		return strings.TrimSuffix(m, "ий") + "ая"
	case strings.HasSuffix(m, "ской"), strings.HasSuffix(m, "цкой"):
		return strings.TrimSuffix(m, "ой") + "ая"
	case strings.HasSuffix(m, "ой"), strings.HasSuffix(m, "ый"):
		return m[:len(m)-len("ой")] + "ая"
	case strings.HasSuffix(m, "ов"), strings.HasSuffix(m, "ев"), strings.HasSuffix(m, "ёв"),
		strings.HasSuffix(m, "ин"), strings.HasSuffix(m, "ын"):
		return m + "а"
	}
	return m
}
