package messaging

import (
	"context"
	"database/sql"
	"slices"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
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
		// In one order for every send, so that two sends to the same
		// States wait for each other's counts instead of deadlocking.
		for _, st := range sortedCopy(m.Recipients) {
			if err := countStateInbox(ctx, tx, st); err != nil {
				return errs.Internalf(err, "count inbox")
			}
		}
		return nil
	}
	for _, acc := range sortedCopy(m.Named) {
		if err := countNamedInbox(ctx, tx, acc); err != nil {
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
	n, err := unreadCount(ctx, s.db.Kept(), a.State, a.AccountID)
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
		batch, err := unindexed(ctx, s.db.R, 500)
		if err != nil {
			return total, errs.Internalf(err, "find messages to index")
		}
		if len(batch) == 0 {
			return total, nil
		}
		err = s.db.Tx(ctx, func(tx *sql.Tx) error {
			for _, m := range batch {
				text := searchText(m)
				if text == "" {
					text = " " // nothing to find, but not asked again
				}
				if err := setSearchText(ctx, tx, m.ID, text); err != nil {
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
	got, err := readOf(ctx, s.db.R, a.AccountID, ids)
	if err != nil {
		return nil, errs.Internalf(err, "read flags")
	}
	for _, id := range got {
		read[id] = true
	}
	return read, nil
}

func sortedCopy(v []string) []string {
	c := slices.Clone(v)
	slices.Sort(c)
	return c
}
