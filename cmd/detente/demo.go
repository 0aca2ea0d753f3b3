package main

import (
	"context"
	"crypto/rand"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/demo"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/web"
)

// cmdDemo runs a server over a fresh SQLite database full of fictitious
// data, and prints how to sign in. Nothing to install, nothing to set up.
func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	keep := fs.Bool("keep", false, "keep the demo data directory when the demo stops")
	srv := config.Bind(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if !set["data"] && !set["database"] && getenv("DETENTE_DATA_DIR") == "" && getenv("DETENTE_DATABASE") == "" {
		dir, err := os.MkdirTemp("", "detente-demo-")
		if err != nil {
			return err
		}
		if err := fs.Set("data", dir); err != nil {
			return err
		}
		if !*keep {
			defer os.RemoveAll(dir)
		}
	}
	cfg, err := srv.Resolve(getenv)
	if err != nil {
		return err
	}
	log := cfg.Logger(stderr)
	start := time.Now()
	password := demoPassword()
	// The demo accounts share one printed password, so the full argon2id
	// cost buys nothing; OWASP's minimum keeps the start fast.
	demoCost := access.Argon2{MemoryKiB: 19 * 1024, Time: 2, Threads: 1}
	open := func(c clock.Clock, m mail.Sender) (*app.App, error) {
		return app.Open(ctx, cfg, log, app.Options{Clock: c, Argon2: &demoCost, Mail: m})
	}
	res, err := demo.Seed(ctx, open, time.Now().UTC(), password)
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	a, err := app.Open(ctx, cfg, log, app.Options{})
	if err != nil {
		return err
	}
	defer a.Close()
	return serve(ctx, a, web.Options{Demo: true}, func(addr string) {
		fmt.Fprintf(stdout, "\ndetente demo — fictitious data: %d States participating, %d points of contact (ready in %s)\n",
			res.Participating, res.POCs, time.Since(start).Round(time.Millisecond))
		fmt.Fprintf(stdout, "Data: %s\n\n  Open   http://%s/\n\n  Password for every account below: %s\n\n", filepath.Dir(cfg.Database), addr, res.Password)
		for _, l := range res.Logins {
			state := ""
			if l.State != "" {
				state = " of " + l.State
			}
			fmt.Fprintf(stdout, "  %-34s %s%s\n", l.Email, l.Role.Label(), state)
		}
		fmt.Fprint(stdout, "\nSecretariat and State administrators set up a second factor at first sign-in.\n"+
			"The page shows a secret; \"detente totp-code SECRET\" prints the current code if you have no authenticator app.\n"+
			"Press Ctrl+C to stop.\n\n")
	})
}

// demoPassword is random per run, so a demo left running is not open to
// anyone who has read the README.
func demoPassword() string {
	const alphabet = "abcdefghijkmnpqrstuvwxyz23456789"
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return fmt.Sprintf("demo-%s-%s-%s", b[:4], b[4:8], b[8:12])
}
