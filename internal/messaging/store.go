package messaging

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

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
func (s *Service) messagePage(ctx context.Context, a actor.Actor, f ListFilter, b box, after *messageKey, limit int) ([]Message, error) {
	cond, args := where(s.db.Engine, a, f)
	arg := func(v any) string { args = append(args, v); return fmt.Sprintf("$%d", len(args)) }
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
	if after != nil {
		t := arg(after.at)
		cond += ` AND (` + at + ` < ` + t + ` OR (` + at + ` = ` + t + ` AND ` + id + ` < ` + arg(after.id) + `))`
	}
	q := `SELECT ` + messageCols + ` FROM ` + from + ` WHERE ` + cond + ` ORDER BY ` + at + ` DESC, ` + id + ` DESC LIMIT ` + arg(limit)
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, errs.Internalf(err, "list messages")
	}
	ms, err := store.Collect(rows, func(r *sql.Rows) (Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, errs.Internalf(err, "list messages")
	}
	return ms, nil
}
