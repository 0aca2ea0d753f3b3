// Package dataset builds databases of a chosen size for the benchmarks,
// through the real services, and keeps them between runs.
//
// Scale 1 is the demo (internal/demo) plus one unit of traffic; scale s
// holds s times every volume: 420 points of contact, 13 accounts, 1,000
// communications with their deliveries, one communication check over every
// POC, 10,000 audit entries, 30 survey reports (until every participating
// State has answered both of the demo's cycles), 120 library documents,
// 16 capacity-building offers, 24 needs, 6 partnerships and 2 finished
// exercise runs per unit. Everything is written by the services a person
// or a worker would call (app.Open, Directory, Access, Messaging, Checks,
// Survey, Library, Capacity, Exercises, the job queue and the audit log's
// Append), with a clock that the generation moves, so the data looks like
// years of use.
//
// A built database is cached: a SQLite file under the cache directory, or a
// PostgreSQL database on the server of the given URL, named after the scale
// and a fingerprint of the generator. A database is marked complete only
// once the generation finished, so one cut short is never reused.
package dataset

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for the maintenance database

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/config"
	"github.com/detente/detente/internal/mail"
)

// Version changes whenever the generator writes different data, so that
// caches built by an older generator are rebuilt rather than reused.
const Version = "5"

// Per scale unit.
const (
	UnitPOCs     = 420
	UnitAccounts = 13
	UnitMessages = 1000
	UnitAudit    = 10000

	UnitReports      = 30
	UnitDocuments    = 120
	UnitOffers       = 16
	UnitNeeds        = 24
	UnitPartnerships = 6
	UnitRuns         = 2
)

// Password is every generated account's password.
const Password = "bench-password-1234"

// Now is the generated data's "today": fixed, so a database means the same
// thing whenever it was built.
var Now = time.Date(2026, 11, 30, 12, 0, 0, 0, time.UTC)

// Argon2 is the cheap password hashing every app over a dataset must use.
var Argon2 = access.Argon2{MemoryKiB: 1024, Time: 1, Threads: 1}

// Engines names the two databases a dataset can live in.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

// Options say which dataset to open and where.
type Options struct {
	Engine   string  // SQLite or Postgres
	DSN      string  // PostgreSQL server URL; a database per dataset is created on it
	Scale    float64 // 1 is the demo's size
	CacheDir string  // SQLite files; default DefaultCacheDir()
	Rebuild  bool    // build again even if a complete copy exists
	Workers  int     // concurrent service calls while building; default 8 on PostgreSQL, 2 on SQLite
	Progress io.Writer
}

// Logins are the accounts a benchmark signs in as (all with Password).
type Logins struct {
	Secretariat     string
	SecretariatTOTP string // the secretariat's enrolled second-factor secret
	StateAdmin      string // France's focal point
	POC             string // France's CERT duty officer
	Viewer          string // France's policy analyst
}

// Counts are what the generation says it wrote.
type Counts struct {
	Participating int
	POCs          int
	Accounts      int
	Messages      int
	Deliveries    int
	Challenges    int
	AuditEntries  int
	Reports       int // survey reports the build added to the demo's
	Documents     int // library documents the build added
	Offers        int // capacity-building offers the build added
	Needs         int
	Partnerships  int
	Runs          int // finished exercise runs the build added
}

// Samples are objects worth visiting, found while building.
type Samples struct {
	State         string // the POC login's State
	ThreadID      string // a long thread France is party to, below RED
	CheckID       string // the largest communication check
	SearchWord    string // occurs in many communications
	DirectoryWord string // occurs in many POC entries
	LibraryWord   string // occurs in the text of many library documents
}

// MethodStat is the time the build spent in one service method.
type MethodStat struct {
	Method string
	Calls  int
	Total  time.Duration // summed over concurrent calls
}

// Meta describes a complete dataset; it is stored beside the data.
type Meta struct {
	Fingerprint string
	Engine      string
	Scale       float64
	Now         time.Time
	Logins      Logins
	Counts      Counts
	Samples     Samples
	Build       time.Duration
	Methods     []MethodStat
}

