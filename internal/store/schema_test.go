package store_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
)

// column is one column as both engines can describe it.
type column struct {
	Type    string // text, integer, real, bool, time, bytes
	NotNull bool
	Default string // normalised literal, "" for none
}

// schema is what the parity test compares: columns, indexes (by their
// columns and uniqueness, not their names' spelling of constraints) and
// foreign keys.
type schema struct {
	Columns map[string]map[string]column // table → column → description
	Indexes map[string][]string          // table → sorted "unique(a,b)" / "index(a)"
	FKs     map[string][]string          // table → sorted "a→t(b) on delete cascade"
}

// TestSchemaParity migrates a SQLite and a PostgreSQL database and checks
// that every table has the same columns with the same (mapped) types,
// nullability and defaults, the same indexes and the same foreign keys.
// The two migration trees are written by hand; this is what keeps them one
// schema.
func TestSchemaParity(t *testing.T) {
	storetest.RequirePostgres(t)
	ctx := context.Background()
	lite, err := readSQLite(ctx, storetest.Open(t, store.SQLite))
	if err != nil {
		t.Fatal(err)
	}
	pg, err := readPostgres(ctx, storetest.Open(t, store.Postgres))
	if err != nil {
		t.Fatal(err)
	}
	if len(lite.Columns) < 10 {
		t.Fatalf("read only %d tables from SQLite", len(lite.Columns))
	}
	for _, sc := range []schema{lite, pg} {
		for table, cols := range sc.Columns {
			for name, c := range cols {
				if strings.HasPrefix(c.Type, "unknown:") {
					t.Errorf("%s.%s: type %s has no mapping; add it to sqliteTypes or postgresTypes", table, name, c.Type)
				}
			}
		}
	}
	for _, d := range diffSchemas(lite, pg) {
		t.Error(d)
	}
}

// TestSchemaParityNoticesDifferences proves the comparison is not blind:
// each kind of drift between the engines is reported.
func TestSchemaParityNoticesDifferences(t *testing.T) {
	base := func() schema {
		return schema{
			Columns: map[string]map[string]column{"t": {"a": {Type: "text", NotNull: true}, "b": {Type: "time"}}},
			Indexes: map[string][]string{"t": {"index(b)"}},
			FKs:     map[string][]string{"t": {"b→u(id)"}},
		}
	}
	tests := []struct {
		name   string
		change func(s *schema)
	}{
		{"missing table", func(s *schema) { s.Columns["u"] = map[string]column{"id": {Type: "text"}} }},
		{"missing column", func(s *schema) { s.Columns["t"]["c"] = column{Type: "text"} }},
		{"type", func(s *schema) { s.Columns["t"]["b"] = column{Type: "text"} }},
		{"nullability", func(s *schema) { s.Columns["t"]["a"] = column{Type: "text"} }},
		{"default", func(s *schema) { s.Columns["t"]["a"] = column{Type: "text", NotNull: true, Default: "''"} }},
		{"index", func(s *schema) { s.Indexes["t"] = []string{"unique(b)"} }},
		{"foreign key", func(s *schema) { s.FKs["t"] = []string{"b→u(id) on delete cascade"} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			other := base()
			tt.change(&other)
			if d := diffSchemas(base(), other); len(d) == 0 {
				t.Fatal("difference not reported")
			}
		})
	}
	if d := diffSchemas(base(), base()); len(d) != 0 {
		t.Fatalf("equal schemas reported different: %v", d)
	}
}

