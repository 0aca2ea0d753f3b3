package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/messaging"
)

// The domains say what happened in their own terms (messaging.Notice,
// checks.Notice); this file turns that into the payloads subscribers
// receive. Webhooks depend on the domains, never the other way round.

var messageTypes = map[messaging.NoticeKind]string{
	messaging.NoticeReceived:     MessageReceived,
	messaging.NoticeAcknowledged: DeliveryAcknowledged,
	messaging.NoticeResponded:    DeliveryResponded,
	messaging.NoticeEscalated:    DeliveryEscalated,
}

// PublishMessage tells the subscribers of the States in n, carrying a
// communication's content only where the disclosure policy lets a webhook
// carry it.
func (s *Service) PublishMessage(ctx context.Context, tx *sql.Tx, n messaging.Notice) error {
	typ, ok := messageTypes[n.Kind]
	if !ok {
		return fmt.Errorf("webhook: no event for a communication %s", n.Kind)
	}
	return s.Publish(ctx, tx, Event{Type: typ, States: n.States, Path: "/threads/" + n.Message.ThreadID, At: n.At,
		Data: MessageEvent{Message: messageInfo(n.Message), Delivery: deliveryInfo(n.Delivery)}})
}

// PublishCheck tells a State that a check of its POCs opened, or the
// secretariat that a check closed.
func (s *Service) PublishCheck(ctx context.Context, tx *sql.Tx, n checks.Notice) error {
	c := n.Check
	switch n.Kind {
	case checks.NoticeOpened:
		return s.Publish(ctx, tx, Event{Type: PingOpened, States: []string{n.State}, Path: "/checks/" + c.ID, At: n.At,
			Data: PingOpenedEvent{CheckID: c.ID, Name: c.Name, State: n.State, Levels: c.Levels, Challenges: n.Challenges,
				OpenedAt: n.At.UTC(), ClosesAt: c.ClosesAt.UTC()}})
	case checks.NoticeClosed:
		return s.Publish(ctx, tx, Event{Type: PingClosed, Secretariat: true, Path: "/checks/" + c.ID, At: n.At,
			Data: PingClosedEvent{CheckID: c.ID, Name: c.Name, OpenedAt: utc(c.OpenedAt), ClosedAt: n.At.UTC(), States: n.States,
				Challenges: n.Overall.Total, Acknowledged: n.Overall.Acknowledged, Bounced: n.Overall.Bounced, ResponseRate: n.Overall.Rate}})
	}
	return fmt.Errorf("webhook: no event for a check %s", n.Kind)
}

// messageInfo describes m, with its content only where the disclosure
// policy lets a webhook carry it.
func messageInfo(m messaging.Message) MessageInfo {
	info := MessageInfo{ID: m.ID, ThreadID: m.ThreadID, ParentID: m.ParentID, Type: string(m.Type), Urgency: string(m.Urgency),
		TLP: m.TLP, PAP: m.PAP, Level: string(m.Level), SenderState: m.SenderState, AckRequested: m.AckRequested, Exercise: m.Exercise,
		SentAt: m.CreatedAt.UTC(), ContentWithheld: true}
	if messaging.WebhookContent(m) {
		info.ContentWithheld = false
		info.Subject, info.Body, info.Fields, info.RequestedAction = m.Subject, m.Body, m.Fields, m.RequestedAction
		if m.Exercise {
			// As in the mail's subject: a receiver that shows only the
			// subject still shows that this is an exercise.
			info.Subject = ExerciseMark + " " + info.Subject
		}
	}
	return info
}

// ExerciseMark heads the subject of an exercise communication in an event.
const ExerciseMark = "[EXERCISE]"

func deliveryInfo(d messaging.Delivery) DeliveryInfo {
	return DeliveryInfo{ID: d.ID, State: d.State, Status: string(d.Status), AckDueAt: utc(d.AckDueAt), ResponseDueAt: utc(d.ResponseDueAt),
		AcknowledgedAt: utc(d.AcknowledgedAt), RespondedAt: utc(d.RespondedAt), EscalatedAt: utc(d.EscalatedAt)}
}

func utc(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := t.UTC()
	return &v
}
