package audit

import (
	"context"
	"database/sql"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/store"
)

// The log's SQL, over its own tables only: audit_log and audit_checkpoints.

// entryCols are an entry's columns, in scanEntry's order.
const entryCols = `seq, at, actor_id, actor_label, action, object_type, object_id, state_code, digest, prev_hash, hash`

func scanEntry(r interface{ Scan(...any) error }) (Entry, error) {
	var e Entry
	err := r.Scan(&e.Seq, &e.At, &e.ActorID, &e.ActorLabel, &e.Action, &e.ObjectType, &e.ObjectID, &e.State, &e.Digest, &e.PrevHash, &e.Hash)
	return e, err
}

// insertEntry writes e unsealed. SQLite numbers a NULL key one past the
// largest under its single writer; PostgreSQL takes the next number of a
// sequence.
func insertEntry(ctx context.Context, tx *sql.Tx, engine store.Engine, e Entry) error {
	seq := `NULL`
	if engine == store.Postgres {
		seq = `nextval('audit_seq')`
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log
		(seq, at, actor_id, actor_label, action, object_type, object_id, state_code, digest, prev_hash, hash)
		VALUES (`+seq+`, $1, $2, $3, $4, $5, $6, $7, $8, '', '')`,
		e.At, e.ActorID, e.ActorLabel, e.Action, e.ObjectType, e.ObjectID, e.State, e.Digest)
	return err
}

// where is the condition f puts on the log.
func (f Filter) where(arg func(any) string) string {
	q := `1=1`
	if f.ObjectType != "" {
		q += ` AND object_type = ` + arg(f.ObjectType)
	}
	if f.ObjectID != "" {
		q += ` AND object_id = ` + arg(f.ObjectID)
	}
	if f.State != "" {
		q += ` AND state_code = ` + arg(f.State)
	}
	if f.Action != "" {
		q += ` AND action = ` + arg(f.Action)
	}
	if f.Actor != "" {
		// Labels are emails, stored lower-cased; people type either case.
		q += ` AND (actor_id = ` + arg(f.Actor) + ` OR actor_label = ` + arg(strings.ToLower(f.Actor)) + `)`
	}
	if !f.From.IsZero() {
		q += ` AND at >= ` + arg(f.From.UTC())
	}
	if !f.To.IsZero() {
		q += ` AND at < ` + arg(f.To.UTC().AddDate(0, 0, 1))
	}
	return q
}

// selectEntries returns at most limit entries matching f, newest first;
// before, when positive, keeps those numbered below it.
func selectEntries(ctx context.Context, q store.Queryer, f Filter, before int64, limit int) ([]Entry, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	query := `SELECT ` + entryCols + ` FROM audit_log WHERE ` + f.where(arg)
	if before > 0 {
		query += ` AND seq < ` + arg(before)
	}
	query += ` ORDER BY seq DESC LIMIT ` + arg(limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Entry, error) { return scanEntry(r) })
}

// unsealedEntries returns the first limit entries not yet sealed, in order.
func unsealedEntries(ctx context.Context, tx *sql.Tx, limit int) ([]Entry, error) {
	rows, err := tx.QueryContext(ctx, `SELECT `+entryCols+` FROM audit_log WHERE hash = '' ORDER BY seq LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Entry, error) { return scanEntry(r) })
}

// sealedHead is the last sealed entry, or the genesis position.
func sealedHead(ctx context.Context, tx *sql.Tx) (Head, error) {
	var h Head
	err := tx.QueryRowContext(ctx, `SELECT seq, hash FROM audit_log WHERE hash <> '' ORDER BY seq DESC LIMIT 1`).Scan(&h.Seq, &h.Hash)
	if store.NoRows(err) {
		return Head{Seq: 0, Hash: genesis}, nil
	}
	return h, err
}

// hashAt is the hash of entry seq: "" when it is not sealed or there is
// no such entry.
func hashAt(ctx context.Context, tx *sql.Tx, seq int64) (string, error) {
	var h string
	err := tx.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&h)
	if store.NoRows(err) {
		return "", nil
	}
	return h, err
}

