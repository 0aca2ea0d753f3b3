package messaging

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
)

// ThreadsOf maps those of ids that name messages a may read to their
// threads, in one query: pages that mention messages (the audit log) link
// to the thread only where the reader may open it.
func (s *Service) ThreadsOf(ctx context.Context, a actor.Actor, ids []string) (map[string]string, error) {
	out := map[string]string{}
	var valid []any
	for _, id := range ids {
		if _, err := uuid.Parse(id); err == nil {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 || !a.Authenticated() {
		return out, nil
	}
	marks := make([]string, len(valid))
	for i := range valid {
		marks[i] = fmt.Sprintf("$%d", i+1)
	}
	cond, args := readableSQL(a, len(valid)+1)
	q := `SELECT m.id, m.thread_id FROM messages m WHERE m.id IN (` + strings.Join(marks, ", ") + `) AND ` + cond
	rows, err := s.db.R.QueryContext(ctx, q, append(valid, args...)...)
	if err != nil {
		return nil, errs.Internalf(err, "threads of messages")
	}
	defer rows.Close()
	for rows.Next() {
		var id, thread string
		if err := rows.Scan(&id, &thread); err != nil {
			return nil, errs.Internalf(err, "scan thread")
		}
		out[id] = thread
	}
	return out, rows.Err()
}
