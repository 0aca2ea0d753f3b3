package directory

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/search"
	"github.com/detente/detente/internal/store"
)

// The SQL of the pocs table: the current version of every entry. Lists
// join states for the name they are ordered by and for participation.
// Entries are scanned without Stale, which the service works out.

const pocCols = `id, state_code, version, level, function_title, organisation, person_name, emails, phones, languages, time_zone,
	availability, hours, pgp_key, pgp_fingerprint, pgp_expires_at, status, confirmed_at, created_at, updated_at, account_id`

// levelRank orders levels as pages show them: diplomatic, policy, technical.
const levelRank = `CASE p.level WHEN 'diplomatic' THEN 1 WHEN 'policy' THEN 2 ELSE 3 END`

// pocOrder is the directory's order, unique thanks to the id, so that a
// keyset page starts exactly after the last row shown.
const pocOrder = `s.name, ` + levelRank + `, p.id`

func scanPOC(row interface{ Scan(...any) error }) (POC, error) {
	var p POC
	var level, emails, phones, langs string
	var exp sql.NullTime
	var account sql.NullString
	err := row.Scan(&p.ID, &p.State, &p.Version, &level, &p.FunctionTitle, &p.Organisation, &p.PersonName, &emails, &phones, &langs, &p.TimeZone,
		&p.Availability, &p.Hours, &p.PGPKey, &p.PGPFingerprint, &exp, &p.Status, &p.ConfirmedAt, &p.CreatedAt, &p.UpdatedAt, &account)
	if err != nil {
		return p, err
	}
	p.AccountID = account.String
	p.Level = Level(level)
	if exp.Valid {
		t := exp.Time
		p.PGPExpires = &t
	}
	for _, x := range []struct {
		src string
		dst *[]string
	}{{emails, &p.Emails}, {phones, &p.Phones}, {langs, &p.Languages}} {
		if err := json.Unmarshal([]byte(x.src), x.dst); err != nil {
			return p, fmt.Errorf("poc %s: %w", p.ID, err)
		}
	}
	return p, nil
}

