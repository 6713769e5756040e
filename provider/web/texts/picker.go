package texts

// pickerMessages label the test-mode persona picker's second factors.
func pickerMessages() map[string]map[string]string {
	return map[string]map[string]string{
		"ru": {
			"pick.factor.none": "без второго фактора",
			"pick.factor.sms":  "код по SMS",
			"pick.factor.totp": "код из приложения",
		},
		"en": {
			"pick.factor.none": "no second factor",
			"pick.factor.sms":  "SMS code",
			"pick.factor.totp": "authenticator code",
		},
	}
}