// Target is what a scale asks for.
type Target struct {
	POCs, Accounts, Messages, Audit                       int
	Reports, Documents, Offers, Needs, Partnerships, Runs int
}

// TargetFor returns the volumes of scale s; a tiny scale still asks for
// one of each item of the survey, library, capacity and exercise domains.
func TargetFor(s float64) Target {
	n := func(unit int) int { return int(float64(unit)*s + 0.5) }
	return Target{POCs: n(UnitPOCs), Accounts: n(UnitAccounts), Messages: n(UnitMessages), Audit: n(UnitAudit),
		Reports: atLeastOne(n(UnitReports)), Documents: atLeastOne(n(UnitDocuments)), Offers: atLeastOne(n(UnitOffers)), Needs: atLeastOne(n(UnitNeeds)),
		Partnerships: atLeastOne(n(UnitPartnerships)), Runs: atLeastOne(n(UnitRuns))}
}

// Dataset is a complete database of one scale.
type Dataset struct {
	Meta
	DSN   string // where the data is: a SQLite path or a PostgreSQL URL
	Built bool   // built by this Open rather than reused
	dir   string
}

// Fingerprint names the generator and the scale.
func Fingerprint(scale float64) string {
	h := sha256.Sum256(fmt.Appendf(nil, "v%s|%s|%s|%d/%d/%d/%d|%d/%d/%d/%d/%d/%d|%s", Version, ScaleName(scale), Now.Format(time.RFC3339),
		UnitPOCs, UnitAccounts, UnitMessages, UnitAudit, UnitReports, UnitDocuments, UnitOffers, UnitNeeds, UnitPartnerships, UnitRuns, Password))
	return hex.EncodeToString(h[:4])
}

// ScaleName writes a scale for names and tables: 100, 10, 0.05.
func ScaleName(s float64) string { return strconv.FormatFloat(s, 'f', -1, 64) }

// DefaultCacheDir is $XDG_CACHE_HOME/detente-bench, or the system's user
// cache directory, or a directory under the temporary one.
func DefaultCacheDir() string {
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "detente-bench")
	}
	return filepath.Join(os.TempDir(), "detente-bench")
}

// Open returns the dataset of o.Scale on o.Engine, building it first if no
// complete copy exists (or o.Rebuild).
func Open(ctx context.Context, o Options) (*Dataset, error) {
	if o.Scale <= 0 {
		return nil, errors.New("dataset: the scale must be above 0")
	}
	if o.CacheDir == "" {
		o.CacheDir = DefaultCacheDir()
	}
	if err := os.MkdirAll(o.CacheDir, 0o700); err != nil {
		return nil, err
	}
	if o.Progress == nil {
		o.Progress = io.Discard
	}
	if o.Workers <= 0 {
		o.Workers = 2
		if o.Engine == Postgres {
			o.Workers = 8
		}
	}
	c, fp, err := cacheOf(o)
	if err != nil {
		return nil, err
	}
	d := &Dataset{dir: o.CacheDir}
	if !o.Rebuild {
		meta, dsn, ok, err := c.find(ctx)
		if err != nil {
			return nil, err
		}
		if ok && meta.Fingerprint == fp {
			d.Meta, d.DSN = meta, dsn
			return d, nil
		}
	}
	dsn, err := c.start(ctx)
	if err != nil {
		return nil, err
	}
	d.DSN = dsn
	start := time.Now()
	meta, err := build(ctx, o, d.opener(buildDSN(o.Engine, dsn)))
	if err != nil {
		return nil, fmt.Errorf("dataset: building scale %s on %s: %w", ScaleName(o.Scale), o.Engine, err)
	}
	meta.Fingerprint, meta.Engine, meta.Scale, meta.Now = fp, o.Engine, o.Scale, Now
	meta.Build = time.Since(start)
	if d.DSN, err = c.finish(ctx, meta); err != nil {
		return nil, err
	}
	d.Meta, d.Built = meta, true
	return d, nil
}

