package messaging

import (
	"context"

	"github.com/detente/detente/internal/actor"
)

// UnreadByScan counts a's unread inbox by reading the inbox itself, as the
// maintained counts must agree with.
func (s *Service) UnreadByScan(ctx context.Context, a actor.Actor) (int, error) {
	cond, args := where(s.db.Engine, a, ListFilter{Box: Inbox, Unread: true})
	var n int
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM messages m WHERE `+cond, args...).Scan(&n)
	return n, err
}
