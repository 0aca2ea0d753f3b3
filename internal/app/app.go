// Package app wires the runtime dependencies (database, clock, logger) into
// the services, once, so every edge (web, API, CLI) shares the same ones.
package app

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/capacity"
	"github.com/detente/detente/internal/catalog"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/exercise"
	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/incident"
	"github.com/detente/detente/internal/incidentstix"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/mail"
	"github.com/detente/detente/internal/meeting"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/notify"
	"github.com/detente/detente/internal/profile"
	"github.com/detente/detente/internal/scenario"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/survey"
	"github.com/detente/detente/internal/taxii"
	"github.com/detente/detente/internal/webhook"
)

// App is the running system without its network listeners.
type App struct {
	Config    config.Config
	Log       *slog.Logger
	Clock     clock.Clock
	DB        *store.DB
	Audit     *audit.Log
	Sealer    *audit.Sealer // links audit entries into the chain; runs with RunWorkers
	Access    *access.Service
	Directory *directory.Service
	Messaging *messaging.Service
	Catalog   *catalog.Catalog
	// Text is every message people read, in the six UN languages; loaded
	// once and shared by the pages, the API and the mails.
	Text   *i18n.Catalogue
	Checks *checks.Service
	TAXII  *taxii.Service // STIX 2.1 collections served at /taxii2/
	// IncidentsSTIX turns incidents into STIX 2.1 bundles and back.
	IncidentsSTIX *incidentstix.Service
	Incidents     *incident.Service
	Meetings      *meeting.Service
	Profiles      *profile.Service
	Capacity      *capacity.Service // capacity-building needs, offers and partnerships (CBM 5)
	Survey        *survey.Service   // the national survey: cycles and reports
	Scenarios     *scenario.Service
	Exercises     *exercise.Service // runs of scenarios, their clock, deliveries and reports
	Library       *library.Service  // the policy library (CBM 7, 8)
	Webhooks      *webhook.Service
	Jobs          *jobs.Queue // run with RunWorkers
	// Sys holds the domains' System sides: what the workers, the start-up
	// and the console use, acting for no one. Edges never get it: they
	// are given Services.
	Sys Systems

	relay *mail.SMTP // the relay of the configuration, whose connections Close ends
}

// Systems are the domains' sides that take no actor.
type Systems struct {
	Access    *access.System
	Directory *directory.System
	Messaging *messaging.System
	Checks    *checks.System
	Scenarios *scenario.System
}

// Services is what the web pages and the API are given: the services that
// act for a signed-in person (every method that changes or reveals
// something takes the actor and checks it), and the settings, clock and
// logger. It holds no System side, no database and no job queue, so an edge
// cannot do what only the system may.
type Services struct {
	Config        config.Config
	Log           *slog.Logger
	Clock         clock.Clock
	Audit         *audit.Log
	Access        *access.Service
	Directory     *directory.Service
	Messaging     *messaging.Service
	Catalog       *catalog.Catalog
	Text          *i18n.Catalogue // the messages in the six languages
	Checks        *checks.Service
	TAXII         *taxii.Service
	IncidentsSTIX *incidentstix.Service
	Incidents     *incident.Service
	Meetings      *meeting.Service
	Profiles      *profile.Service
	Capacity      *capacity.Service
	Survey        *survey.Service
	Scenarios     *scenario.Service
	Exercises     *exercise.Service // runs of scenarios, their clock, deliveries and reports
	Library       *library.Service
	Webhooks      *webhook.Service
}

// Services returns what the edges are given.
func (a *App) Services() Services {
	return Services{Config: a.Config, Log: a.Log, Clock: a.Clock, Audit: a.Audit, Access: a.Access, Directory: a.Directory,
		Messaging: a.Messaging, Catalog: a.Catalog, Text: a.Text, Checks: a.Checks, TAXII: a.TAXII, Incidents: a.Incidents, IncidentsSTIX: a.IncidentsSTIX, Meetings: a.Meetings, Webhooks: a.Webhooks,
		Profiles: a.Profiles, Capacity: a.Capacity, Scenarios: a.Scenarios, Exercises: a.Exercises,
		Survey: a.Survey, Library: a.Library}
}

