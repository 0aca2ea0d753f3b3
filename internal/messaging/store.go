package messaging

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// The paged reads of messages, the condition lists and search put on
// them, and what the store files of the package share. Each table's
// other SQL is in the store file named for it.

// box is the table a page of messages is read from, by an index in the
// order the page shows.
type box int

const (
	boxDelivered box = iota // deliveries(state_code, queued_at, message_id)
	boxNamed                // message_named(account_id, created_at, message_id)
	boxSent                 // messages(sender_state, created_at)
	boxReadable             // every message a may read, as a search over them
)

// messagePage reads up to limit messages of b that a may read and that
// match f, newest first, after the key after (nil for the first page).
// A delivery is queued when its message is written, so queued_at is the
// message's time and the three orders agree.
//
// A search on SQLite is read from the full-text index instead, newest
// stored first, and stops at limit: FTS5 gives its matches in rowid
// order without building them all, where the order of time would have
// to sort every match. The rowids are returned beside the messages for
// merging two boxes in that order; elsewhere they are nil.
func (s *Service) messagePage(ctx context.Context, a actor.Actor, f ListFilter, b box, after *messageKey, limit int) ([]Message, []int64, error) {
	q, args, stored := s.pageQuery(a, f, b, after, limit)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, nil, errs.Internalf(err, "list messages")
	}
	var seqs []int64
	ms, err := store.Collect(rows, func(r *sql.Rows) (Message, error) {
		if !stored {
			return scanMessage(r)
		}
		var seq int64
		m, err := scanMessage(withRowid{r, &seq})
		seqs = append(seqs, seq)
		return m, err
	})
	if err != nil {
		return nil, nil, errs.Internalf(err, "list messages")
	}
	return ms, seqs, nil
}

// pageQuery is messagePage's statement, and whether it reads rowids.
func (s *Service) pageQuery(a actor.Actor, f ListFilter, b box, after *messageKey, limit int) (string, []any, bool) {
	cond, args := where(s.db.Engine, a, f)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	stored := s.db.Engine == store.SQLite && len(searchWords(f.Query)) > 0
	var from, at, id string
	switch b {
	case boxDelivered:
		from, at, id = `deliveries d JOIN messages m ON m.id = d.message_id`, `d.queued_at`, `d.message_id`
		cond += ` AND d.state_code = ` + arg(a.State)
	case boxNamed:
		from, at, id = `message_named n JOIN messages m ON m.id = n.message_id`, `n.created_at`, `n.message_id`
		cond += ` AND n.account_id = ` + arg(a.AccountID)
	case boxSent:
		from, at, id = `messages m`, `m.created_at`, `m.id`
		cond += ` AND m.sender_state = ` + arg(a.State)
	case boxReadable:
		from, at, id = `messages m`, `m.created_at`, `m.id`
	}
	cols, order := messageCols, at+` DESC, `+id+` DESC`
	if stored {
		// CROSS JOIN keeps the index outermost, so the page is read in
		// its order and the walk stops at limit.
		seq := `f.rowid`
		if b == boxNamed {
			// A person's named messages are a short list of their own:
			// walked whole, each tested for the words, they cost what the
			// list holds, where walking the index would pass over every
			// match in the installation to find the few that name them.
			seq = `m.rowid`
			for _, w := range searchWords(f.Query) {
				cond += ` AND ' ' || m.search_text LIKE ` + arg(`% `+w+`%`)
			}
		} else {
			from = `messages_fts f CROSS JOIN messages m ON m.rowid = f.rowid`
			if b == boxDelivered {
				from += ` JOIN deliveries d ON d.message_id = m.id`
			}
			cond += ` AND messages_fts MATCH ` + arg(ftsMatch(searchWords(f.Query)))
		}
		if after != nil {
			cond += ` AND ` + seq + ` < (SELECT rowid FROM messages WHERE id = ` + arg(after.id) + `)`
		}
		cols, order = messageCols+`, `+seq, seq+` DESC`
	} else if after != nil {
		t := arg(after.at)
		cond += ` AND (` + at + ` < ` + t + ` OR (` + at + ` = ` + t + ` AND ` + id + ` < ` + arg(after.id) + `))`
	}
	q := `SELECT ` + cols + ` FROM ` + from + ` WHERE ` + cond + ` ORDER BY ` + order + ` LIMIT ` + arg(limit)
	if f.Query != "" {
		args = s.db.PlanPerRun(args)
	}
	return q, args, stored
}

// withRowid scans a row of messageCols followed by a rowid.
type withRowid struct {
	r     *sql.Rows
	rowid *int64
}

func (w withRowid) Scan(dest ...any) error { return w.r.Scan(append(dest, w.rowid)...) }

// ftsMatch is an FTS5 query for words: each must begin a word of the
// subject or the body.
func ftsMatch(words []string) string {
	match := make([]string, len(words))
	for i, w := range words {
		match[i] = `"` + w + `"*`
	}
	return strings.Join(match, " ")
}

// where builds the condition for f over messages m that a may read; the
// box is chosen by the table a page is read from (messagePage). What a
// may read is the disclosure policy's condition (readableSQL). A search
// on SQLite is joined to the full-text index by messagePage; on
// PostgreSQL it is a condition on the GIN index.
func where(engine store.Engine, a actor.Actor, f ListFilter) (string, []any) {
	cond, args := readableSQL(a, 1)
	q := cond
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
	if f.Unread {
		q += ` AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.account_id = ` + arg(a.AccountID) + `)`
	}
	if words := searchWords(f.Query); len(words) > 0 && engine == store.Postgres {
		// The engine's full-text index, behind the same TLP condition:
		// every word must begin a word of the subject or the body.
		terms := make([]string, len(words))
		for i, w := range words {
			terms[i] = w + ":*"
		}
		q += ` AND m.search_vector @@ to_tsquery('simple', ` + arg(strings.Join(terms, " & ")) + `)`
	}
	return q, args
}

// placeholders writes n placeholders numbered from $from, for an IN list,
// and returns them with vs as arguments.
func placeholders(from int, vs []string) (string, []any) {
	marks := make([]string, len(vs))
	args := make([]any, len(vs))
	for i, v := range vs {
		marks[i] = fmt.Sprintf("$%d", from+i)
		args[i] = v
	}
	return "(" + strings.Join(marks, ", ") + ")", args
}

// timeOrNil is a nullable column read back: nil for NULL.
func timeOrNil(t sql.NullTime) *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// nonNilStrings keeps a nil list as an empty JSON array rather than null.
func nonNilStrings(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}
