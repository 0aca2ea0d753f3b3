package storetest

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/detente/detente/internal/store"
)

// OpenCounting returns a migrated, empty database whose read pool counts
// the statements it runs, for tests that hold a page's cost fixed however
// many rows there are.
func OpenCounting(t testing.TB, engine store.Engine) (*store.DB, *atomic.Int64) {
	t.Helper()
	dsn := DSN(t, engine)
	db, err := store.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	return db, CountReads(t, db, dsn)
}

// CountReads gives db, opened on dsn, a reading pool of its own that
// counts the statements it runs, for a test that builds the whole
// application on a database and then holds a page's cost fixed. On SQLite,
// reads kept prepared before the call stay on the old pool, uncounted.
func CountReads(t testing.TB, db *store.DB, dsn string) *atomic.Int64 {
	t.Helper()
	if db.Engine == store.SQLite {
		dsn = "file:" + filepath.ToSlash(dsn) + "?_pragma=busy_timeout(10000)"
	}
	n := new(atomic.Int64)
	r := sql.OpenDB(counting{drv: db.R.Driver(), dsn: dsn, n: n})
	old := db.R
	t.Cleanup(func() { r.Close(); old.Close() })
	db.R = r
	return n
}

type counting struct {
	drv driver.Driver
	dsn string
	n   *atomic.Int64
}

func (c counting) Connect(context.Context) (driver.Conn, error) {
	conn, err := c.drv.Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return countingConn{conn, c.n}, nil
}

func (c counting) Driver() driver.Driver { return c.drv }

type countingConn struct {
	driver.Conn
	n *atomic.Int64
}

func (c countingConn) QueryContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Rows, error) {
	c.n.Add(1)
	return c.Conn.(driver.QueryerContext).QueryContext(ctx, q, args)
}

func (c countingConn) ExecContext(ctx context.Context, q string, args []driver.NamedValue) (driver.Result, error) {
	c.n.Add(1)
	return c.Conn.(driver.ExecerContext).ExecContext(ctx, q, args)
}

func (c countingConn) CheckNamedValue(v *driver.NamedValue) error {
	if ch, ok := c.Conn.(driver.NamedValueChecker); ok {
		return ch.CheckNamedValue(v)
	}
	return driver.ErrSkip
}