// Options override parts of the wiring, for tests and the demo.
type Options struct {
	Clock  clock.Clock
	Argon2 *access.Argon2 // cheaper hashing in tests
	Mail   mail.Sender    // replaces the SMTP relay of the configuration
	Jobs   jobs.Options
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
	// A message asked for wrongly still shows (in English, or with its
	// placeholder); the log says which, for the tests to have missed.
	text, err := i18n.Load(i18n.ReportMisuse(func(err error) { log.Warn("translation", "err", err) }))
	if err != nil {
		db.Close()
		return nil, err
	}
	a := &App{Config: cfg, Log: log, Clock: c, DB: db, Catalog: cat, Text: text}
	a.Audit = audit.New(db, c)
	a.Sealer = audit.NewSealer(a.Audit, audit.SealConfig{Key: cfg.AuditKey, Log: log})
	acfg := access.DefaultConfig()
	acfg.SessionTTL, acfg.SessionIdle = cfg.SessionTTL, cfg.SessionIdle
	if opt.Argon2 != nil {
		acfg.Argon2 = *opt.Argon2
	}
	acfg.BaseURL, acfg.MailFrom, acfg.Text = cfg.BaseURL, cfg.MailFrom, text
	// Reset links go by mail only where mail can leave; otherwise the
	// administrator is given the link to hand over.
	if opt.Mail != nil || cfg.SMTPHost != "" {
		acfg.Outbox = outbox{from: cfg.MailFrom}
	}
	a.Access = access.New(db, a.Audit, c, acfg)
	a.Sys.Access = access.NewSystem(a.Access)
	a.Directory = directory.New(db, a.Audit, c, directory.Config{StaleAfter: cfg.StaleAfter}, a.Sys.Access)
	a.Sys.Directory = directory.NewSystem(a.Directory)
	if err := a.Directory.SyncStates(ctx); err != nil {
		db.Close()
		return nil, err
	}
	a.TAXII = taxii.New(db, a.Audit, c, a.Directory, taxii.DefaultConfig())
	mcfg := messaging.DefaultConfig()
	for u, d := range cfg.Deadlines {
		mcfg.Deadlines[messaging.Urgency(u)] = messaging.Deadline{Acknowledge: d.Acknowledge, Respond: d.Respond}
	}
	mcfg.Attachments = messaging.AttachmentLimits{MaxFileBytes: cfg.AttachmentMaxFile, MaxTotalBytes: cfg.AttachmentMaxTotal, MaxCount: cfg.AttachmentMaxCount}
	a.Jobs = jobs.NewQueue(db, c, log, opt.Jobs)
	a.Webhooks, err = webhook.New(db, a.Audit, c, log, webhook.Config{BaseURL: cfg.BaseURL, Key: cfg.WebhookKey, AllowPrivate: cfg.WebhookAllowPrivate})
	if err != nil {
		db.Close()
		return nil, err
	}
	if !a.Webhooks.EncryptsSecrets() {
		log.Info("webhook signing secrets are stored unencrypted; set DETENTE_WEBHOOK_KEY to encrypt them")
	}
	a.Webhooks.Register(a.Jobs)
	var msgSystem *messaging.System
	a.Messaging, msgSystem = messaging.New(db, a.Audit, c, cat, mcfg, a.Sys.Directory, a.Sys.Access, a.Webhooks)
	if err := a.Messaging.SyncTemplates(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if n, err := a.Messaging.IndexForSearch(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		log.Info("indexed communications for search", "count", n)
	}
	sender := opt.Mail
	switch {
	case sender != nil:
	case cfg.SMTPHost != "":
		a.relay = &mail.SMTP{Host: cfg.SMTPHost, Port: cfg.SMTPPort, Username: cfg.SMTPUsername, Password: cfg.SMTPPassword, TLS: mail.TLSMode(cfg.SMTPTLS)}
		sender = a.relay
	default:
		log.Warn("no SMTP relay configured: notifications are logged, not sent")
		sender = notify.Discard{Log: log}
	}
	// Each service is built with everything it needs, in an order the
	// dependencies fix: the workers' System sides first, the notifier on
	// them, then the checks that send through the notifier.
	a.Sys.Messaging, a.Sys.Checks = msgSystem, checks.NewSystem(db, c)
	notifier := notify.New(db, c, log, a.Sys.Messaging, a.Sys.Directory, a.Sys.Checks, sender, text, notify.Config{From: cfg.MailFrom, BaseURL: cfg.BaseURL})
	notifier.Register(a.Jobs)
	a.Sys.Messaging.Register(a.Jobs)
	a.Checks = checks.New(db, a.Audit, c, a.Directory, a.Sys.Directory, checks.Config{}, notifier, a.Webhooks)
	a.Checks.Register(a.Jobs)
	a.Incidents = incident.New(db, a.Audit, c, cat, a.Sys.Directory, a.Sys.Access, a.Messaging)
	a.IncidentsSTIX = incidentstix.New(a.Incidents, a.Messaging, a.TAXII)
	a.Capacity = capacity.New(db, a.Audit, c, cat, a.Sys.Directory)
	a.Library = library.New(db, a.Audit, c, cat, a.Sys.Directory, mcfg.Attachments)
	// A profile shows what the other domains make known, through them.
	a.Survey = survey.New(db, a.Audit, c, cat, a.Sys.Directory)
	survey.NewSystem(a.Survey, a.Sys.Access, notifier).Register(a.Jobs)
	a.Profiles = profile.New(a.Directory, cat, profile.Sources{Partnerships: profilePartnerships{a.Capacity},
		Reports: profileReports{a.Survey}, Documents: profileDocuments{a.Library}})
	a.Scenarios = scenario.New(db, a.Audit, c, cat, a.Sys.Directory, a.Messaging)
	a.Sys.Scenarios = scenario.NewSystem(a.Scenarios)
	if n, err := a.Sys.Scenarios.InstallShipped(ctx); err != nil {
		db.Close()
		return nil, err
	} else if n > 0 {
		log.Info("installed the scenarios that ship with the product", "count", n)
	}
	a.Exercises = exercise.New(db, a.Audit, c, a.Scenarios, a.Sys.Directory, notifier, exercise.Config{BaseURL: cfg.BaseURL, From: cfg.MailFrom})
	a.Exercises.Register(a.Jobs)
	// A person's calendar feed lists the runs it plays beside its meetings.
	a.Meetings = meeting.New(db, a.Audit, c, cat, a.Sys.Directory, a.Sys.Access, notifier,
		meeting.Config{BaseURL: cfg.BaseURL, Files: mcfg.Attachments, Feeds: []meeting.FeedSource{a.Exercises}})
	a.Meetings.Register(a.Jobs)
	return a, nil
}

// outbox queues the access service's mails as the notifier's mail jobs.
type outbox struct{ from string }

func (o outbox) Mail(ctx context.Context, tx *sql.Tx, now time.Time, to []string, raw []byte, dedupe string) error {
	_, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: notify.JobMail, DedupeKey: dedupe, Payload: notify.MailJob{From: o.from, To: to, Raw: raw}})
	return err
}

