// Package app wires the runtime dependencies (database, clock, logger) into
// the services, once, so every edge (web, API, CLI) shares the same ones.
package app

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/store"
)

// App is the running system without its network listeners.
type App struct {
	Config    config.Config
	Log       *slog.Logger
	Clock     clock.Clock
	DB        *store.DB
	Audit     *audit.Log
	Access    *access.Service
	Directory *directory.Service
	Messaging *messaging.Service
	Catalog   *catalog.Catalog
}

// Options override parts of the wiring, for tests and the demo.
type Options struct {
	Clock  clock.Clock
	Argon2 *access.Argon2 // cheaper hashing in tests
}

// Open connects to the database, migrates it, refreshes reference data and
// builds the services.
func Open(ctx context.Context, cfg config.Config, log *slog.Logger, opt Options) (*App, error) {
	c := opt.Clock
	if c == nil {
		c = clock.System{}
	}
	db, err := store.Open(ctx, cfg.Database)
	if err != nil {
		return nil, err
	}
	applied, err := db.Migrate(ctx)
	if err != nil {
		db.Close()
		return nil, err
	}
	for _, m := range applied {
		log.Info("migration applied", "name", m, "engine", db.Engine)
	}
	cat, err := catalog.New()
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("catalogue: %w", err)
	}
	a := &App{Config: cfg, Log: log, Clock: c, DB: db, Catalog: cat}
	a.Audit = audit.New(db, c)
	acfg := access.DefaultConfig()
	acfg.SessionTTL, acfg.SessionIdle = cfg.SessionTTL, cfg.SessionIdle
	if opt.Argon2 != nil {
		acfg.Argon2 = *opt.Argon2
	}
	a.Access = access.New(db, a.Audit, c, acfg)
	a.Directory = directory.New(db, a.Audit, c, directory.Config{StaleAfter: cfg.StaleAfter})
	if err := a.Directory.SyncStates(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.Messaging = messaging.New(db, a.Audit, c, cat, messaging.DefaultConfig())
	if err := a.Messaging.SyncTemplates(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.DB.Close() }
