package directory

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/detente/detente/internal/store"
)

// The SQL of the poc_versions table: every version an entry has had, kept
// as a snapshot (snapshot.go) with who made it and when.

// insertVersion records p as its version p.Version, made by action at
// p.UpdatedAt by the actor with actorID and actorLabel.
func insertVersion(ctx context.Context, tx *sql.Tx, p POC, action, actorID, actorLabel string) error {
	snap, err := encodeSnapshot(p)
	if err != nil {
		return fmt.Errorf("snapshot: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO poc_versions (poc_id, version, action, snapshot, actor_id, actor_label, at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
		p.ID, p.Version, action, string(snap), actorID, actorLabel, p.UpdatedAt)
	return err
}

// pocVersions reads every version of the entry id, newest first.
func pocVersions(ctx context.Context, q store.Queryer, id string) ([]Version, error) {
	rows, err := q.QueryContext(ctx, `SELECT version, action, snapshot, actor_id, actor_label, at FROM poc_versions WHERE poc_id = $1 ORDER BY version DESC`, id)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Version, error) {
		var v Version
		var snap string
		if err := r.Scan(&v.Version, &v.Action, &snap, &v.ActorID, &v.ActorLabel, &v.At); err != nil {
			return v, err
		}
		var err error
		if v.Snapshot, err = decodeSnapshot([]byte(snap)); err != nil {
			return v, fmt.Errorf("decode version %d: %w", v.Version, err)
		}
		return v, nil
	})
}