// RunWorkers performs queued jobs until ctx ends, then waits for the ones
// in flight. Every instance runs workers; leases keep them from doing a
// job twice.
func (a *App) RunWorkers(ctx context.Context) {
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.Sealer.Run(ctx, sealEvery)
	}()
	wg.Add(1)
	go func() {
		defer wg.Done()
		a.purgeSignIns(ctx)
	}()
	a.Jobs.Run(ctx)
	wg.Wait()
}

// purgeSignIns drops ended sessions, aged-out throttle counts and spent
// reset links now and then; every instance may, the deletes are idempotent.
func (a *App) purgeSignIns(ctx context.Context) {
	t := time.NewTicker(purgeEvery)
	defer t.Stop()
	for {
		if err := a.Sys.Access.PurgeExpired(ctx); err != nil && ctx.Err() == nil {
			a.Log.Warn("purging sessions and sign-in counts", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

const purgeEvery = 10 * time.Minute

// sealEvery is how often the sealer looks for new audit entries: often
// enough that the audit page rarely shows one waiting.
const sealEvery = 200 * time.Millisecond

// Close releases the SMTP relay's idle connections and the database. A
// sender given in Options.Mail stays its owner's to close.
func (a *App) Close() error {
	// A command that wrote audit entries and exits seals them, as a
	// server's sealer would have.
	if _, err := a.Sealer.Flush(context.Background()); err != nil {
		a.Log.Warn("sealing the audit log on close", "err", err)
	}
	if a.relay != nil {
		_ = a.relay.Close()
	}
	return a.DB.Close()
}