func prefixedPOC() string {
	cols := strings.Split(pocCols, ",")
	for i, c := range cols {
		cols[i] = "p." + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// withExtra scans a row's leading columns into what a scan function asks
// for and the trailing ones into extra.
type withExtra struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.row.Scan(append(dest, w.extra...)...) }

// jsonList is how a list of strings is kept in a column.
func jsonList(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// retiredScope is whose retired entries a list includes.
type retiredScope int

const (
	noRetired  retiredScope = iota
	ownRetired              // the reader's own State's
	allRetired
)

// pocQuery is a set of entries to read, scoped as the service decided the
// reader may see them, and narrowed by the reader's filter.
type pocQuery struct {
	own          string // the reader's State
	ownOnly      bool   // only own's entries
	participants bool   // other States' entries only while they participate
	retired      retiredScope
	f            Filter    // its State upper-cased
	terms        []string  // from f.Query
	staleBefore  time.Time // with f.Stale: the confirmation an active entry is stale before
}

// pocKey is an entry's place in pocOrder.
type pocKey struct {
	name string
	rank int
	id   string
}

// where is the condition selecting pq's entries: the one statement of who
// sees what in lists, shared by the paged list and the exports.
func (pq pocQuery) where(arg func(any) string) string {
	f := pq.f
	q := `1=1`
	if pq.ownOnly {
		q += ` AND p.state_code = ` + arg(pq.own)
	} else if pq.participants {
		q += ` AND (s.participating_since IS NOT NULL OR p.state_code = ` + arg(pq.own) + `)`
	}
	if f.State != "" {
		q += ` AND p.state_code = ` + arg(f.State)
	}
	if f.Region != "" {
		q += ` AND s.region = ` + arg(f.Region)
	}
	if f.Level != "" {
		q += ` AND p.level = ` + arg(string(f.Level))
	}
	switch pq.retired {
	case allRetired:
	case ownRetired:
		q += ` AND (p.status = ` + arg(Active) + ` OR p.state_code = ` + arg(pq.own) + `)`
	default:
		q += ` AND p.status = ` + arg(Active)
	}
	if f.Stale != nil {
		if *f.Stale {
			q += ` AND p.status = ` + arg(Active) + ` AND p.confirmed_at < ` + arg(pq.staleBefore)
		} else {
			q += ` AND p.confirmed_at >= ` + arg(pq.staleBefore)
		}
	}
	for _, t := range pq.terms {
		code := arg(t)
		q += ` AND (` + search.Any(arg(search.Pattern(t)), "s.name", "p.organisation", "p.person_name", "p.function_title") +
			` OR LOWER(s.code) = ` + code + ` OR LOWER(s.alpha3) = ` + code + `)`
	}
	return q
}

// listedPOC is an entry with its State's name, the first part of its key.
type listedPOC struct {
	POC
	stateName string
}

// pocPage reads at most limit of pq's entries in pocOrder, after the key
// after when it is set, each with its State's name.
func pocPage(ctx context.Context, q store.Queryer, pq pocQuery, after *pocKey, limit int) ([]listedPOC, error) {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	cond := pq.where(arg)
	if after != nil {
		cond += ` AND (s.name, ` + levelRank + `, p.id) > (` + arg(after.name) + `, ` + arg(after.rank) + `, ` + arg(after.id) + `)`
	}
	query := `SELECT ` + prefixedPOC() + `, s.name FROM pocs p JOIN states s ON s.code = p.state_code WHERE ` + cond +
		` ORDER BY ` + pocOrder + ` LIMIT ` + arg(limit)
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (listedPOC, error) {
		var l listedPOC
		p, err := scanPOC(withExtra{r, []any{&l.stateName}})
		l.POC = p
		return l, err
	})
}

// selectPOCs reads every one of pq's entries in pocOrder.
func selectPOCs(ctx context.Context, q store.Queryer, pq pocQuery) ([]POC, error) {
	var out []POC
	err := eachPOC(ctx, q, pq, func(p POC) error { out = append(out, p); return nil })
	return out, err
}

// eachPOC calls fn with each of pq's entries in the directory's order, as
// the one query reads them.
func eachPOC(ctx context.Context, q store.Queryer, pq pocQuery, fn func(POC) error) error {
	var args []any
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	query := `SELECT ` + prefixedPOC() + ` FROM pocs p JOIN states s ON s.code = p.state_code WHERE ` + pq.where(arg) + ` ORDER BY ` + pocOrder
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	return store.Each(rows, func(r *sql.Rows) (POC, error) { return scanPOC(r) }, fn)
}

// selectPOC reads the entry id. Its SQL is constant, so that through
// db.Kept it stays prepared.
func selectPOC(ctx context.Context, q store.Queryer, id string) (POC, error) {
	return scanPOC(q.QueryRowContext(ctx, `SELECT `+pocCols+` FROM pocs WHERE id = $1`, id))
}

// selectPOCsByID reads the entries with the given ids, in one query.
func selectPOCsByID(ctx context.Context, q store.Queryer, ids []string) ([]POC, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	args := make([]any, len(ids))
	var in strings.Builder
	for i, id := range ids {
		if i > 0 {
			in.WriteString(", ")
		}
		fmt.Fprintf(&in, "$%d", i+1)
		args[i] = id
	}
	rows, err := q.QueryContext(ctx, `SELECT `+pocCols+` FROM pocs WHERE id IN (`+in.String()+`)`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (POC, error) { return scanPOC(r) })
}

// linkedPOCs reads the ids of the entries that link account.
func linkedPOCs(ctx context.Context, q store.Queryer, account string) ([]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT id FROM pocs WHERE account_id = $1 ORDER BY id`, account)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
}

// activePOCs reads a State's active entries by level and function.
func activePOCs(ctx context.Context, q store.Queryer, state string) ([]POC, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+pocCols+` FROM pocs WHERE state_code = $1 AND status = $2 ORDER BY level, function_title`, state, Active)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (POC, error) { return scanPOC(r) })
}

func insertPOC(ctx context.Context, tx *sql.Tx, p POC) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO pocs (`+pocCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		p.ID, p.State, p.Version, string(p.Level), p.FunctionTitle, p.Organisation, p.PersonName, jsonList(p.Emails), jsonList(p.Phones), jsonList(p.Languages),
		p.TimeZone, p.Availability, p.Hours, p.PGPKey, p.PGPFingerprint, store.NullTime(p.PGPExpires), p.Status, p.ConfirmedAt, p.CreatedAt, p.UpdatedAt, store.NullString(p.AccountID))
	return err
}

// updatePOC writes p over version p.Version-1 and returns how many rows
// changed: none when another change came first.
func updatePOC(ctx context.Context, tx *sql.Tx, p POC) (int64, error) {
	return store.Changed(tx.ExecContext(ctx, `UPDATE pocs SET version = $1, level = $2, function_title = $3, organisation = $4, person_name = $5, emails = $6,
		phones = $7, languages = $8, time_zone = $9, availability = $10, hours = $11, pgp_key = $12, pgp_fingerprint = $13, pgp_expires_at = $14,
		status = $15, confirmed_at = $16, updated_at = $17, account_id = $18 WHERE id = $19 AND version = $20`,
		p.Version, string(p.Level), p.FunctionTitle, p.Organisation, p.PersonName, jsonList(p.Emails), jsonList(p.Phones), jsonList(p.Languages),
		p.TimeZone, p.Availability, p.Hours, p.PGPKey, p.PGPFingerprint, store.NullTime(p.PGPExpires), p.Status, p.ConfirmedAt, p.UpdatedAt, store.NullString(p.AccountID), p.ID, p.Version-1))
}
