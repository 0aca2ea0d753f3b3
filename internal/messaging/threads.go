package messaging

import (
	"context"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
)

// ThreadsOf maps those of ids that name messages a may read to their
// threads, in one query: pages that mention messages (the audit log) link
// to the thread only where the reader may open it.
func (s *Service) ThreadsOf(ctx context.Context, a actor.Actor, ids []string) (map[string]string, error) {
	var valid []string
	for _, id := range ids {
		if _, err := uuid.Parse(id); err == nil {
			valid = append(valid, id)
		}
	}
	if len(valid) == 0 || !a.Authenticated() {
		return map[string]string{}, nil
	}
	out, err := threadsOf(ctx, s.db.R, a, valid)
	if err != nil {
		return nil, errs.Internalf(err, "threads of messages")
	}
	return out, nil
}
