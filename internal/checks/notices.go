package checks

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/detente/detente/internal/errs"
)

// A Notice tells the world outside the store (the webhooks) that a check
// opened or closed, inside the transaction of the change. This package
// says what it holds; whoever carries it depends on this package.
type Notice struct {
	Kind  NoticeKind
	Check Check
	At    time.Time
	// Opened: the State told and how many of its POCs are checked.
	State      string
	Challenges int
	// Closed: the figures over the whole check, for the secretariat only.
	States  int
	Overall Tally
}

// NoticeKind is what happened.
type NoticeKind string

const (
	NoticeOpened NoticeKind = "opened" // to each State with POCs in the check
	NoticeClosed NoticeKind = "closed" // to the secretariat
)

// Publisher takes notices inside the change's transaction.
type Publisher interface {
	PublishCheck(ctx context.Context, tx *sql.Tx, n Notice) error
}

func (s *Service) publish(ctx context.Context, tx *sql.Tx, n Notice) error {
	if s.hooks == nil {
		return nil
	}
	if err := s.hooks.PublishCheck(ctx, tx, n); err != nil {
		return errs.Internalf(err, "publish check %s", n.Kind)
	}
	return nil
}

// publishOpened tells each State with POCs in the check that it opened:
// the check and its deadline, never the tokens.
func (s *Service) publishOpened(ctx context.Context, tx *sql.Tx, c Check, at time.Time, perState map[string]int) error {
	codes := make([]string, 0, len(perState))
	for code := range perState {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		if err := s.publish(ctx, tx, Notice{Kind: NoticeOpened, Check: c, At: at, State: code, Challenges: perState[code]}); err != nil {
			return err
		}
	}
	return nil
}

// publishClosed tells the secretariat a check closed, with its overall
// figures.
func (s *Service) publishClosed(ctx context.Context, tx *sql.Tx, c Check, at time.Time) error {
	if s.hooks == nil {
		return nil
	}
	r, err := s.report(ctx, tx, c, "", false)
	if err != nil {
		return err
	}
	return s.publish(ctx, tx, Notice{Kind: NoticeClosed, Check: c, At: at, States: len(r.ByState), Overall: r.Overall})
}
