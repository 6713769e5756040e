// Package consent owns what a citizen lets a relying party read: the catalog of ESIA and
// OpenID Connect scopes (plain-language Russian and English text, the claims each releases),
// the citizen's grants per user × client × scope, the pure consent decision of the login
// flow, and which claims a token, userinfo or introspection answer may carry. It has no HTTP
// handlers and no zitadel/oidc types; the provider adapts it.
//
// # Callers
//
//   - Authorization request (provider): Validate(requested, client.AllowedScopes) → ScopeError
//     becomes invalid_scope (ESIA dialect: ESIA-007006 unknown, ESIA-007019 not allowed);
//     ParseClaimsRequest error → invalid_request.
//   - Consent step of the login dispatcher: Grants.GrantedOf (the requested scopes), then Decide(Input) → Skip / Ask /
//     Fail("consent_required"). The consent page shows Decision.Items with Text(scope, lang).
//     On approve: Apply(input, ticked) → Grants.Grant(Outcome.Grant), Grants.WithdrawScope
//     (Outcome.Revoke), authorization scopes = Outcome.Scopes. On deny: access_denied.
//   - Tokens: the authorization's scopes are its grant. Release(scopes, claimsRequest,
//     TargetIDToken | TargetUserInfo | TargetIntrospection) says which claims to set;
//     KidFields and DocTypes narrow the composite kids claim and the /rs/prns/{oid}/docs list.
//   - Citizen page "Доступ к данным": Grants.ListByUser; withdraw: Grants.Withdraw, then the
//     provider revokes the client's tokens and records an audit event.
//   - Discovery: SupportedClaims, All (scopes_supported).
//
// # Decisions
//
//   - openid needs no consent: it only identifies the account. offline_access is asked like
//     any data scope: it lets the service act while the citizen is away; unticked, the
//     authorization does not carry it and no refresh token is issued. ESIA's access_type=
//     offline is for the dialect to map to offline_access.
//   - A first-party client never sees the page, even with prompt=consent.
//   - prompt=consent asks about every requested scope, granted ones editable (unticking
//     withdraws them). Otherwise only scopes without a live grant are asked; granted ones
//     are listed as such. An optional scope the citizen unticked is not remembered as refused:
//     the next request that asks for it asks again.
//   - The claims request parameter never widens the grant: a claim named there is released
//     only if a granted scope covers it; essential ones that are not covered are reported.
//     ScopesFor maps named claims to scopes if the provider chooses to put them on the
//     consent page too.
//   - Scope claims go to the ID token as well as userinfo (cabinet libraries read the ID
//     token), so the target only selects which member of the claims request is consulted.
//   - Organisation scopes are accepted bare ("org_emps") or in ESIA's URL form
//     ("http://esia.gosuslugi.ru/org_emps?org_oid=1000298922", any host, org_oid digits
//     only). A client allowed the bare name may ask for any organisation; allowed a URL, only
//     that one. Grants keep the URL, so consent is per organisation. The old URL-form person
//     scopes (…/usr_inf, …/usr_brf) and the digital profile's "*_ext" family are not in the
//     catalog: unknown, invalid_scope.
//   - A scope with ESIA's "?oid=<digits>" echo ("fullname?oid=1000404446", as a client may
//     send back from a token) is accepted and normalised to the bare name. EchoOID renders
//     granted scopes in that form for ESIA tokens.
//   - Grants live in storage.Docs collection "consent", id "<uid>/<client>/<scope>" with
//     each part path-escaped; expiry is the document's expiry, so an expired grant is gone
//     on every backend alike. Renewing keeps GrantedAt ("since when").
//
// # Claim vocabulary
//
// Scope → claims released (ID token, userinfo, introspection). Standard OIDC claims keep
// their OpenID Connect Core meaning; ESIA data uses the names below. Composite claims:
// "kids" is an array of children, each with "oid" and the members of the granted kid_*
// scopes (KidFields); a document claim (id_doc, …) is an array of the /docs elements of
// the scope's DocTypes; "contacts", "addresses", "vehicles", "organizations" are arrays of
// the /ctts, /addrs, /vhls and /roles elements.
//
//	scope                   claims                                               RU / EN
//	openid                  — (sub is a protocol claim)                          Подтверждение, что это вы … / Confirmation that it is you …
//	offline_access          — (a refresh token)                                  Доступ к разрешённым данным, когда вы не на сайте сервиса / Access … while you are away
//	profile                 name family_name given_name middle_name birthdate    Фамилия, имя, отчество, дата рождения и пол / Full name, date of birth and gender
//	                        gender locale updated_at
//	email                   email email_verified                                 Адрес электронной почты / E-mail address
//	phone                   phone_number phone_number_verified                   Номер мобильного телефона / Mobile phone number
//	address                 address                                              Адрес регистрации / Registration address
//	fullname                name family_name given_name middle_name              Фамилия, имя и отчество / Surname, first name and patronymic
//	birthdate               birthdate                                            Дата рождения / Date of birth
//	gender                  gender                                               Пол / Gender
//	birthplace              birthplace                                           Место рождения / Place of birth
//	snils                   snils                                                СНИЛС … / SNILS …
//	inn                     inn                                                  ИНН … / INN …
//	citizenship             citizenship                                          Гражданство / Citizenship
//	usr_avt                 picture                                              Фотография вашего профиля / Your profile picture
//	self_employed           self_employed                                        Статус самозанятого … / Self-employed status …
//	usr_org                 organizations                                        Организации, в которых вы работаете … / Organisations you work for …
//	vehicles                vehicles                                             Ваши транспортные средства … / Your vehicles …
//	mobile                  phone_number phone_number_verified                   Номер мобильного телефона / Mobile phone number
//	contacts                contacts email email_verified phone_number           Все ваши контакты … / All your contacts …
//	                        phone_number_verified
//	addresses               addresses address                                    Адреса регистрации и фактического проживания / Registration and residence addresses
//	id_doc                  id_doc        (RF_PASSPORT, FID_DOC)                 Паспорт или другой документ, удостоверяющий личность … / Passport or other identity document …
//	foreign_passport_doc    foreign_passport_doc    (FRGN_PASS)                  Заграничный паспорт / International passport
//	drivers_licence_doc     drivers_licence_doc     (RF_DRIVING_LICENSE)         Водительское удостоверение / Driving licence
//	military_doc            military_doc            (MLTR_ID)                    Военный билет / Military ID
//	medical_doc             medical_doc             (MDCL_PLCY)                  Полис ОМС / Medical insurance policy
//	birth_cert_doc          birth_cert_doc (RF_/FID_/OLD_BRTH_CERT, BRTH_CERT)   Свидетельство о рождении / Birth certificate
//	residence_doc           residence_doc                                        Вид на жительство / Residence permit
//	temporary_residence_doc temporary_residence_doc                              Разрешение на временное проживание / Temporary residence permit
//	kid_fullname            kids (family_name given_name middle_name)            ФИО ваших детей / Your children's full names
//	kid_birthdate           kids (birthdate)                                     Даты рождения ваших детей / … dates of birth
//	kid_gender              kids (gender)                                        Пол ваших детей / … gender
//	kid_snils               kids (snils)                                         СНИЛС ваших детей / … SNILS
//	kid_inn                 kids (inn)                                           ИНН ваших детей / … INN
//	kid_birth_cert_doc      kids (birth_cert_doc)                                Свидетельства о рождении детей / … birth certificates
//	kid_medical_doc         kids (medical_doc)                                   Полисы ОМС детей / … medical policies
//	kid_mobile              kids (phone_number)                                  Телефоны детей / … mobile numbers
//	kid_email               kids (email)                                         Почта детей / … e-mail addresses
//	kid_school_data         kids (school_data)                                   Школы детей / Schools your children attend
//	digital profile:        the claim is the scope name: history_passport_doc vehicle_reg_cert_doc change_fullname_cert_doc
//	                        marriage_cert_doc divorce_cert_doc death_cert_doc paternity_cert_doc ils_doc ndfl_person
//	                        electronic_workbook pre_retirement_age payments_egisso payout_income pension_reference
//	                        family_assets_balance legalcapacity social_support_info bank_account reg_realestate
//	                        educational_doc ege_result osago_policy remd_medical_doc student_ticket
//	organisation:           the claim is the scope name: org_shortname org_fullname org_type org_leg org_inn org_ogrn
//	                        org_kpp org_oktmo org_agencytype org_agencyterrange org_ctts org_addrs org_vhls org_grps
//	                        org_emps org_brhs org_brhs_ctts org_brhs_addrs org_invts org_inf
//
// The full texts are in the catalog (All, Lookup). Sensitive scopes — snils, inn, every
// document, kid and digital-profile scope — are marked for the consent page. DocTypes of the
// digital-profile scopes follow a public ESIA client's document-type enum and are marked [?]
// in esia-protocol.md terms; residence_doc, temporary_residence_doc and several profile
// scopes have no known /docs type.
package consent
