package scenario

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/detente/detente/internal/store"
)

// The SQL of the scenario tables. A version's content is kept as the
// scenario file it exports as, so the stored form and the documented one
// are the same and cannot drift apart.

// head is a scenario's row: its newest version as lists show it, and who
// may see it.
type head struct {
	Summary
	Shipped    bool
	Withdrawn  bool
	CopiedFrom string
}

// stored is one version as saved.
type stored struct {
	Version   int
	Body      []byte
	SavedAt   time.Time
	SavedBy   string
	SavedName string
}

// scenario is version v of h, read from its file.
func (h head) scenario(v stored) (Scenario, error) {
	in, err := Decode(bytes.NewReader(v.Body))
	if err != nil {
		return Scenario{}, fmt.Errorf("stored scenario %s does not read back: %w", h.ID, err)
	}
	return Scenario{ID: h.ID, Version: v.Version, OwnerState: h.OwnerState, Shipped: h.Shipped, Shared: h.Shared, Withdrawn: h.Withdrawn,
		CopiedFrom: h.CopiedFrom, Language: in.Language, Title: in.Title, Summary: in.Summary, Narrative: in.Narrative,
		Objectives: in.Objectives, Roles: in.Roles, Injects: in.Injects, Duration: in.Duration,
		SavedAt: v.SavedAt.UTC(), SavedBy: v.SavedBy, SavedName: v.SavedName}, nil
}

