package taxii

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/stix"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

func selectCollection(ctx context.Context, q store.Queryer, id string) (Collection, error) {
	var c Collection
	var kind, label string
	err := q.QueryRowContext(ctx, `SELECT id, kind, owner_state, tlp, title, description FROM taxii_collections WHERE id = $1`, id).
		Scan(&c.ID, &kind, &c.Owner, &label, &c.Title, &c.Description)
	c.Kind, c.TLP = Kind(kind), tlp.Label(label)
	return c, err
}

// claimCollection makes a State's collection on its first write, and
// locks the collection's row for the rest of tx (on PostgreSQL; SQLite
// has one writer): writers to one collection take their date_added values
// one after the other. It returns the last date_added given out.
func claimCollection(ctx context.Context, tx *sql.Tx, c Collection, now time.Time) (int64, error) {
	if c.Kind == Own {
		_, err := tx.ExecContext(ctx, `INSERT INTO taxii_collections (id, kind, owner_state, tlp, title, description, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`,
			c.ID, string(c.Kind), c.Owner, string(c.TLP), c.Title, c.Description, now)
		if err != nil {
			return 0, err
		}
	}
	var last int64
	err := tx.QueryRowContext(ctx, `UPDATE taxii_collections SET last_added = last_added WHERE id = $1 RETURNING last_added`, c.ID).Scan(&last)
	return last, err
}

func setLastAdded(ctx context.Context, tx *sql.Tx, id string, last int64) error {
	_, err := tx.ExecContext(ctx, `UPDATE taxii_collections SET last_added = $2 WHERE id = $1 AND last_added < $2`, id, last)
	return err
}

// row is an object version about to be stored.
type row struct {
	added   int64
	id      string
	version string // stix.SortableTime
	at      time.Time
	typ     string
	spec    string
	body    []byte
}

// insertBatch keeps a statement's parameters under both engines' limits.
const insertBatch = 500

// insertObjects stores rows, skipping any whose id and version the
// collection holds, and returns the "id version" of those it stored.
func insertObjects(ctx context.Context, tx *sql.Tx, engine store.Engine, collection, account string, rows []row) (map[string]bool, error) {
	done := map[string]bool{}
	for start := 0; start < len(rows); start += insertBatch {
		part := rows[start:min(start+insertBatch, len(rows))]
		args := make([]any, 0, len(part)*8)
		for _, r := range part {
			args = append(args, collection, r.added, r.id, r.version, r.typ, r.spec, account, r.body)
		}
		rs, err := tx.QueryContext(ctx, `INSERT INTO taxii_objects (collection_id, date_added, object_id, version, type, spec_version, account_id, body)
			VALUES `+store.Values(engine, len(part), 8)+` ON CONFLICT DO NOTHING RETURNING object_id, version`, args...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var id, v string
			if err := rs.Scan(&id, &v); err != nil {
				rs.Close()
				return nil, err
			}
			done[id+" "+v] = true
		}
		if err := rs.Close(); err != nil {
			return nil, err
		}
		if err := rs.Err(); err != nil {
			return nil, err
		}
	}
	return done, nil
}