// fillHole records that no change used seq. On PostgreSQL the insert waits
// for a transaction still holding that number and then does nothing if it
// committed.
func fillHole(ctx context.Context, tx *sql.Tx, seq int64, at time.Time, digest string) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_log
		(seq, at, actor_id, actor_label, action, object_type, object_id, state_code, digest, prev_hash, hash)
		VALUES ($1, $2, '', 'system', $3, 'audit', $4, '', $5, '', '')
		ON CONFLICT (seq) DO NOTHING`,
		seq, at, skippedAction, strconv.FormatInt(seq, 10), digest)
	return err
}

// writeSeals stores the links of entries, a multi-row update per batch.
func writeSeals(ctx context.Context, engine store.Engine, tx *sql.Tx, es []Entry) error {
	const chunk = 300 // three parameters a row, well under both engines' limits
	for len(es) > 0 {
		n := min(len(es), chunk)
		part := es[:n]
		es = es[n:]
		var b strings.Builder
		args := make([]any, 0, 3*n)
		for i, e := range part {
			if i > 0 {
				b.WriteString(", ")
			}
			switch {
			case engine == store.SQLite:
				// Anonymous: SQLite looks $N up by name, and 900 of them
				// made a statement's cost grow with their square.
				b.WriteString("(?, ?, ?)")
			case i == 0:
				// The first row gives the VALUES list its column types.
				fmt.Fprintf(&b, "($%d::bigint, $%d::text, $%d::text)", 3*i+1, 3*i+2, 3*i+3)
			default:
				fmt.Fprintf(&b, "($%d, $%d, $%d)", 3*i+1, 3*i+2, 3*i+3)
			}
			args = append(args, e.Seq, e.PrevHash, e.Hash)
		}
		q := `UPDATE audit_log SET prev_hash = v.p, hash = v.h FROM (VALUES ` + b.String() + `) AS v(s, p, h)
			WHERE audit_log.seq = v.s AND audit_log.hash = ''`
		if engine == store.SQLite {
			// SQLite names a VALUES list's columns column1, column2, …
			q = `UPDATE audit_log SET prev_hash = v.column2, hash = v.column3 FROM (VALUES ` + b.String() + `) AS v
			WHERE audit_log.seq = v.column1 AND audit_log.hash = ''`
		}
		res, err := tx.ExecContext(ctx, q, args...)
		if err != nil {
			return fmt.Errorf("audit: seal: %w", err)
		}
		if got, err := res.RowsAffected(); err == nil && got != int64(n) {
			return fmt.Errorf("audit: sealed %d of %d entries; another sealer ran", got, n)
		}
	}
	return nil
}

// lastCheckpoint is the newest checkpoint's position and time; both are
// invalid when there is none.
func lastCheckpoint(ctx context.Context, tx *sql.Tx) (sql.NullInt64, sql.NullTime, error) {
	var seq sql.NullInt64
	var at sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT seq, at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1`).Scan(&seq, &at)
	if store.NoRows(err) {
		err = nil
	}
	return seq, at, err
}

// signedCheckpoint is a row of audit_checkpoints.
type signedCheckpoint struct {
	head      Head
	at        time.Time
	keyID     string
	signature string // base64
}

func insertCheckpoint(ctx context.Context, tx *sql.Tx, c signedCheckpoint) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO audit_checkpoints (seq, hash, at, key_id, signature) VALUES ($1, $2, $3, $4, $5)`,
		c.head.Seq, c.head.Hash, c.at, c.keyID, c.signature)
	return err
}

// checkpoints lists every checkpoint in chain order.
func checkpoints(ctx context.Context, q store.Queryer) ([]signedCheckpoint, error) {
	rows, err := q.QueryContext(ctx, `SELECT seq, hash, at, key_id, signature FROM audit_checkpoints ORDER BY seq`)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (signedCheckpoint, error) {
		var c signedCheckpoint
		err := r.Scan(&c.head.Seq, &c.head.Hash, &c.at, &c.keyID, &c.signature)
		return c, err
	})
}

// lastSealed is the number of the last sealed entry, 0 when there is none.
func lastSealed(ctx context.Context, q store.Queryer) (int64, error) {
	var seq sql.NullInt64
	err := q.QueryRowContext(ctx, `SELECT MAX(seq) FROM audit_log WHERE hash <> ''`).Scan(&seq)
	return seq.Int64, err
}

// unsealedSpan is the lowest number of an unsealed entry, if any, and how
// many there are.
func unsealedSpan(ctx context.Context, q store.Queryer) (first sql.NullInt64, n int64, err error) {
	err = q.QueryRowContext(ctx, `SELECT MIN(seq), COUNT(*) FROM audit_log WHERE hash = ''`).Scan(&first, &n)
	return first, n, err
}

// entryHash is the hash stored for entry seq; sql.ErrNoRows when it is missing.
func entryHash(ctx context.Context, q store.Queryer, seq int64) (string, error) {
	var hash string
	err := q.QueryRowContext(ctx, `SELECT hash FROM audit_log WHERE seq = $1`, seq).Scan(&hash)
	return hash, err
}

// eachEntry calls fn on entries from..to in order, stopping at fn's first
// error.
func eachEntry(ctx context.Context, q store.Queryer, from, to int64, fn func(Entry) error) error {
	rows, err := q.QueryContext(ctx, `SELECT `+entryCols+` FROM audit_log WHERE seq >= $1 AND seq <= $2 ORDER BY seq`, from, to)
	if err != nil {
		return err
	}
	defer rows.Close()
	// Streams on purpose: a range may hold millions of entries, checked one by one.
	for rows.Next() {
		e, err := scanEntry(rows)
		if err != nil {
			return err
		}
		if err := fn(e); err != nil {
			return err
		}
	}
	return rows.Err()
}
