package messaging

import (
	"context"
	"database/sql"
	"time"

	"github.com/detente/detente/internal/errs"
)

// A Notice tells the world outside the store (the webhooks) what happened
// to a communication, inside the transaction of the change. Messaging
// defines what it says; whoever carries it depends on this package, not
// the other way round, and asks the disclosure policy what it may repeat.
type Notice struct {
	Kind     NoticeKind
	States   []string  // the States to tell
	At       time.Time // when it happened
	Message  Message
	Delivery Delivery // the delivery it concerns
}

// NoticeKind is what happened.
type NoticeKind string

const (
	NoticeReceived     NoticeKind = "received"     // a message reached a recipient State
	NoticeAcknowledged NoticeKind = "acknowledged" // a recipient State acknowledged it
	NoticeResponded    NoticeKind = "responded"    // a recipient State answered it
	NoticeEscalated    NoticeKind = "escalated"    // it was not acknowledged in time
)

// Publisher takes notices inside the change's transaction.
type Publisher interface {
	PublishMessage(ctx context.Context, tx *sql.Tx, n Notice) error
}

func (s *Service) publish(ctx context.Context, tx *sql.Tx, n Notice) error {
	if s.hooks == nil {
		return nil
	}
	if err := s.hooks.PublishMessage(ctx, tx, n); err != nil {
		return errs.Internalf(err, "publish %s", n.Kind)
	}
	return nil
}

// publishReceived tells each recipient State of a message sent to it.
func (s *Service) publishReceived(ctx context.Context, tx *sql.Tx, m Message) error {
	for _, d := range m.Deliveries {
		if err := s.publish(ctx, tx, Notice{Kind: NoticeReceived, States: []string{d.State}, At: m.CreatedAt, Message: m, Delivery: d}); err != nil {
			return err
		}
	}
	return nil
}

// publishDelivery tells states of what happened to m's delivery to state,
// reading the delivery as the transaction left it.
func (s *Service) publishDelivery(ctx context.Context, tx *sql.Tx, kind NoticeKind, m Message, state string, states []string) error {
	if s.hooks == nil {
		return nil
	}
	d, err := deliveryProgress(ctx, tx, m.ID, state)
	if err != nil {
		return errs.Internalf(err, "load delivery for %s", kind)
	}
	return s.publish(ctx, tx, Notice{Kind: kind, States: states, At: s.clock.Now(), Message: m, Delivery: d})
}

// publishAcknowledged tells the sender State that state acknowledged m.
func (s *Service) publishAcknowledged(ctx context.Context, tx *sql.Tx, m Message, state string) error {
	return s.publishDelivery(ctx, tx, NoticeAcknowledged, m, state, []string{m.SenderState})
}

// publishResponded tells the sender State that state answered m.
func (s *Service) publishResponded(ctx context.Context, tx *sql.Tx, m Message, state string) error {
	return s.publishDelivery(ctx, tx, NoticeResponded, m, state, []string{m.SenderState})
}

// publishEscalated tells the sender and the recipient State that m was
// not acknowledged by state in time.
func (s *Service) publishEscalated(ctx context.Context, tx *sql.Tx, m Message, state string) error {
	return s.publishDelivery(ctx, tx, NoticeEscalated, m, state, []string{m.SenderState, state})
}
