// zitadel/oidc v3 example OP (exampleop + in-memory storage), bound to 127.0.0.1 only,
// used as a stand-in for "an OP built on zitadel/oidc v3" in client-compat experiments.
//
//	mkdir zop && cp main.go zop/ && cd zop && go mod init example.com/zop
//	go get github.com/zitadel/oidc/v3@v3.49.2 && go mod tidy && go build -o ../bin/zop . && ../bin/zop
//
// Issuer http://127.0.0.1:9998/ (trailing slash, as in the upstream example). Login form fields:
// username/password; users test-user@127.0.0.1 / verysecure. Clients: web/secret, api/secret,
// native (none), and rp-basic/rp-basic-secret, rp-post/rp-post-secret, rp-spa (none).
package main

import (
	"log/slog"
	"net/http"
	"os"
	"strings"

	"github.com/zitadel/oidc/v3/example/server/exampleop"
	"github.com/zitadel/oidc/v3/example/server/storage"
)

func main() {
	port := os.Getenv("PORT")
	if port == "" {
		port = "9998"
	}
	issuer := "http://127.0.0.1:" + port + "/"
	if v := os.Getenv("ISSUER"); v != "" {
		issuer = v
	}
	// redirect URIs of every recipe in ../ (override/extend with REDIRECT_URI=a,b,c)
	redirects := []string{
		"http://127.0.0.1:4101/cb", "http://127.0.0.1:4102/cb", "http://127.0.0.1:4103/cb",
		"http://127.0.0.1:4104/callback.html", "http://127.0.0.1:4105/protected/redirect_uri",
		"http://127.0.0.1:4180/oauth2/callback",
	}
	if v := os.Getenv("REDIRECT_URI"); v != "" {
		redirects = append(redirects, strings.Split(v, ",")...)
	}
	storage.RegisterClients(
		storage.NativeClient("native", redirects...),
		storage.WebClient("web", "secret", redirects...),
		storage.WebClient("api", "secret", redirects...),
		// same client ids as peer-op-oidc-provider.mjs, so run-all.sh works unchanged
		storage.WebClient("rp-basic", "rp-basic-secret", redirects...),
		storage.WebClient("rp-post", "rp-post-secret", redirects...),
		storage.NativeClient("rp-spa", redirects...),
	)
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo}))
	stor := storage.NewStorage(storage.NewUserStore(issuer))
	router := exampleop.SetupServer(issuer, stor, logger, false)
	logger.Info("listening", "issuer", issuer)
	if err := http.ListenAndServe("127.0.0.1:"+port, router); err != nil {
		logger.Error("serve", "err", err)
		os.Exit(1)
	}
}
