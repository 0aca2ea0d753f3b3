package messaging

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/tlp"
)

// The SQL of the messages table, and of message_named: the accounts a
// message marked for named people names, written and read with it. Reads
// of what a person may see put the disclosure policy's condition on
// messages m (readableSQL).

const messageCols = `m.id, m.thread_id, COALESCE(m.parent_id, ''), m.type, m.template_version, m.sender_state, m.sender_account_id, m.sender_label,
	m.urgency, m.tlp, m.pap, m.level, m.subject, m.body, m.fields, m.provisions, m.requested_action, m.ack_requested, m.exercise, m.created_at`

func scanMessage(row interface{ Scan(...any) error }) (Message, error) {
	var m Message
	var typ, urg, label, level, fields, provs string
	err := row.Scan(&m.ID, &m.ThreadID, &m.ParentID, &typ, &m.TemplateVersion, &m.SenderState, &m.SenderAccountID, &m.SenderLabel,
		&urg, &label, &m.PAP, &level, &m.Subject, &m.Body, &fields, &provs, &m.RequestedAction, &m.AckRequested, &m.Exercise, &m.CreatedAt)
	if err != nil {
		return m, err
	}
	m.Type, m.Urgency, m.TLP, m.Level = Type(typ), Urgency(urg), tlp.Label(label), Level(level)
	if err := json.Unmarshal([]byte(fields), &m.Fields); err != nil {
		return m, err
	}
	err = json.Unmarshal([]byte(provs), &m.Provisions)
	return m, err
}

// scanMessages is scanMessage as store.Collect takes it, one row at a time.
func scanMessages(r *sql.Rows) (Message, error) { return scanMessage(r) }

// insertMessage writes m, with the text the full-text indexes hold of it.
func insertMessage(ctx context.Context, tx *sql.Tx, m Message) error {
	fields, _ := json.Marshal(m.Fields)
	provs, _ := json.Marshal(nonNilStrings(m.Provisions))
	_, err := tx.ExecContext(ctx, `INSERT INTO messages (id, thread_id, parent_id, type, template_version, sender_state, sender_account_id, sender_label,
		urgency, tlp, pap, level, subject, body, fields, provisions, requested_action, ack_requested, exercise, created_at, search_text)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
		m.ID, m.ThreadID, store.NullString(m.ParentID), string(m.Type), m.TemplateVersion, m.SenderState, m.SenderAccountID, m.SenderLabel,
		string(m.Urgency), string(m.TLP), m.PAP, string(m.Level), m.Subject, m.Body, string(fields), string(provs), m.RequestedAction, m.AckRequested, m.Exercise, m.CreatedAt,
		searchText(m))
	return err
}

// insertNamed records that the message with messageID, written at at,
// names accounts.
func insertNamed(ctx context.Context, tx *sql.Tx, messageID string, accounts []string, at time.Time) error {
	for _, acc := range accounts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO message_named (message_id, account_id, created_at) VALUES ($1, $2, $3)`, messageID, acc, at); err != nil {
			return err
		}
	}
	return nil
}

// selectMessage reads the message id, without its parties (loadParties).
func selectMessage(ctx context.Context, q store.Queryer, id string) (Message, error) {
	return scanMessage(q.QueryRowContext(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.id = $1`, id))
}

// threadMessages reads the messages of thread a may see, oldest first,
// without their parties.
func threadMessages(ctx context.Context, q store.Queryer, a actor.Actor, thread string) ([]Message, error) {
	cond, args := readableSQL(a, 2)
	rows, err := q.QueryContext(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.thread_id = $1 AND `+cond+` ORDER BY m.created_at, m.id`,
		append([]any{thread}, args...)...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanMessages)
}

// unreadInThread reads the messages of thread that a may read and has
// not read.
func unreadInThread(ctx context.Context, q store.Queryer, a actor.Actor, thread string) ([]Message, error) {
	cond, args := readableSQL(a, 3)
	rows, err := q.QueryContext(ctx, `SELECT `+messageCols+` FROM messages m WHERE m.thread_id = $1 AND `+cond+`
		AND NOT EXISTS (SELECT 1 FROM message_reads r WHERE r.message_id = m.id AND r.account_id = $2)`,
		append([]any{thread, a.AccountID}, args...)...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, scanMessages)
}

// threadsOf maps those of ids that name messages a may see to their
// threads.
func threadsOf(ctx context.Context, q store.Queryer, a actor.Actor, ids []string) (map[string]string, error) {
	in, args := placeholders(1, ids)
	cond, more := readableSQL(a, len(ids)+1)
	rows, err := q.QueryContext(ctx, `SELECT m.id, m.thread_id FROM messages m WHERE m.id IN `+in+` AND `+cond, append(args, more...)...)
	if err != nil {
		return nil, err
	}
	pairs, err := store.Collect(rows, func(r *sql.Rows) ([2]string, error) {
		var p [2]string
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return nil, err
	}
	out := make(map[string]string, len(pairs))
	for _, p := range pairs {
		out[p[0]] = p[1]
	}
	return out, nil
}

// named is one account a message names.
type named struct{ messageID, accountID string }

// namedOf reads the accounts named by the messages messageIDs, by message
// and account.
func namedOf(ctx context.Context, q store.Queryer, messageIDs []string) ([]named, error) {
	in, args := placeholders(1, messageIDs)
	rows, err := q.QueryContext(ctx, `SELECT message_id, account_id FROM message_named WHERE message_id IN `+in+` ORDER BY message_id, account_id`, args...)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (named, error) {
		var n named
		return n, r.Scan(&n.messageID, &n.accountID)
	})
}

// unindexed reads the id, subject and body of up to limit messages stored
// without a search text.
func unindexed(ctx context.Context, q store.Queryer, limit int) ([]Message, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, subject, body FROM messages WHERE search_text = '' LIMIT $1`, limit)
	if err != nil {
		return nil, err
	}
	return store.Collect(rows, func(r *sql.Rows) (Message, error) {
		var m Message
		return m, r.Scan(&m.ID, &m.Subject, &m.Body)
	})
}

// setSearchText stores text as the search text of the message id.
func setSearchText(ctx context.Context, tx *sql.Tx, id, text string) error {
	_, err := tx.ExecContext(ctx, `UPDATE messages SET search_text = $1 WHERE id = $2`, text, id)
	return err
}
