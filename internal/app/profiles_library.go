package app

import (
	"context"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/library"
	"github.com/detente/detente/internal/profile"
)

// profileDocuments gives a profile a State's documents of the policy
// library, read with the viewer's actor: what the viewer may not read is
// neither listed nor counted.
type profileDocuments struct{ svc *library.Service }

func (p profileDocuments) Newest(ctx context.Context, a actor.Actor, state string, limit int) ([]profile.Document, error) {
	ds, err := p.svc.Newest(ctx, a, state, limit)
	if err != nil {
		return nil, err
	}
	out := make([]profile.Document, len(ds))
	for i, d := range ds {
		out[i] = profile.Document{ID: d.ID, Title: d.Title, Type: string(d.Type), Language: d.Language, Status: string(d.Status)}
		if d.Date != nil {
			out[i].Date = *d.Date
		}
	}
	return out, nil
}

// PerProvision is one grouped read of the State's rows of the library's
// provision index.
func (p profileDocuments) PerProvision(ctx context.Context, a actor.Actor, state string) (map[string]int, error) {
	return p.svc.PerProvision(ctx, a, state)
}
