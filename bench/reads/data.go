package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/demo"
	"github.com/detente/detente/internal/mail"
)

// password is every demo account's.
const password = "bench-password-1234"

// cheapHash keeps sign-ins fast: the bench measures reads, not argon2id.
var cheapHash = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}

// openDemo seeds the demo data into a fresh SQLite database in a temporary
// directory and opens the app over it on the system clock.
func openDemo(ctx context.Context) (*app.App, string, func(), error) {
	dir, err := os.MkdirTemp("", "detente-reads-")
	if err != nil {
		return nil, "", nil, err
	}
	cfg, err := config.Parse("bench", []string{"-data", dir}, func(string) string { return "" }, io.Discard)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	open := func(c clock.Clock, m mail.Sender) (*app.App, error) {
		h := cheapHash
		return app.Open(ctx, cfg, log, app.Options{Clock: c, Argon2: &h, Mail: m})
	}
	seeded, err := demo.Seed(ctx, open, time.Now().UTC(), password)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	a, err := open(clock.System{}, nil)
	if err != nil {
		os.RemoveAll(dir)
		return nil, "", nil, err
	}
	desc := fmt.Sprintf("demo data on SQLite: %d States participating, %d POCs", seeded.Participating, seeded.POCs)
	return a, desc, func() { a.Close(); os.RemoveAll(dir) }, nil
}
