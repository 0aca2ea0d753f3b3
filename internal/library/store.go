package library

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/sharing"
	"github.com/detente/detente/internal/store"
)

// The SQL of the library's tables.

func jsonOf(v []string) string {
	if v == nil {
		v = []string{}
	}
	b, _ := json.Marshal(v) // a list of strings always marshals
	return string(b)
}

// docCols are a document's metadata, never its content or its words.
const docCols = `d.id, d.owner_state, d.doc_type, d.title, d.summary, d.language, d.issued_on, d.status, d.superseded_by,
	d.provisions, d.topics, d.visibility, d.link, d.file_name, d.original_name, d.declared_type, d.detected_type, d.size, d.sha256,
	d.text_status, d.version, d.created_at, d.updated_at, d.updated_by`

func scanDocument(r interface{ Scan(...any) error }, extra ...any) (Document, error) {
	var d Document
	var typ, status, vis, text, provs, topics string
	var issued sql.NullTime
	err := r.Scan(append([]any{&d.ID, &d.Owner, &typ, &d.Title, &d.Summary, &d.Language, &issued, &status, &d.SupersededBy,
		&provs, &topics, &vis, &d.Link, &d.File.Name, &d.File.OriginalName, &d.File.DeclaredType, &d.File.DetectedType,
		&d.File.Size, &d.File.SHA256, &text, &d.Version, &d.CreatedAt, &d.UpdatedAt, &d.UpdatedBy}, extra...)...)
	if err != nil {
		return d, err
	}
	d.Type, d.Status, d.Visibility, d.Text = Type(typ), Status(status), Visibility(vis), TextStatus(text)
	d.CreatedAt, d.UpdatedAt = d.CreatedAt.UTC(), d.UpdatedAt.UTC()
	if issued.Valid {
		t := issued.Time.UTC()
		d.Date = &t
	}
	if d.File.Name != "" {
		d.File.ID, d.File.CreatedAt = d.ID, d.UpdatedAt
	}
	if err := json.Unmarshal([]byte(provs), &d.Provisions); err != nil {
		return d, err
	}
	return d, json.Unmarshal([]byte(topics), &d.Topics)
}

func searchOf(d Document) string { return strings.TrimSpace(d.metaWords + " " + d.fileWords) }

func insertDocument(ctx context.Context, tx *sql.Tx, d Document, createdBy string, content []byte) error {
	f := d.File
	_, err := tx.ExecContext(ctx, `INSERT INTO library_documents (id, owner_state, doc_type, title, summary, language, issued_on, status,
		superseded_by, provisions, topics, visibility, link, file_name, original_name, declared_type, detected_type, size, sha256,
		text_status, file_words, search_text, version, created_by, created_at, updated_at, updated_by, content)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28)`,
		d.ID, d.Owner, string(d.Type), d.Title, d.Summary, d.Language, store.NullTime(d.Date), string(d.Status), d.SupersededBy,
		jsonOf(d.Provisions), jsonOf(d.Topics), string(d.Visibility), d.Link, f.Name, f.OriginalName, f.DeclaredType, f.DetectedType,
		f.Size, f.SHA256, string(d.Text), d.fileWords, searchOf(d), d.Version, createdBy, d.CreatedAt, d.UpdatedAt, d.UpdatedBy, content)
	if err != nil {
		return err
	}
	return insertProvisions(ctx, tx, d)
}

// updateDocument writes d over version d.Version-1 with a new file
// (content) or without one, and reports whether that version was still
// the current one.
func updateDocument(ctx context.Context, tx *sql.Tx, d Document, content []byte) (bool, error) {
	f := d.File
	c, err := store.Changed(tx.ExecContext(ctx, `UPDATE library_documents SET doc_type = $1, title = $2, summary = $3, language = $4,
		issued_on = $5, status = $6, superseded_by = $7, provisions = $8, topics = $9, visibility = $10, link = $11, file_name = $12,
		original_name = $13, declared_type = $14, detected_type = $15, size = $16, sha256 = $17, text_status = $18, file_words = $19,
		search_text = $20, version = $21, updated_at = $22, updated_by = $23, content = $24 WHERE id = $25 AND version = $26`,
		string(d.Type), d.Title, d.Summary, d.Language, store.NullTime(d.Date), string(d.Status), d.SupersededBy, jsonOf(d.Provisions),
		jsonOf(d.Topics), string(d.Visibility), d.Link, f.Name, f.OriginalName, f.DeclaredType, f.DetectedType, f.Size, f.SHA256,
		string(d.Text), d.fileWords, searchOf(d), d.Version, d.UpdatedAt, d.UpdatedBy, content, d.ID, d.Version-1))
	if err != nil || c == 0 {
		return false, err
	}
	return true, replaceProvisions(ctx, tx, d)
}

// updateMetadata writes d's metadata, keeping its file and the file's
// words.
func updateMetadata(ctx context.Context, tx *sql.Tx, d Document) (bool, error) {
	c, err := store.Changed(tx.ExecContext(ctx, `UPDATE library_documents SET doc_type = $1, title = $2, summary = $3, language = $4,
		issued_on = $5, status = $6, superseded_by = $7, provisions = $8, topics = $9, visibility = $10,
		search_text = $11 || ' ' || file_words, version = $12, updated_at = $13, updated_by = $14 WHERE id = $15 AND version = $16`,
		string(d.Type), d.Title, d.Summary, d.Language, store.NullTime(d.Date), string(d.Status), d.SupersededBy, jsonOf(d.Provisions),
		jsonOf(d.Topics), string(d.Visibility), d.metaWords, d.Version, d.UpdatedAt, d.UpdatedBy, d.ID, d.Version-1))
	if err != nil || c == 0 {
		return false, err
	}
	return true, replaceProvisions(ctx, tx, d)
}

