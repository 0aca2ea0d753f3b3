// Package store opens the database (embedded SQLite or PostgreSQL), runs the
// embedded migrations and provides the transaction helper every service uses.
// The SQL is written once with $N placeholders; Engine says where the two
// engines differ.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Engine names the database engine behind a DB.
type Engine string

const (
	SQLite   Engine = "sqlite"
	Postgres Engine = "postgres"
)

// DB holds the connection pools. SQLite gets a single-connection writer
// (SQLite allows one writer; queueing in Go beats busy-waiting in SQLite) and
// a separate pool of readers. PostgreSQL uses one pool for both.
type DB struct {
	Engine Engine
	W      *sql.DB // writes and transactions
	R      *sql.DB // reads outside transactions
	stmts  stmts   // reads kept prepared (Row, Rows)
	// versions are the version counters kept in memory (versions.go).
	versions *versions
}

// Open connects to dsn: a postgres:// or postgresql:// URL selects
// PostgreSQL; anything else is taken as the path of a SQLite file.
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	return openSQLite(ctx, dsn)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open postgres: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(20)
	db.SetMaxIdleConns(10)
	db.SetConnMaxIdleTime(5 * time.Minute)
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := db.PingContext(pctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect postgres: %w", err)
	}
	d := &DB{Engine: Postgres, W: db, R: db, versions: newVersions()}
	d.watchVersions(cfg)
	return d, nil
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("empty database path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
	}
	// busy_timeout goes first so that it applies while the other pragmas run.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	q.Set("_time_format", "sqlite")
	dsn := "file:" + path + "?" + q.Encode()
	w, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open sqlite: %w", err)
	}
	w.SetMaxOpenConns(1)
	w.SetConnMaxIdleTime(0)
	if err := w.PingContext(ctx); err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite %s: %w", path, err)
	}
	r, err := sql.Open("sqlite", dsn)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open sqlite readers: %w", err)
	}
	r.SetMaxOpenConns(8)
	// Keep every reader idle rather than Go's default two: reopening one
	// re-reads the schema, which showed as a quarter of the CPU of a burst
	// of check confirmations.
	r.SetMaxIdleConns(8)
	return &DB{Engine: SQLite, W: w, R: r, versions: newVersions()}, nil
}

// Close closes both pools.
func (db *DB) Close() error {
	db.stopVersions()
	db.stmts.close()
	err := db.W.Close()
	if db.R != db.W {
		err = errors.Join(err, db.R.Close())
	}
	return err
}

// Ping checks both pools: pages are read through the readers, so a
// server whose writer answers while its readers cannot is not ready.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.W.PingContext(ctx); err != nil {
		return err
	}
	if db.R != db.W {
		return db.R.PingContext(ctx)
	}
	return nil
}

// Queryer is what read helpers need: a *sql.DB or a *sql.Tx.
type Queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// Tx runs fn in one transaction: every use case is all or nothing. A panic
// or an error rolls back.
func (db *DB) Tx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.W.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			db.versions.settle(tx, false)
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
		db.versions.settle(tx, err == nil)
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// LockAuditChain takes the right to seal the audit chain for the rest of
// tx. With wait it waits for another holder; without, it reports whether it
// got it. SQLite has a single writer, so its transactions always may;
// PostgreSQL takes a transaction-scoped advisory lock, so two instances
// cannot fork the chain.
func (db *DB) LockAuditChain(ctx context.Context, tx *sql.Tx, wait bool) (bool, error) {
	if db.Engine != Postgres {
		return true, nil
	}
	if wait {
		_, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7157841, hashtext(current_schema()))`)
		return err == nil, err
	}
	var ok bool
	err := tx.QueryRowContext(ctx, `SELECT pg_try_advisory_xact_lock(7157841, hashtext(current_schema()))`).Scan(&ok)
	return ok, err
}

// IsUnique reports whether err is a unique-constraint violation.
func IsUnique(err error) bool {
	var pg *pgconn.PgError
	if errors.As(err, &pg) {
		return pg.Code == "23505"
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || se.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// Collect reads every row of rows with scan, then closes rows: the loop
// every list would otherwise write out.
func Collect[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error)) ([]T, error) {
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Each calls fn with each row's value as it is read, so that a result of
// any size is never held whole: an export streams this way. The
// connection stays busy until the last row, so fn should not wait on
// anything but its writer.
func Each[T any](rows *sql.Rows, scan func(*sql.Rows) (T, error), fn func(T) error) error {
	defer rows.Close()
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return err
		}
		if err := fn(v); err != nil {
			return err
		}
	}
	return rows.Err()
}

// NoRows reports whether err says a single-row query found nothing.
func NoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Values writes the VALUES list of a multi-row INSERT: rows groups of cols
// placeholders. PostgreSQL gets them numbered ($1, $2…); SQLite gets
// anonymous ones (?), because it takes $N for a name and finds each by a
// linear search while parsing and binding, which makes a statement's cost
// grow with the square of its parameters.
func Values(engine Engine, rows, cols int) string {
	var b strings.Builder
	b.Grow(rows * cols * 7)
	for r := range rows {
		if r > 0 {
			b.WriteString(", ")
		}
		b.WriteByte('(')
		for c := range cols {
			if c > 0 {
				b.WriteString(", ")
			}
			if engine == SQLite {
				b.WriteByte('?')
				continue
			}
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(r*cols + c + 1))
		}
		b.WriteByte(')')
	}
	return b.String()
}

// PlanPerRun marks the arguments of a read whose best plan depends on
// them, such as a full-text search: PostgreSQL then plans it for each
// run. The driver keeps statements prepared, and after five runs
// PostgreSQL may plan one once for any parameters; such a plan of a search
// behind the TLP condition took seconds where a plan for the words asked
// took milliseconds. Planning every statement each time instead made the
// short writes of a check's confirmations a quarter slower.
func (db *DB) PlanPerRun(args []any) []any {
	if db.Engine != Postgres {
		return args
	}
	return append([]any{pgx.QueryExecModeExec}, args...)
}

// Changed is the rows a statement changed; a driver that cannot tell
// counts as none.
func Changed(res sql.Result, err error) (int64, error) {
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// NullString stores an empty v as NULL.
func NullString(v string) any {
	if v == "" {
		return nil
	}
	return v
}

// NullTime stores a nil t as NULL.
func NullTime(t *time.Time) any {
	if t == nil {
		return nil
	}
	return *t
}
