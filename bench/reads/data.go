package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/detente/detente/bench/internal/dataset"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/demo"
	"github.com/detente/detente/internal/mail"
)

// password is every demo account's, as it is every dataset account's.
const password = dataset.Password

// cheapHash keeps sign-ins fast: the bench measures reads, not argon2id.
var cheapHash = dataset.Argon2

// openData opens the app over the data a run asks for: the demo seeded
// afresh on SQLite, or a cached dataset of a scale on either engine.
func openData(ctx context.Context, o Options, progress io.Writer) (*app.App, cast, string, func(), error) {
	if o.Engine == "" {
		o.Engine = dataset.SQLite
	}
	if o.Scale <= 0 {
		if o.Engine != dataset.SQLite {
			return nil, cast{}, "", nil, fmt.Errorf("-engine %s needs a -scale: the demo is seeded on SQLite only", o.Engine)
		}
		fmt.Fprintln(progress, "seeding the demo data…")
		a, desc, done, err := openDemo(ctx)
		return a, demoCast, desc, done, err
	}
	fmt.Fprintf(progress, "opening the scale %s dataset on %s (built first if not cached: this can take long)…\n", dataset.ScaleName(o.Scale), o.Engine)
	start := time.Now()
	ds, err := dataset.Open(ctx, dataset.Options{Engine: o.Engine, DSN: o.DSN, Scale: o.Scale, CacheDir: o.CacheDir, Progress: progress})
	if err != nil {
		return nil, cast{}, "", nil, err
	}
	a, err := ds.App(ctx, nil)
	if err != nil {
		return nil, cast{}, "", nil, err
	}
	n := ds.Counts
	how := "cached"
	if ds.Built {
		how = fmt.Sprintf("built in %s", time.Since(start).Round(time.Second))
	}
	desc := fmt.Sprintf("dataset scale %s on %s (%s): %d States participating, %d POCs, %d accounts, %d communications, %d challenges, %d audit entries; "+
		"beyond the demo's, %d survey reports, %d library documents, %d capacity needs, %d offers, %d partnerships, %d exercise runs",
		dataset.ScaleName(o.Scale), o.Engine, how, n.Participating, n.POCs, n.Accounts, n.Messages, n.Challenges, n.AuditEntries,
		n.Reports, n.Documents, n.Needs, n.Offers, n.Partnerships, n.Runs)
	c := cast{poc: ds.Logins.POC, secretariat: ds.Logins.Secretariat, secretariatTOTP: ds.Logins.SecretariatTOTP,
		state: ds.Samples.State, thread: ds.Samples.ThreadID, check: ds.Samples.CheckID, search: ds.Samples.SearchWord, library: ds.Samples.LibraryWord}
	return a, c, desc, func() { a.Close() }, nil
}

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