func deleteDocument(ctx context.Context, tx *sql.Tx, d Document) (bool, error) {
	if _, err := tx.ExecContext(ctx, `DELETE FROM library_provisions WHERE document_id = $1`, d.ID); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE library_documents SET superseded_by = '' WHERE superseded_by = $1`, d.ID); err != nil {
		return false, err
	}
	c, err := store.Changed(tx.ExecContext(ctx, `DELETE FROM library_documents WHERE id = $1 AND version = $2`, d.ID, d.Version))
	return c == 1, err
}

func replaceProvisions(ctx context.Context, tx *sql.Tx, d Document) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM library_provisions WHERE document_id = $1`, d.ID); err != nil {
		return err
	}
	return insertProvisions(ctx, tx, d)
}

// insertProvisions writes a document's provisions one per row, in one
// statement.
func insertProvisions(ctx context.Context, tx *sql.Tx, d Document) error {
	if len(d.Provisions) == 0 {
		return nil
	}
	var b strings.Builder
	args := []any{d.ID, d.Owner, string(d.Visibility)}
	b.WriteString(`INSERT INTO library_provisions (document_id, provision, owner_state, visibility) VALUES `)
	for k, p := range d.Provisions {
		if k > 0 {
			b.WriteString(", ")
		}
		args = append(args, p)
		fmt.Fprintf(&b, "($1, $%d, $2, $3)", len(args))
	}
	_, err := tx.ExecContext(ctx, b.String(), args...)
	return err
}

func selectDocument(ctx context.Context, q store.Queryer, id string) (Document, error) {
	return scanDocument(q.QueryRowContext(ctx, `SELECT `+docCols+` FROM library_documents d WHERE d.id = $1`, id))
}

func selectContent(ctx context.Context, q store.Queryer, id string) ([]byte, error) {
	var content []byte
	err := q.QueryRowContext(ctx, `SELECT content FROM library_documents WHERE id = $1`, id).Scan(&content)
	return content, err
}

// listKey is the sort key of a list: newest first.
type listKey struct {
	at time.Time
	id string
}

// owner is a list's owner filter: set is false for none.
type owner struct {
	set  bool
	code string // "" for the secretariat
}

// listDocuments reads a page of the documents r may read. A search on
// SQLite walks the FTS5 index outermost, newest stored first (rowid
// order), and stops at the page, as the communications' search does; on
// PostgreSQL it is a condition on the GIN index.
func listDocuments(ctx context.Context, db *store.DB, r sharing.Reader, f Filter, by owner, words []string, after *listKey, limit int) ([]Document, error) {
	cond, args := r.Where("d", "owner_state", nil)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if by.set {
		cond += ` AND d.owner_state = ` + arg(by.code)
	}
	if f.Type != "" {
		cond += ` AND d.doc_type = ` + arg(string(f.Type))
	}
	if f.Provision != "" {
		cond += ` AND EXISTS (SELECT 1 FROM library_provisions p WHERE p.provision = ` + arg(f.Provision) + ` AND p.document_id = d.id)`
	}
	from, cols, order := `library_documents d`, docCols, `d.created_at DESC, d.id DESC`
	fts := len(words) > 0 && db.Engine == store.SQLite
	switch {
	case fts:
		from = `library_documents_fts f CROSS JOIN library_documents d ON d.rowid = f.rowid`
		cond += ` AND library_documents_fts MATCH ` + arg(messaging.FTSMatch(words))
		if after != nil {
			cond += ` AND f.rowid < (SELECT rowid FROM library_documents WHERE id = ` + arg(after.id) + `)`
		}
		order = `f.rowid DESC`
	case len(words) > 0:
		cond += ` AND d.search_vector @@ to_tsquery('simple', ` + arg(messaging.TSQuery(words)) + `)`
		fallthrough
	default:
		if after != nil {
			t := arg(after.at)
			cond += ` AND (d.created_at < ` + t + ` OR (d.created_at = ` + t + ` AND d.id < ` + arg(after.id) + `))`
		}
	}
	q := `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT ` + arg(limit)
	if len(words) > 0 {
		args = db.PlanPerRun(args)
	}
	rows, err := db.Rows(ctx, db.R, q, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Document, error) { return scanDocument(r) })
}

// perProvision counts the documents of state r may read per provision,
// reading only that State's rows of the provisions' index.
func perProvision(ctx context.Context, q store.Queryer, r sharing.Reader, state string) (map[string]int, error) {
	cond, args := r.Where("p", "owner_state", []any{state})
	rows, err := q.QueryContext(ctx, `SELECT p.provision, COUNT(*) FROM library_provisions p WHERE p.owner_state = $1 AND `+cond+
		` GROUP BY p.provision`, args...)
	if err != nil {
		return nil, err
	}
	out := map[string]int{}
	for rows.Next() {
		var p string
		var n int
		if err := rows.Scan(&p, &n); err != nil {
			rows.Close()
			return nil, err
		}
		out[p] = n
	}
	return out, rows.Err()
}
