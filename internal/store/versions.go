package store

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
)

// Version counters name data that pages render once and serve many times
// (the directory) or that every request reads (sessions): a change bumps
// its counter in its own transaction, and whoever keeps a copy drops it
// when the counter has moved.
//
// On PostgreSQL several instances share one database, and reading two
// counters on every request was half of a kept page's cost there. So each
// instance listens: a bump also sends a notification, delivered when its
// transaction commits, and a connection of the instance's own LISTENs and
// keeps the counters in memory. Version reads that memory, and the
// database whenever the connection is not listening (starting, or
// reconnecting after a failure): a copy is never trusted without a live
// listener. An instance sees its own bumps as its transaction commits
// (DB.Tx settles them); another instance's a notification later, within
// milliseconds. On SQLite, one process's file, Version reads the row.

// versionChannel carries the bumps; the payload names the schema, so that
// schemas sharing one database keep their counters apart.
const versionChannel = "detente_versions"

// Bump moves the version counter name on, inside tx: whatever was rendered
// from the data it names is out of date once tx commits, on every instance.
func (db *DB) Bump(ctx context.Context, tx *sql.Tx, name string) error {
	var n int64
	var err error
	if db.Engine == Postgres {
		err = tx.QueryRowContext(ctx, `WITH u AS (UPDATE versions SET n = n + 1 WHERE name = $1 RETURNING n)
			SELECT u.n FROM u, LATERAL (SELECT pg_notify('`+versionChannel+`', current_schema() || ' ' || $1 || ' ' || u.n)) AS sent`, name).Scan(&n)
	} else {
		err = tx.QueryRowContext(ctx, `UPDATE versions SET n = n + 1 WHERE name = $1 RETURNING n`, name).Scan(&n)
	}
	if NoRows(err) {
		return fmt.Errorf("bump version %s: no such counter", name)
	}
	if err != nil {
		return fmt.Errorf("bump version %s: %w", name, err)
	}
	db.versions.pend(tx, name, n)
	return nil
}

// Version reads counter name. Whoever keeps a copy of what name counts
// reads it first and drops the copy when it has moved: data read after it
// is at least that new.
func (db *DB) Version(ctx context.Context, name string) (int64, error) {
	if n, ok := db.versions.get(name); ok {
		return n, nil
	}
	var n int64
	if err := db.Row(ctx, db.R, `SELECT n FROM versions WHERE name = $1`, name).Scan(&n); err != nil {
		return 0, fmt.Errorf("read version %s: %w", name, err)
	}
	// A counter the listener has not seen, such as one a migration added
	// after the listener read them all, is known from here on; a bump
	// notified meanwhile is never lowered by this older read.
	db.versions.set(name, n)
	return n, nil
}

// versions keeps the counters while a listener is live.
type versions struct {
	mu      sync.Mutex
	live    bool
	n       map[string]int64
	pending map[*sql.Tx][]bump // bumps of transactions not yet committed
	stop    context.CancelFunc
	done    chan struct{}
}

type bump struct {
	name string
	n    int64
}

func newVersions() *versions {
	return &versions{n: map[string]int64{}, pending: map[*sql.Tx][]bump{}}
}

func (v *versions) get(name string) (int64, bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	n, ok := v.n[name]
	return n, ok && v.live
}

// set records n for name unless a newer value is known: counters only grow.
func (v *versions) set(name string, n int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if n > v.n[name] {
		v.n[name] = n
	}
}

func (v *versions) pend(tx *sql.Tx, name string, n int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.pending[tx] = append(v.pending[tx], bump{name, n})
}

// settle applies tx's bumps once it has committed, or forgets them.
func (v *versions) settle(tx *sql.Tx, committed bool) {
	v.mu.Lock()
	bs := v.pending[tx]
	delete(v.pending, tx)
	v.mu.Unlock()
	if committed {
		for _, b := range bs {
			v.set(b.name, b.n)
		}
	}
}

func (v *versions) setLive(live bool) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.live = live
}

// listen keeps v in step with the database until ctx ends, connecting
// again after any failure; meanwhile Version reads the database.
func (v *versions) listen(ctx context.Context, cfg *pgx.ConnConfig) {
	defer close(v.done)
	wait := 100 * time.Millisecond
	for ctx.Err() == nil {
		err := v.session(ctx, cfg)
		v.setLive(false)
		if err == nil || ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
		wait = min(2*wait, 10*time.Second)
	}
}

// session LISTENs first, then reads every counter, so that no bump falls
// between the two, and then applies notifications as they come.
func (v *versions) session(ctx context.Context, cfg *pgx.ConnConfig) error {
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var schema string
	if err := conn.QueryRow(ctx, `SELECT current_schema()`).Scan(&schema); err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `LISTEN `+versionChannel); err != nil {
		return err
	}
	rows, err := conn.Query(ctx, `SELECT name, n FROM versions`)
	if err != nil {
		return err
	}
	for rows.Next() {
		var name string
		var n int64
		if err := rows.Scan(&name, &n); err != nil {
			rows.Close()
			return err
		}
		v.set(name, n)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	v.setLive(true)
	for {
		note, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		f := strings.Fields(note.Payload)
		if len(f) != 3 || f[0] != schema {
			continue
		}
		if n, err := strconv.ParseInt(f[2], 10, 64); err == nil {
			v.set(f[1], n)
		}
	}
}

// watchVersions starts listening for bumps (PostgreSQL).
func (db *DB) watchVersions(cfg *pgx.ConnConfig) {
	ctx, cancel := context.WithCancel(context.Background())
	db.versions.stop, db.versions.done = cancel, make(chan struct{})
	go db.versions.listen(ctx, cfg.Copy())
}

// stopVersions ends the listener, if there is one, and waits for it.
func (db *DB) stopVersions() {
	if db.versions.stop != nil {
		db.versions.stop()
		<-db.versions.done
	}
}
