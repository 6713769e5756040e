package config

// ESIA configures the ESIA dialect. The fields are filled in by the dialect's owner.
type ESIA struct {
	// Issuer of ESIA-format tokens; ESIA's own is "http://esia.gosuslugi.ru/" (http, trailing
	// slash), independent of the emulator's URL.
	Issuer string `yaml:"issuer" json:"issuer,omitempty"`
}

// ESIAClient configures a client for ESIA's endpoints.
type ESIAClient struct {
	// Certificate is the client's registered certificate (PEM), used to check client_secret
	// signatures and client_certificate_hash.
	Certificate string `yaml:"certificate" json:"certificate,omitempty"`
}
