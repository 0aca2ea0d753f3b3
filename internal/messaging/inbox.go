package messaging

import (
	"context"
	"database/sql"
	"fmt"
	"strings"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// The unread badge every signed-in page shows is read from maintained
// counts, not counted over the inbox: a message either sits in the inbox of
// every account of each State it is delivered to, or, when the disclosure
// policy lets only named people read it, in the inbox of those people.
// Send adds to the counts and MarkRead to the account's reads, in their
// own transactions.

// inStateInbox reports whether every account of a recipient State holds m
// in its inbox; otherwise only its named people do.
func inStateInbox(m Message) bool { return Disclosure(m.TLP, ChanList) != Named }

// countInbox adds m to the inbox counts, inside the transaction that
// sends it.
func countInbox(ctx context.Context, tx *sql.Tx, m Message) error {
	if inStateInbox(m) {
		for _, st := range m.Recipients {
			if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_state_counts (state_code, messages) VALUES ($1, 1)
				ON CONFLICT (state_code) DO UPDATE SET messages = inbox_state_counts.messages + 1`, st); err != nil {
				return errs.Internalf(err, "count inbox")
			}
		}
		return nil
	}
	for _, acc := range m.Named {
		if _, err := tx.ExecContext(ctx, `INSERT INTO inbox_account_counts (account_id, named) VALUES ($1, 1)
			ON CONFLICT (account_id) DO UPDATE SET named = inbox_account_counts.named + 1`, acc); err != nil {
			return errs.Internalf(err, "count inbox")
		}
	}
	return nil
}

// inInbox reports whether m is in a's inbox.
func inInbox(a actor.Actor, m Message) bool {
	if inStateInbox(m) {
		for _, st := range m.Recipients {
			if a.State != "" && st == a.State {
				return true
			}
		}
		return false
	}
	for _, acc := range m.Named {
		if acc == a.AccountID {
			return true
		}
	}
	return false
}

// Unread counts the caller's unread inbox messages: two rows read by key.
func (s *Service) Unread(ctx context.Context, a actor.Actor) (int, error) {
	if !a.Authenticated() {
		return 0, nil
	}
	var n int
	err := s.db.Row(ctx, s.db.R, `SELECT
		COALESCE((SELECT messages FROM inbox_state_counts WHERE state_code = $1), 0) +
		COALESCE((SELECT named - readcount FROM inbox_account_counts WHERE account_id = $2), 0)`, a.State, a.AccountID).Scan(&n)
	if err != nil {
		return 0, errs.Internalf(err, "count unread")
	}
	return max(n, 0), nil
}

// IndexForSearch fills the search text of messages stored before there
// was one, a batch at a time; the application runs it at start, and it
// finds nothing to do once they are all indexed.
func (s *Service) IndexForSearch(ctx context.Context) (int, error) {
	total := 0
	for {
		rows, err := s.db.R.QueryContext(ctx, `SELECT id, subject, body FROM messages WHERE search_text = '' LIMIT 500`)
		if err != nil {
			return total, errs.Internalf(err, "find messages to index")
		}
		type row struct{ id, text string }
		var batch []row
		for rows.Next() {
			var m Message
			if err := rows.Scan(&m.ID, &m.Subject, &m.Body); err != nil {
				rows.Close()
				return total, errs.Internalf(err, "read messages to index")
			}
			batch = append(batch, row{m.ID, searchText(m)})
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(batch) == 0 {
			return total, err
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, r := range batch {
				text := r.text
				if text == "" {
					text = " " // nothing to find, but not asked again
				}
				if _, err := tx.ExecContext(ctx, `UPDATE messages SET search_text = $1 WHERE id = $2`, text, r.id); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return total, errs.Internalf(err, "index messages")
		}
		total += len(batch)
	}
}

// ReadFlags says which of the messages ids a has read, in one query over
// them: a list page asks it for the rows it shows.
func (s *Service) ReadFlags(ctx context.Context, a actor.Actor, ids []string) (map[string]bool, error) {
	if err := a.RequireSignedIn(); err != nil {
		return nil, err
	}
	read := make(map[string]bool, len(ids))
	if len(ids) == 0 {
		return read, nil
	}
	args := []any{a.AccountID}
	marks := make([]string, len(ids))
	for i, id := range ids {
		args = append(args, id)
		marks[i] = fmt.Sprintf("$%d", i+2)
	}
	rows, err := s.db.R.QueryContext(ctx, `SELECT message_id FROM message_reads WHERE account_id = $1 AND message_id IN (`+strings.Join(marks, ", ")+`)`, args...)
	if err != nil {
		return nil, errs.Internalf(err, "read flags")
	}
	got, err := store.Collect(rows, func(r *sql.Rows) (string, error) {
		var id string
		return id, r.Scan(&id)
	})
	if err != nil {
		return nil, errs.Internalf(err, "read flags")
	}
	for _, id := range got {
		read[id] = true
	}
	return read, nil
}
