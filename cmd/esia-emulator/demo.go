package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/esia-emulator/esia-emulator/demo/stand"
)

// demoCommand runs `esia-emulator demo`: the emulator and the three demo cabinets (package
// demo/stand), each on its own loopback port, until interrupted.
func demoCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "the emulator's listen address")
	sfrAddr := fs.String("sfr-addr", "127.0.0.1:8081", "the Social Fund cabinet's listen address")
	friAddr := fs.String("fri-addr", "127.0.0.1:8082", "the disability registry cabinet's listen address")
	socAddr := fs.String("socprot-addr", "127.0.0.1:8083", "the social-protection cabinet's listen address")
	logFormat := fs.String("log-format", "text", "text or json")
	if err := fs.Parse(args); err != nil {
		if err == flag.ErrHelp {
			return nil
		}
		return err
	}
	var o stand.Options
	for _, l := range []struct {
		addr string
		into *net.Listener
	}{{*addr, &o.Emulator}, {*sfrAddr, &o.SFR}, {*friAddr, &o.FRI}, {*socAddr, &o.Socprot}} {
		ln, err := net.Listen("tcp", l.addr)
		if err != nil {
			return err
		}
		defer ln.Close()
		*l.into = ln
	}
	o.Logger = newLogger(stderr, *logFormat, 0)
	ctx, stop := signal.NotifyContext(ctx, os.Interrupt, syscall.SIGTERM)
	defer stop()
	s, err := stand.Start(ctx, o)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, `ESIA emulator (test mode, memory store): %s
  personas: %s/  (password Test1234!; outbox with the codes: %s/outbox)

Demo cabinets ("Войти через Госуслуги"):
  Социальный фонд России (OpenID Connect, code + PKCE):        %s
  Федеральный реестр инвалидов (confirmed accounts only):       %s
  Органы социальной защиты (ESIA: /aas/oauth2/v2/ac, /rs/prns): %s

Try +79990000003 (confirmed) everywhere, and +79990000002 (standard) at the registry.
Ctrl+C stops everything.
`, s.Issuer, s.Issuer, s.Issuer, s.SFR, s.FRI, s.Socprot)
	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Close(shutdownCtx)
}
