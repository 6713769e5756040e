package provider_test

import (
	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/esia-emulator/esia-emulator/config"
)

type oidcConfig = oidc.Config

type configT = config.Config

func oidcNonce(n string) oauth2.AuthCodeOption { return oidc.Nonce(n) }

func oauthPrompt(p string) oauth2.AuthCodeOption { return oauth2.SetAuthURLParam("prompt", p) }