// sameBodies reports, for each row, whether the collection holds the same
// object (by canonical JSON) under its id and version.
func sameBodies(ctx context.Context, tx *sql.Tx, collection string, rows []row) ([]bool, error) {
	held := map[string][]byte{}
	for start := 0; start < len(rows); start += insertBatch {
		part := rows[start:min(start+insertBatch, len(rows))]
		args := []any{collection}
		var in []string
		for i, r := range part {
			args = append(args, r.id)
			in = append(in, fmt.Sprintf("$%d", i+2))
		}
		rs, err := tx.QueryContext(ctx, `SELECT object_id, version, body FROM taxii_objects WHERE collection_id = $1 AND object_id IN (`+strings.Join(in, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var id, v string
			var b []byte
			if err := rs.Scan(&id, &v, &b); err != nil {
				rs.Close()
				return nil, err
			}
			held[id+" "+v] = b
		}
		if err := rs.Close(); err != nil {
			return nil, err
		}
	}
	out := make([]bool, len(rows))
	for i, r := range rows {
		b, ok := held[r.id+" "+r.version]
		if !ok {
			continue // two versions alike within one request: the first was stored
		}
		if bytes.Equal(b, r.body) {
			out[i] = true
			continue
		}
		c1, err1 := stix.Canonical(b)
		c2, err2 := stix.Canonical(r.body)
		out[i] = err1 == nil && err2 == nil && bytes.Equal(c1, c2)
	}
	return out, nil
}

// heldObservables returns, as "id canonical-JSON", every version the
// collection holds of the objects ids.
func heldObservables(ctx context.Context, tx *sql.Tx, collection string, ids []string) (map[string]bool, error) {
	held := map[string]bool{}
	for start := 0; start < len(ids); start += insertBatch {
		part := ids[start:min(start+insertBatch, len(ids))]
		args := []any{collection}
		var in []string
		for i, id := range part {
			args = append(args, id)
			in = append(in, fmt.Sprintf("$%d", i+2))
		}
		rs, err := tx.QueryContext(ctx, `SELECT object_id, body FROM taxii_objects WHERE collection_id = $1 AND object_id IN (`+strings.Join(in, ", ")+`)`, args...)
		if err != nil {
			return nil, err
		}
		for rs.Next() {
			var id string
			var b []byte
			if err := rs.Scan(&id, &b); err != nil {
				rs.Close()
				return nil, err
			}
			if c, err := stix.Canonical(b); err == nil {
				held[id+" "+string(c)] = true
			}
		}
		if err := rs.Close(); err != nil {
			return nil, err
		}
	}
	return held, nil
}

// where writes the conditions of f on taxii_objects aliased o, with its
// arguments numbered after args.
func where(f Filter, args []any) (string, []any) {
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	in := func(col string, vals []string) string {
		ps := make([]string, len(vals))
		for i, v := range vals {
			ps[i] = arg(v)
		}
		return col + " IN (" + strings.Join(ps, ", ") + ")"
	}
	var conds []string
	if len(f.IDs) > 0 {
		conds = append(conds, in("o.object_id", f.IDs))
	}
	if len(f.Types) > 0 {
		conds = append(conds, in("o.type", f.Types))
	}
	if len(f.SpecVersions) > 0 {
		conds = append(conds, in("o.spec_version", f.SpecVersions))
	}
	versions := f.Versions
	if len(versions) == 0 {
		versions = []string{"last"}
	}
	var vs []string
	for _, v := range versions {
		switch v {
		case "all":
			vs = []string{"1=1"}
		case "last":
			vs = append(vs, "NOT EXISTS (SELECT 1 FROM taxii_objects n WHERE n.collection_id = o.collection_id AND n.object_id = o.object_id AND n.version > o.version)")
		case "first":
			vs = append(vs, "NOT EXISTS (SELECT 1 FROM taxii_objects n WHERE n.collection_id = o.collection_id AND n.object_id = o.object_id AND n.version < o.version)")
		default:
			t, err := stix.ParseTime(v)
			if err != nil {
				continue // ParseFilter let through only valid ones
			}
			vs = append(vs, "o.version = "+arg(stix.SortableTime(t)))
		}
		if vs[0] == "1=1" {
			vs = vs[:1]
			break
		}
	}
	if len(vs) > 0 && vs[0] != "1=1" {
		conds = append(conds, "("+strings.Join(vs, " OR ")+")")
	}
	if len(conds) == 0 {
		return "", args
	}
	return " AND " + strings.Join(conds, " AND "), args
}

// selectObjects reads up to f.Limit+1 rows of a collection added after the
// cursor and added_after, in date_added order.
func selectObjects(ctx context.Context, q store.Queryer, collection string, f Filter, bodies bool) ([]Record, error) {
	after := f.After
	if f.AddedAfter != nil {
		after = max(after, micros(*f.AddedAfter))
	}
	cond, args := where(f, []any{collection, after})
	cols := "o.date_added, o.object_id, o.version, o.type, o.spec_version"
	if bodies {
		cols += ", o.body"
	}
	args = append(args, f.Limit+1)
	// Asked for by id, the few versions of those objects are found by
	// (collection_id, object_id, version) and sorted; the unary plus keeps
	// SQLite from walking every row in date_added order instead.
	added := "o.date_added"
	if len(f.IDs) > 0 {
		added = "+o.date_added"
	}
	rs, err := q.QueryContext(ctx, `SELECT `+cols+` FROM taxii_objects o WHERE o.collection_id = $1 AND `+added+` > $2`+cond+
		fmt.Sprintf(` ORDER BY %s LIMIT $%d`, added, len(args)), args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rs, func(rs *sql.Rows) (Record, error) {
		var r Record
		var v string
		dest := []any{&r.added, &r.ObjectID, &v, &r.Type, &r.SpecVersion}
		if bodies {
			dest = append(dest, &r.Body)
		}
		if err := rs.Scan(dest...); err != nil {
			return r, err
		}
		t, err := time.Parse("2006-01-02T15:04:05.000000000Z", v)
		if err != nil {
			return r, fmt.Errorf("stored version %q: %w", v, err)
		}
		r.Version, r.DateAdded = t, fromMicros(r.added)
		return r, nil
	})
}

func deleteObjects(ctx context.Context, tx *sql.Tx, collection, id string, f Filter) (int64, error) {
	f.IDs, f.Types = nil, nil
	cond, args := where(f, []any{collection, id})
	return store.Changed(tx.ExecContext(ctx, `DELETE FROM taxii_objects AS o WHERE o.collection_id = $1 AND o.object_id = $2`+cond, args...))
}

// statusDetails is how a status's lists are kept.
type statusDetails struct {
	Successes []storedOutcome `json:"s"`
	Failures  []storedOutcome `json:"f"`
	Pendings  []storedOutcome `json:"p"`
}

type storedOutcome struct {
	ID      string `json:"i"`
	Version string `json:"v,omitempty"`
	Message string `json:"m,omitempty"`
}

func storeOutcomes(os []Outcome) []storedOutcome {
	out := make([]storedOutcome, len(os))
	for i, o := range os {
		out[i] = storedOutcome(o)
	}
	return out
}

func loadOutcomes(os []storedOutcome) []Outcome {
	out := make([]Outcome, len(os))
	for i, o := range os {
		out[i] = Outcome(o)
	}
	return out
}

func insertStatus(ctx context.Context, tx *sql.Tx, account string, st Status) error {
	d, err := json.Marshal(statusDetails{Successes: storeOutcomes(st.Successes), Failures: storeOutcomes(st.Failures), Pendings: storeOutcomes(st.Pendings)})
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO taxii_statuses (id, collection_id, account_id, requested_at, total, successes, failures, pendings, details)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		st.ID, st.Collection, account, st.RequestedAt, st.Total, len(st.Successes), len(st.Failures), len(st.Pendings), string(d))
	return err
}

func selectStatus(ctx context.Context, q store.Queryer, id string) (Status, string, error) {
	var st Status
	var account, details string
	var n1, n2, n3 int
	err := q.QueryRowContext(ctx, `SELECT id, collection_id, account_id, requested_at, total, successes, failures, pendings, details FROM taxii_statuses WHERE id = $1`, id).
		Scan(&st.ID, &st.Collection, &account, &st.RequestedAt, &st.Total, &n1, &n2, &n3, &details)
	if err != nil {
		return st, "", err
	}
	var d statusDetails
	if err := json.Unmarshal([]byte(details), &d); err != nil {
		return st, "", err
	}
	st.Successes, st.Failures, st.Pendings = loadOutcomes(d.Successes), loadOutcomes(d.Failures), loadOutcomes(d.Pendings)
	st.RequestedAt = st.RequestedAt.UTC()
	return st, account, nil
}
