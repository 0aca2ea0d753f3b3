package checks

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/detente/detente/internal/webhook"
)

func (s *Service) publish(ctx context.Context, tx *sql.Tx, e webhook.Event) error {
	return webhook.PublishTo(ctx, tx, s.hooks, e)
}

// publishOpened tells each State with POCs in the campaign that it opened:
// the campaign and its deadline, never the tokens.
func (s *Service) publishOpened(ctx context.Context, tx *sql.Tx, c Check, at time.Time, perState map[string]int) error {
	codes := make([]string, 0, len(perState))
	for code := range perState {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	for _, code := range codes {
		e := webhook.Event{Type: webhook.PingOpened, States: []string{code}, Path: "/checks/" + c.ID, At: at,
			Data: webhook.PingOpenedEvent{CampaignID: c.ID, Name: c.Name, State: code, Levels: c.Levels, Challenges: perState[code],
				OpenedAt: at.UTC(), ClosesAt: c.ClosesAt.UTC()}}
		if err := s.publish(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// publishClosed tells the secretariat a campaign closed, with its overall
// figures.
func (s *Service) publishClosed(ctx context.Context, tx *sql.Tx, c Check, at time.Time) error {
	if s.hooks == nil {
		return nil
	}
	all, err := s.challenges(ctx, tx, `campaign_id = $1`, c.ID)
	if err != nil {
		return err
	}
	overall := report(c, all).Overall
	states := map[string]bool{}
	for _, ch := range all {
		states[ch.State] = true
	}
	var opened *time.Time
	if c.OpenedAt != nil {
		t := c.OpenedAt.UTC()
		opened = &t
	}
	return s.publish(ctx, tx, webhook.Event{Type: webhook.PingClosed, Secretariat: true, Path: "/checks/" + c.ID, At: at,
		Data: webhook.PingClosedEvent{CampaignID: c.ID, Name: c.Name, OpenedAt: opened, ClosedAt: at.UTC(), States: len(states),
			Challenges: overall.Total, Acknowledged: overall.Acknowledged, Bounced: overall.Bounced, ResponseRate: overall.Rate}})
}
