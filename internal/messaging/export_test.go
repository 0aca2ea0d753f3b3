package messaging

import (
	"context"
	"fmt"

	"github.com/detente/detente/internal/actor"
)

// UnreadByScan counts a's unread inbox by reading the inbox itself, as the
// maintained counts must agree with.
func (s *Service) UnreadByScan(ctx context.Context, a actor.Actor) (int, error) {
	cond, args := where(s.db.Engine, a, ListFilter{Unread: true})
	// In the inbox: delivered to a's State, or naming a.
	args = append(args, a.State, a.AccountID)
	cond += fmt.Sprintf(` AND (EXISTS (SELECT 1 FROM deliveries bd WHERE bd.message_id = m.id AND bd.state_code = $%d)`+
		` OR EXISTS (SELECT 1 FROM message_named bn WHERE bn.message_id = m.id AND bn.account_id = $%d))`, len(args)-1, len(args))
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages m WHERE `+cond, args...).Scan(&n)
	return n, err
}

// SearchQuery is the statement of a search in a's inbox, among the
// messages delivered to a's State or (named) those naming a, after the
// message id after ("" for the first page).
func (s *Service) SearchQuery(a actor.Actor, words string, named bool, after string) (string, []any) {
	var k *messageKey
	if after != "" {
		k = &messageKey{id: after}
	}
	b := boxDelivered
	if named {
		b = boxNamed
	}
	q, args, _ := s.pageQuery(a, ListFilter{Box: Inbox, Query: words}, b, k, 21)
	return q, args
}