// buildDSN is where the build writes: on PostgreSQL its sessions commit
// without waiting for the disk, which makes the hundreds of thousands of
// one-change transactions the services write several times quicker and
// changes nothing in the data. The timed app keeps the server's setting.
func buildDSN(engine, dsn string) string {
	if engine != Postgres {
		return dsn
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set("synchronous_commit", "off")
	u.RawQuery = q.Encode()
	return u.String()
}

// Remove deletes the cached copy of o's dataset, complete or not.
func Remove(ctx context.Context, o Options) error {
	c, _, err := cacheOf(o)
	if err != nil {
		return err
	}
	switch c := c.(type) {
	case pgCache:
		return errors.Join(c.drop(ctx, c.name), c.drop(ctx, c.building()))
	case sqliteCache:
		return c.clear()
	}
	return nil
}

// cacheOf returns where o's dataset is kept, and its fingerprint.
func cacheOf(o Options) (cache, string, error) {
	if o.CacheDir == "" {
		o.CacheDir = DefaultCacheDir()
	}
	fp := Fingerprint(o.Scale)
	name := "s" + strings.ReplaceAll(ScaleName(o.Scale), ".", "p") + "_" + fp
	switch o.Engine {
	case SQLite:
		return sqliteCache{path: filepath.Join(o.CacheDir, "detente-"+name+".db")}, fp, nil
	case Postgres:
		if o.DSN == "" {
			return nil, "", errors.New("dataset: PostgreSQL needs the server's URL")
		}
		u, err := url.Parse(o.DSN)
		if err != nil {
			return nil, "", fmt.Errorf("dataset: PostgreSQL URL: %w", err)
		}
		return pgCache{server: u, name: "detente_bench_" + name}, fp, nil
	}
	return nil, "", fmt.Errorf("dataset: engine %q: use %s or %s", o.Engine, SQLite, Postgres)
}

// App opens the application over the dataset with clock c (nil: the real
// clock), no mail leaving, and the cheap password hashing of the build.
// The caller closes it.
func (d *Dataset) App(ctx context.Context, c clock.Clock) (*app.App, error) {
	if c == nil {
		c = clock.System{}
	}
	return d.opener(d.DSN)(ctx, c, nil)
}

type opener func(ctx context.Context, c clock.Clock, m mail.Sender) (*app.App, error)

func (d *Dataset) opener(dsn string) opener {
	return func(ctx context.Context, c clock.Clock, m mail.Sender) (*app.App, error) {
		cfg, err := config.Parse("bench", []string{"-data", d.dir, "-database", dsn}, func(string) string { return "" }, io.Discard)
		if err != nil {
			return nil, err
		}
		log := slog.New(slog.NewTextHandler(io.Discard, nil))
		if m == nil {
			m = discard{}
		}
		return app.Open(ctx, cfg, log, app.Options{Clock: c, Argon2: &Argon2, Mail: m})
	}
}

// discard is a mail relay that accepts everything and keeps nothing.
type discard struct{}

func (discard) Send(context.Context, string, []string, []byte) error { return nil }

// cache is where complete datasets are kept.
type cache interface {
	// find returns the complete dataset's description and location.
	find(ctx context.Context) (Meta, string, bool, error)
	// start clears any earlier copy and returns where to build.
	start(ctx context.Context) (string, error)
	// finish marks the built copy complete and returns where it now is.
	finish(ctx context.Context, m Meta) (string, error)
}

// sqliteCache keeps a file and its description beside it; the file gets its
// name only once complete.
type sqliteCache struct{ path string }

func (c sqliteCache) building() string { return c.path + ".building" }
func (c sqliteCache) metaPath() string { return strings.TrimSuffix(c.path, ".db") + ".json" }

func (c sqliteCache) find(context.Context) (Meta, string, bool, error) {
	var m Meta
	if _, err := os.Stat(c.path); err != nil {
		return m, "", false, nil
	}
	b, err := os.ReadFile(c.metaPath())
	if err != nil {
		return m, "", false, nil
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, "", false, nil
	}
	return m, c.path, true, nil
}

func (c sqliteCache) start(context.Context) (string, error) { return c.building(), c.clear() }

// clear removes the file, its description and any copy half-built.
func (c sqliteCache) clear() error {
	for _, p := range []string{c.path, c.metaPath(), c.building()} {
		for _, suffix := range []string{"", "-wal", "-shm"} {
			if err := os.Remove(p + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
		}
	}
	return nil
}

func (c sqliteCache) finish(_ context.Context, m Meta) (string, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return "", err
	}
	if err := os.WriteFile(c.metaPath(), b, 0o600); err != nil {
		return "", err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(c.building() + suffix); err == nil {
			if err := os.Rename(c.building()+suffix, c.path+suffix); err != nil {
				return "", err
			}
		}
	}
	return c.path, os.Rename(c.building(), c.path)
}

// pgCache keeps a database on the server, described by its comment; it is
// built under a provisional name and renamed once complete.
type pgCache struct {
	server *url.URL
	name   string
}

func (c pgCache) building() string { return c.name + "_building" }

func (c pgCache) url(db string) string {
	u := *c.server
	u.Path = "/" + db
	return u.String()
}

func (c pgCache) admin() (*sql.DB, error) { return sql.Open("pgx", c.url("postgres")) }

func (c pgCache) find(ctx context.Context) (Meta, string, bool, error) {
	var m Meta
	db, err := c.admin()
	if err != nil {
		return m, "", false, err
	}
	defer db.Close()
	var comment sql.NullString
	err = db.QueryRowContext(ctx, `SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = $1`, c.name).Scan(&comment)
	if errors.Is(err, sql.ErrNoRows) {
		return m, "", false, nil
	}
	if err != nil {
		return m, "", false, fmt.Errorf("dataset: look for %s: %w", c.name, err)
	}
	if !comment.Valid || json.Unmarshal([]byte(comment.String), &m) != nil {
		return m, "", false, nil
	}
	return m, c.url(c.name), true, nil
}

func (c pgCache) start(ctx context.Context) (string, error) {
	db, err := c.admin()
	if err != nil {
		return "", err
	}
	defer db.Close()
	for _, name := range []string{c.name, c.building()} {
		if err := c.drop(ctx, name); err != nil {
			return "", err
		}
	}
	if _, err := db.ExecContext(ctx, `CREATE DATABASE `+c.building()); err != nil {
		return "", fmt.Errorf("dataset: create %s: %w", c.building(), err)
	}
	return c.url(c.building()), nil
}

// drop removes database name, ending its connections.
func (c pgCache) drop(ctx context.Context, name string) error {
	db, err := c.admin()
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `DROP DATABASE IF EXISTS `+name+` WITH (FORCE)`); err != nil {
		return fmt.Errorf("dataset: drop %s: %w", name, err)
	}
	return nil
}

func (c pgCache) finish(ctx context.Context, m Meta) (string, error) {
	b, err := json.Marshal(m)
	if err != nil {
		return "", err
	}
	// The statistics a server's autovacuum gathers after such a load, even
	// where it is turned off: without them the planner guesses row counts
	// from empty tables, and the timings would be of plans no server runs.
	built, err := sql.Open("pgx", c.url(c.building()))
	if err != nil {
		return "", err
	}
	_, err = built.ExecContext(ctx, `ANALYZE`)
	built.Close()
	if err != nil {
		return "", fmt.Errorf("dataset: analyze %s: %w", c.building(), err)
	}
	db, err := c.admin()
	if err != nil {
		return "", err
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `COMMENT ON DATABASE `+c.building()+` IS `+quote(string(b))); err != nil {
		return "", fmt.Errorf("dataset: describe %s: %w", c.building(), err)
	}
	if _, err := db.ExecContext(ctx, `ALTER DATABASE `+c.building()+` RENAME TO `+c.name); err != nil {
		return "", fmt.Errorf("dataset: rename %s: %w", c.building(), err)
	}
	return c.url(c.name), nil
}

// quote writes s as an SQL string literal (COMMENT takes no parameter).
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