func diffSchemas(lite, pg schema) []string {
	var out []string
	for _, table := range union(keys(lite.Columns), keys(pg.Columns)) {
		lc, pc := lite.Columns[table], pg.Columns[table]
		if lc == nil || pc == nil {
			out = append(out, fmt.Sprintf("table %s: sqlite has it %v, postgres has it %v", table, lc != nil, pc != nil))
			continue
		}
		for _, col := range union(keys(lc), keys(pc)) {
			l, lok := lc[col]
			p, pok := pc[col]
			switch {
			case !lok || !pok:
				out = append(out, fmt.Sprintf("%s.%s: sqlite has it %v, postgres has it %v", table, col, lok, pok))
			case l != p:
				out = append(out, fmt.Sprintf("%s.%s: sqlite %+v, postgres %+v", table, col, l, p))
			}
		}
		if a, b := strings.Join(lite.Indexes[table], "; "), strings.Join(pg.Indexes[table], "; "); a != b {
			out = append(out, fmt.Sprintf("%s indexes: sqlite [%s], postgres [%s]", table, a, b))
		}
		if a, b := strings.Join(lite.FKs[table], "; "), strings.Join(pg.FKs[table], "; "); a != b {
			out = append(out, fmt.Sprintf("%s foreign keys: sqlite [%s], postgres [%s]", table, a, b))
		}
	}
	return out
}

// sqliteTypes maps declared SQLite types onto the shared vocabulary.
var sqliteTypes = map[string]string{
	"TEXT": "text", "INTEGER": "integer", "BIGINT": "integer", "REAL": "real",
	"BOOLEAN": "bool", "TIMESTAMP": "time", "BLOB": "bytes",
}

// postgresTypes does the same for information_schema's data_type.
var postgresTypes = map[string]string{
	"text": "text", "integer": "integer", "bigint": "integer", "double precision": "real", "real": "real",
	"boolean": "bool", "timestamp with time zone": "time", "bytea": "bytes",
	// schema_migrations is created by Go code with TIMESTAMP on both.
	"timestamp without time zone": "time",
}