// provisionsOf lists the provisions of sc's objectives, each once.
func provisionsOf(sc Scenario) []string {
	out := []string{}
	for _, o := range sc.Objectives {
		for _, p := range o.Provisions {
			if !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

func jsonOf(v any) string {
	b, _ := json.Marshal(v) // slices of strings always marshal
	return string(b)
}

const headCols = `s.id, s.owner_state, s.shipped_name IS NOT NULL, s.shared, s.withdrawn, s.copied_from, s.version, s.title, s.summary,
	s.injects, s.duration_seconds, s.provisions, s.saved_at`

func scanHead(row interface{ Scan(...any) error }) (head, error) {
	var h head
	var shipped bool
	var shared, withdrawn int
	var secs int64
	var provs string
	err := row.Scan(&h.ID, &h.OwnerState, &shipped, &shared, &withdrawn, &h.CopiedFrom, &h.Version, &h.Title, &h.Summary.Summary,
		&h.Injects, &secs, &provs, &h.SavedAt)
	if err != nil {
		return h, err
	}
	h.Shipped, h.Summary.Shipped, h.Shared, h.Withdrawn = shipped, shipped, shared == 1, withdrawn == 1
	h.Duration, h.SavedAt = time.Duration(secs)*time.Second, h.SavedAt.UTC()
	return h, json.Unmarshal([]byte(provs), &h.Provisions)
}

func selectHead(ctx context.Context, q store.Queryer, id string) (head, error) {
	return scanHead(q.QueryRowContext(ctx, `SELECT `+headCols+` FROM scenarios s WHERE s.id = $1`, id))
}

func selectVersion(ctx context.Context, q store.Queryer, id string, version int) (stored, error) {
	v := stored{Version: version}
	err := q.QueryRowContext(ctx, `SELECT body, saved_at, saved_by, saved_name FROM scenario_versions WHERE scenario_id = $1 AND version = $2`,
		id, version).Scan(&v.Body, &v.SavedAt, &v.SavedBy, &v.SavedName)
	return v, err
}

// insertScenario writes a new scenario at sc.Version with its version
// row; shippedName is "" for any but a shipped scenario.
//
// A shipped scenario's row is written only if no instance has written it
// yet: several instances starting at once on one database each install
// the shipped files, and the loser of that race must not fail its start.
// It reports whether the row was written.
func insertScenario(ctx context.Context, tx *sql.Tx, sc Scenario, shippedName string) (bool, error) {
	var name any
	if shippedName != "" {
		name = shippedName
	}
	n, err := store.Changed(tx.ExecContext(ctx, `INSERT INTO scenarios (id, owner_state, shipped_name, shared, withdrawn, copied_from, version, title, summary,
		injects, duration_seconds, provisions, saved_at, created_at) VALUES ($1, $2, $3, 0, 0, $4, $5, $6, $7, $8, $9, $10, $11, $11)
		ON CONFLICT (shipped_name) DO NOTHING`,
		sc.ID, sc.OwnerState, name, sc.CopiedFrom, sc.Version, sc.Title, sc.Summary, len(sc.Injects), int64(sc.Duration/time.Second),
		jsonOf(provisionsOf(sc)), sc.SavedAt))
	if err != nil || n == 0 {
		return false, err
	}
	return true, writeVersion(ctx, tx, sc)
}

// saveVersion writes sc as the version after sc.Version-1 and reports
// whether that was still the newest.
func saveVersion(ctx context.Context, tx *sql.Tx, sc Scenario) (bool, error) {
	n, err := store.Changed(tx.ExecContext(ctx, `UPDATE scenarios SET version = $1, title = $2, summary = $3, injects = $4,
		duration_seconds = $5, provisions = $6, saved_at = $7 WHERE id = $8 AND version = $9`,
		sc.Version, sc.Title, sc.Summary, len(sc.Injects), int64(sc.Duration/time.Second), jsonOf(provisionsOf(sc)), sc.SavedAt,
		sc.ID, sc.Version-1))
	if err != nil || n == 0 {
		return false, err
	}
	return true, writeVersion(ctx, tx, sc)
}

func writeVersion(ctx context.Context, tx *sql.Tx, sc Scenario) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO scenario_versions (scenario_id, version, title, body, saved_at, saved_by, saved_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, sc.ID, sc.Version, sc.Title, string(Encode(InputOf(sc))), sc.SavedAt, sc.SavedBy, sc.SavedName); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM scenario_provisions WHERE scenario_id = $1`, sc.ID); err != nil {
		return err
	}
	for _, p := range provisionsOf(sc) {
		if _, err := tx.ExecContext(ctx, `INSERT INTO scenario_provisions (scenario_id, provision) VALUES ($1, $2)`, sc.ID, p); err != nil {
			return err
		}
	}
	return nil
}

func setFlag(ctx context.Context, tx *sql.Tx, id, action string, on bool) error {
	col := "shared"
	if action == "withdraw" {
		col = "withdrawn"
	}
	v := 0
	if on {
		v = 1
	}
	_, err := tx.ExecContext(ctx, `UPDATE scenarios SET `+col+` = $1 WHERE id = $2`, v, id)
	return err
}

// shippedHead reads the scenario installed from the embedded file name.
func shippedHead(ctx context.Context, q store.Queryer, name string) (head, error) {
	return scanHead(q.QueryRowContext(ctx, `SELECT `+headCols+` FROM scenarios s WHERE s.shipped_name = $1`, name))
}

type listKey struct {
	at time.Time
	id string
}

// listHeads reads up to limit scenarios r may see and f keeps, not
// withdrawn, newest saved first, after key.
func listHeads(ctx context.Context, q store.Queryer, r side, f Filter, after *listKey, limit int) ([]Summary, error) {
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	where := `s.withdrawn = 0 AND (s.owner_state = '' OR s.shared = 1`
	if r.state != "" {
		where += ` OR s.owner_state = ` + arg(r.state)
	}
	where += `)`
	switch f.Owner {
	case "shipped":
		where += ` AND s.shipped_name IS NOT NULL`
	case "mine":
		where += ` AND s.shipped_name IS NULL AND s.owner_state = ` + arg(r.state)
	}
	if f.Provision != "" {
		where += ` AND EXISTS (SELECT 1 FROM scenario_provisions sp WHERE sp.scenario_id = s.id AND sp.provision = ` + arg(f.Provision) + `)`
	}
	if after != nil {
		where += fmt.Sprintf(` AND (s.saved_at, s.id) < (%s, %s)`, arg(after.at), arg(after.id))
	}
	rows, err := q.QueryContext(ctx, `SELECT `+headCols+` FROM scenarios s WHERE `+where+` ORDER BY s.saved_at DESC, s.id DESC LIMIT `+arg(limit), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Summary, error) {
		h, err := scanHead(r)
		return h.Summary, err
	})
}

// listVersions reads up to limit versions of scenario id below before,
// newest first.
func listVersions(ctx context.Context, q store.Queryer, id string, before, limit int) ([]VersionInfo, error) {
	rows, err := q.QueryContext(ctx, `SELECT v.version, v.title, v.saved_at, v.saved_by, v.saved_name FROM scenario_versions v
		WHERE v.scenario_id = $1 AND v.version < $2 ORDER BY v.version DESC LIMIT $3`, id, before, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (VersionInfo, error) {
		var v VersionInfo
		err := r.Scan(&v.Version, &v.Title, &v.SavedAt, &v.SavedBy, &v.SavedName)
		v.SavedAt = v.SavedAt.UTC()
		return v, err
	})
}

func parseVersion(s string) (int, error) {
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 {
		return 0, fmt.Errorf("bad version %q", s)
	}
	return n, nil
}

func formatVersion(n int) string { return strconv.Itoa(n) }
