package store

import (
	"context"
	"database/sql"
	"errors"
	"sync"
)

// stmts keeps the reads every request makes prepared on SQLite: parsing
// the SQL again was half of a one-row read (48 µs against 25 µs for a
// session lookup). PostgreSQL's driver keeps its own prepared statements.
type stmts struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt
}

// stmtsMax bounds the statements kept: only constant SQL is meant to be
// kept, and a query built per request past this many is run unprepared.
const stmtsMax = 256

// Row runs a one-row read on q. When q is the reading pool of a SQLite
// database, the statement is prepared at its first use and kept: give it
// constant SQL, not text built from the request.
func (db *DB) Row(ctx context.Context, q Queryer, query string, args ...any) *sql.Row {
	if st := db.prepared(ctx, q, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return q.QueryRowContext(ctx, query, args...)
}

// Rows is Row for reads of several rows.
func (db *DB) Rows(ctx context.Context, q Queryer, query string, args ...any) (*sql.Rows, error) {
	if st := db.prepared(ctx, q, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return q.QueryContext(ctx, query, args...)
}

func (db *DB) prepared(ctx context.Context, q Queryer, query string) *sql.Stmt {
	if db.Engine != SQLite {
		return nil
	}
	if r, ok := q.(*sql.DB); !ok || r != db.R {
		return nil
	}
	db.stmts.mu.Lock()
	defer db.stmts.mu.Unlock()
	if st, ok := db.stmts.m[query]; ok {
		return st
	}
	if len(db.stmts.m) >= stmtsMax {
		return nil
	}
	// Preparing under the lock is brief, and only the first use pays it.
	st, err := db.R.PrepareContext(ctx, query)
	if err != nil {
		return nil // the unprepared query reports the error
	}
	if db.stmts.m == nil {
		db.stmts.m = map[string]*sql.Stmt{}
	}
	db.stmts.m[query] = st
	return st
}

func (s *stmts) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, st := range s.m {
		_ = st.Close()
	}
	s.m = nil
}

// Kept is the reading pool as a Queryer whose reads go through Row and
// Rows: for the store functions of hot reads (sessions, tokens, counts,
// the lists profiles read), whose SQL is constant or one of a few texts
// (a filter present or not); stmtsMax bounds what is kept either way.
func (db *DB) Kept() Queryer { return kept{db} }

type kept struct{ db *DB }

func (k kept) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return k.db.Row(ctx, k.db.R, query, args...)
}

func (k kept) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return k.db.Rows(ctx, k.db.R, query, args...)
}

// ExecContext refuses: Kept is for reads, and writes go through the writer.
func (k kept) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, errors.New("store: a write through the kept reads")
}