func readSQLite(ctx context.Context, db *store.DB) (schema, error) {
	s := schema{Columns: map[string]map[string]column{}, Indexes: map[string][]string{}, FKs: map[string][]string{}}
	tables, err := strings1(ctx, db.R, `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`)
	if err != nil {
		return s, err
	}
	for _, table := range tables {
		if isFTSShadow(table) {
			continue
		}
		cols := map[string]column{}
		var pk []string
		rows, err := db.R.QueryContext(ctx, `SELECT name, type, "notnull", dflt_value, pk FROM pragma_table_info($1)`, table)
		if err != nil {
			return s, err
		}
		for rows.Next() {
			var name, typ string
			var notNull, pkPos int
			var dflt sql.NullString
			if err := rows.Scan(&name, &typ, &notNull, &dflt, &pkPos); err != nil {
				rows.Close()
				return s, err
			}
			mapped, ok := sqliteTypes[strings.ToUpper(typ)]
			if !ok {
				mapped = "unknown:" + typ
			}
			// A primary key column is NOT NULL on PostgreSQL whether or not
			// the migration says so; SQLite only reports what was written.
			cols[name] = column{Type: mapped, NotNull: notNull == 1 || pkPos > 0, Default: normDefault(dflt.String)}
			if pkPos > 0 {
				pk = append(pk, fmt.Sprintf("%d:%s", pkPos, name))
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return s, err
		}
		s.Columns[table] = cols
		var idx []string
		if len(pk) > 0 {
			sort.Strings(pk)
			names := make([]string, len(pk))
			for i, p := range pk {
				_, names[i], _ = strings.Cut(p, ":")
			}
			idx = append(idx, "primary("+strings.Join(names, ",")+")")
		}
		type ixRow struct {
			name   string
			unique bool
			origin string
		}
		var ixs []ixRow
		rows, err = db.R.QueryContext(ctx, `SELECT name, "unique", origin FROM pragma_index_list($1)`, table)
		if err != nil {
			return s, err
		}
		for rows.Next() {
			var r ixRow
			if err := rows.Scan(&r.name, &r.unique, &r.origin); err != nil {
				rows.Close()
				return s, err
			}
			ixs = append(ixs, r)
		}
		rows.Close()
		for _, ix := range ixs {
			if ix.origin == "pk" {
				continue // reported above, from table_info
			}
			cs, err := strings1(ctx, db.R, `SELECT COALESCE(name, '<expr>') FROM pragma_index_xinfo($1) WHERE key = 1 ORDER BY seqno`, ix.name)
			if err != nil {
				return s, err
			}
			idx = append(idx, indexDesc(ix.unique, cs, partialSQLite(ctx, db, ix.name)))
		}
		sort.Strings(idx)
		s.Indexes[table] = idx
		var fks []string
		rows, err = db.R.QueryContext(ctx, `SELECT "table", "from", COALESCE("to", ''), on_delete FROM pragma_foreign_key_list($1)`, table)
		if err != nil {
			return s, err
		}
		for rows.Next() {
			var ref, from, to, onDelete string
			if err := rows.Scan(&ref, &from, &to, &onDelete); err != nil {
				rows.Close()
				return s, err
			}
			if to == "" {
				to = "<pk>"
			}
			fks = append(fks, fkDesc(from, ref, to, onDelete))
		}
		rows.Close()
		sort.Strings(fks)
		s.FKs[table] = fks
	}
	return s, nil
}

// partialSQLite reports whether an index has a WHERE clause.
func partialSQLite(ctx context.Context, db *store.DB, name string) bool {
	var partial bool
	_ = db.R.QueryRowContext(ctx, `SELECT partial FROM pragma_index_list((SELECT tbl_name FROM sqlite_master WHERE name = $1)) WHERE name = $1`, name).Scan(&partial)
	return partial
}

func readPostgres(ctx context.Context, db *store.DB) (schema, error) {
	s := schema{Columns: map[string]map[string]column{}, Indexes: map[string][]string{}, FKs: map[string][]string{}}
	rows, err := db.R.QueryContext(ctx, `
		SELECT c.table_name, c.column_name, c.data_type, c.is_nullable = 'NO', COALESCE(c.column_default, '')
		FROM information_schema.columns c
		JOIN information_schema.tables t ON t.table_schema = c.table_schema AND t.table_name = c.table_name
		WHERE c.table_schema = current_schema() AND t.table_type = 'BASE TABLE'`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var table, name, typ, dflt string
		var notNull bool
		if err := rows.Scan(&table, &name, &typ, &notNull, &dflt); err != nil {
			rows.Close()
			return s, err
		}
		// A full-text column is PostgreSQL's own, as its GIN index is:
		// SQLite keeps the same words in its FTS5 tables.
		if typ == "tsvector" {
			continue
		}
		mapped, ok := postgresTypes[typ]
		if !ok {
			mapped = "unknown:" + typ
		}
		if s.Columns[table] == nil {
			s.Columns[table] = map[string]column{}
		}
		s.Columns[table][name] = column{Type: mapped, NotNull: notNull, Default: normDefault(dflt)}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	// Indexes with their key columns in order (expressions as <expr>),
	// uniqueness, primary-ness and whether they are partial.
	rows, err = db.R.QueryContext(ctx, `
		SELECT t.relname, ix.indexrelid::regclass::text, ix.indisprimary, ix.indisunique, ix.indpred IS NOT NULL,
		       COALESCE(string_agg(COALESCE(a.attname, '<expr>'), ',' ORDER BY k.ord), '')
		FROM pg_index ix
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = current_schema()
		CROSS JOIN LATERAL unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, ord)
		LEFT JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum AND k.attnum > 0
		WHERE k.ord <= ix.indnkeyatts
		GROUP BY t.relname, ix.indexrelid, ix.indisprimary, ix.indisunique, ix.indpred`)
	if err != nil {
		return s, err
	}
	for rows.Next() {
		var table, name, cols string
		var primary, unique, partial bool
		if err := rows.Scan(&table, &name, &primary, &unique, &partial, &cols); err != nil {
			rows.Close()
			return s, err
		}
		// A full-text index is each engine's own: FTS5 tables on SQLite
		// (left out there), a GIN index named *_search here.
		if strings.HasSuffix(name, "_search") {
			continue
		}
		if primary {
			s.Indexes[table] = append(s.Indexes[table], "primary("+cols+")")
			continue
		}
		s.Indexes[table] = append(s.Indexes[table], indexDesc(unique, strings.Split(cols, ","), partial))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	for t := range s.Indexes {
		sort.Strings(s.Indexes[t])
	}
	rows, err = db.R.QueryContext(ctx, `
		SELECT src.relname, ref.relname, a.attname, b.attname, c.confdeltype
		FROM pg_constraint c
		JOIN pg_class src ON src.oid = c.conrelid
		JOIN pg_namespace n ON n.oid = src.relnamespace AND n.nspname = current_schema()
		JOIN pg_class ref ON ref.oid = c.confrelid
		CROSS JOIN LATERAL unnest(c.conkey, c.confkey) AS k(src_att, ref_att)
		JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.src_att
		JOIN pg_attribute b ON b.attrelid = c.confrelid AND b.attnum = k.ref_att
		WHERE c.contype = 'f'`)
	if err != nil {
		return s, err
	}
	actions := map[string]string{"a": "NO ACTION", "r": "RESTRICT", "c": "CASCADE", "n": "SET NULL", "d": "SET DEFAULT"}
	for rows.Next() {
		var table, ref, from, to, del string
		if err := rows.Scan(&table, &ref, &from, &to, &del); err != nil {
			rows.Close()
			return s, err
		}
		s.FKs[table] = append(s.FKs[table], fkDesc(from, ref, to, actions[del]))
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return s, err
	}
	for t := range s.FKs {
		sort.Strings(s.FKs[t])
	}
	// Tables without indexes or keys compare equal to SQLite's empty lists.
	for t := range s.Columns {
		if s.Indexes[t] == nil {
			s.Indexes[t] = nil
		}
	}
	return s, nil
}

func indexDesc(unique bool, cols []string, partial bool) string {
	kind := "index"
	if unique {
		kind = "unique"
	}
	d := kind + "(" + strings.Join(cols, ",") + ")"
	if partial {
		d += " where …"
	}
	return d
}

func fkDesc(from, ref, to, onDelete string) string {
	d := from + "→" + ref + "(" + to + ")"
	if a := strings.ToLower(onDelete); a != "" && a != "no action" {
		d += " on delete " + a
	}
	return d
}

var castSuffix = regexp.MustCompile(`::[a-z ]+$`)

// normDefault writes a default the same way for both engines: PostgreSQL
// adds casts ('x'::text) and spells booleans in lower case.
func normDefault(d string) string {
	d = strings.TrimSpace(castSuffix.ReplaceAllString(d, ""))
	d = strings.TrimSuffix(strings.TrimPrefix(d, "("), ")")
	switch strings.ToLower(d) {
	case "false", "0":
		// BOOLEAN defaults: SQLite keeps FALSE as written.
		if strings.EqualFold(d, "false") {
			return "false"
		}
	case "true":
		return "true"
	case "current_timestamp", "now()":
		return "now"
	}
	return d
}

// isFTSShadow reports tables SQLite creates behind an FTS5 index; the
// PostgreSQL side keeps its text index in a column, not in tables.
func isFTSShadow(name string) bool {
	for _, suf := range []string{"_fts", "_fts_data", "_fts_idx", "_fts_content", "_fts_docsize", "_fts_config"} {
		if strings.HasSuffix(name, suf) {
			return true
		}
	}
	return false
}

func strings1(ctx context.Context, db *sql.DB, q string, args ...any) ([]string, error) {
	rows, err := db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

func union(a, b []string) []string {
	seen := map[string]bool{}
	for _, s := range append(a, b...) {
		seen[s] = true
	}
	out := keys(seen)
	sort.Strings(out)
	return out
}
