package messaging

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/webhook"
)

func (s *Service) publish(ctx context.Context, tx *sql.Tx, e webhook.Event) error {
	return webhook.PublishTo(ctx, tx, s.hooks, e)
}

// hookMessage describes m for an event, with its content only where the
// disclosure policy lets a webhook carry it.
func hookMessage(m Message) webhook.MessageInfo {
	info := webhook.MessageInfo{ID: m.ID, ThreadID: m.ThreadID, ParentID: m.ParentID, Type: string(m.Type), Urgency: string(m.Urgency),
		TLP: m.TLP, PAP: m.PAP, Level: string(m.Level), SenderState: m.SenderState, AckRequested: m.AckRequested, Exercise: m.Exercise,
		SentAt: m.CreatedAt.UTC(), ContentWithheld: true}
	if WebhookContent(m) {
		info.ContentWithheld = false
		info.Subject, info.Body, info.Fields, info.RequestedAction = m.Subject, m.Body, m.Fields, m.RequestedAction
	}
	return info
}

func hookDelivery(d Delivery) webhook.DeliveryInfo {
	return webhook.DeliveryInfo{ID: d.ID, State: d.State, Status: string(d.Status), AckDueAt: utc(d.AckDueAt), ResponseDueAt: utc(d.ResponseDueAt),
		AcknowledgedAt: utc(d.AcknowledgedAt), RespondedAt: utc(d.RespondedAt), EscalatedAt: utc(d.EscalatedAt)}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}

// publishReceived tells each recipient State of a message sent to it.
func (s *Service) publishReceived(ctx context.Context, tx *sql.Tx, m Message) error {
	for _, d := range m.Deliveries {
		e := webhook.Event{Type: webhook.MessageReceived, States: []string{d.State}, Path: "/threads/" + m.ThreadID, At: m.CreatedAt,
			Data: webhook.MessageEvent{Message: hookMessage(m), Delivery: hookDelivery(d)}}
		if err := s.publish(ctx, tx, e); err != nil {
			return err
		}
	}
	return nil
}

// publishDelivery tells states of what happened to m's delivery to state,
// reading the delivery as the transaction left it.
func (s *Service) publishDelivery(ctx context.Context, tx *sql.Tx, kind string, m Message, state string, states []string) error {
	if s.hooks == nil {
		return nil
	}
	var d Delivery
	var status string
	var t [5]sql.NullTime
	err := tx.QueryRowContext(ctx, `SELECT id, status, ack_due_at, response_due_at, acknowledged_at, responded_at, escalated_at
		FROM deliveries WHERE message_id = $1 AND state_code = $2`, m.ID, state).Scan(&d.ID, &status, &t[0], &t[1], &t[2], &t[3], &t[4])
	if err != nil {
		return errs.Internalf(err, "load delivery for %s", kind)
	}
	d.State, d.Status = state, Status(status)
	for i, dst := range []**time.Time{&d.AckDueAt, &d.ResponseDueAt, &d.AcknowledgedAt, &d.RespondedAt, &d.EscalatedAt} {
		if t[i].Valid {
			v := t[i].Time
			*dst = &v
		}
	}
	return s.publish(ctx, tx, webhook.Event{Type: kind, States: states, Path: "/threads/" + m.ThreadID, At: s.clock.Now(),
		Data: webhook.MessageEvent{Message: hookMessage(m), Delivery: hookDelivery(d)}})
}

// publishAcknowledged tells the sender State that state acknowledged m.
func (s *Service) publishAcknowledged(ctx context.Context, tx *sql.Tx, m Message, state string) error {
	return s.publishDelivery(ctx, tx, webhook.DeliveryAcknowledged, m, state, []string{m.SenderState})
}

// publishResponded tells the sender State that state answered m.
func (s *Service) publishResponded(ctx context.Context, tx *sql.Tx, m Message, state string) error {
	return s.publishDelivery(ctx, tx, webhook.DeliveryResponded, m, state, []string{m.SenderState})
}

// publishEscalated tells the sender and the recipient State that m was
// not acknowledged by state in time.
func (s *Service) publishEscalated(ctx context.Context, tx *sql.Tx, m Message, state string) error {
	return s.publishDelivery(ctx, tx, webhook.DeliveryEscalated, m, state, []string{m.SenderState, state})
}
