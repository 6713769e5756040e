package proofing

import (
	"errors"
	"fmt"

	"github.com/esia-emulator/esia-emulator/verification/proofing/esig"
	"github.com/esia-emulator/esia-emulator/verification/proofing/ident"
)

// messages are the Russian texts a citizen sees for the package's errors, most specific
// first (a checksum error also wraps its format error).
var messages = []struct {
	err error
	ru  string
}{
	{ident.ErrSNILSChecksum, "Неверный СНИЛС: контрольное число не совпадает. Проверьте номер по страховому свидетельству."},
	{ident.ErrInvalidSNILS, "СНИЛС должен состоять из 11 цифр, например 123-456-789 01."},
	{ident.ErrINNChecksum, "Неверный ИНН: контрольные цифры не совпадают. Проверьте номер по свидетельству о постановке на учёт."},
	{ident.ErrInvalidINN, "ИНН физического лица должен состоять из 12 цифр."},
	{ident.ErrInvalidPassport, "Серия паспорта — 4 цифры, номер — 6 цифр."},
	{ident.ErrInvalidUnitCode, "Код подразделения — 6 цифр в формате 000-000."},
	{ident.ErrInvalidPhone, "Введите номер мобильного телефона в формате +7 999 123-45-67."},
	{ident.ErrInvalidEmail, "Введите адрес электронной почты в формате name@example.ru."},
	{ident.ErrInvalidLogin, "Введите телефон, адрес электронной почты или СНИЛС."},

	{ErrNotStandard, "Подтвердить личность можно после того, как СНИЛС и паспорт пройдут проверку и учётная запись станет стандартной."},
	{ErrAlreadyConfirmed, "Ваша учётная запись уже подтверждена."},

	{ErrInvalidLetterCode, "Код из письма состоит из 12 латинских букв и цифр, например ABCD-EFGH-JK23."},
	{ErrNoLetter, "Письмо с кодом подтверждения не заказано. Закажите его в разделе «Подтверждение личности»."},
	{ErrLetterExpired, "Срок действия кода из письма истёк. Закажите новое письмо."},
	{ErrWrongLetterCode, "Неверный код подтверждения. Проверьте код в письме и введите его ещё раз."},
	{ErrLetterTriesExhausted, "Код введён неверно слишком много раз. Закажите новое письмо."},
	{ErrLetterUsed, "Этот код уже использован."},

	{ErrOperatorRequired, "Укажите оператора центра обслуживания."},
	{ErrPassportMismatch, "Предъявленный паспорт не совпадает с проверенным паспортом в учётной записи."},
	{ErrPersonMismatch, "Данные гражданина не совпадают с данными учётной записи."},

	{ErrNoChallenge, "Сначала получите текст для подписи."},
	{ErrChallengeExpired, "Срок действия текста для подписи истёк. Получите новый."},
	{ErrChallengeUsed, "Этот текст уже подписан. Получите новый."},
	{ErrChallengeTriesExhausted, "Слишком много неудачных попыток. Получите новый текст для подписи."},
	{esig.ErrNoTrustedCA, "Подтверждение электронной подписью недоступно: не настроен удостоверяющий центр."},
	{esig.ErrCertExpired, "Срок действия сертификата электронной подписи истёк или ещё не начался."},
	{esig.ErrCertUntrusted, "Сертификат выдан не аккредитованным удостоверяющим центром."},
	{esig.ErrBadCertificate, "Не удалось прочитать сертификат. Загрузите сертификат (не закрытый ключ) в формате PEM или DER."},
	{esig.ErrBadSignatureEncoding, "Подпись должна быть передана в кодировке base64."},
	{esig.ErrUnsupportedKey, "Этот тип ключа не поддерживается. Используйте ключ RSA, ECDSA или Ed25519."},
	{esig.ErrBadSignature, "Подпись не соответствует тексту или сертификату."},
	{esig.ErrSignerMismatch, "Сертификат выдан на другого человека: СНИЛС или ФИО не совпадают с учётной записью."},

	{ErrInvalidStatus, "Недопустимый статус учётной записи."},
	{ErrReasonRequired, "Укажите причину."},
	{ErrInvalidReason, "Причина слишком длинная или содержит недопустимые символы."},
	{ErrDeadlineRequired, "Укажите срок, до которого нужно подтвердить данные."},
	{ErrDeadlineInPast, "Срок должен быть в будущем."},
	{ErrDeadlineNotAllowed, "Для активной учётной записи срок не указывается."},

	{ErrUnknownCheck, "Неизвестный вид проверки."},
	{ErrInvalidUserID, "Неверный идентификатор учётной записи."},
}

// Message returns the Russian text for a citizen (or operator) for an error of this
// package, or "" when err is none of its errors (the caller shows its generic message and
// logs err). A wrong letter code says how many tries are left.
func Message(err error) string {
	var wc *WrongCodeError
	if errors.As(err, &wc) {
		return fmt.Sprintf("Неверный код подтверждения. Осталось попыток: %d.", wc.Remaining)
	}
	for _, m := range messages {
		if errors.Is(err, m.err) {
			return m.ru
		}
	}
	return ""
}
