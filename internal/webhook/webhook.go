// Package webhook tells a State's CERT tooling, or the secretariat's, of
// events without polling: an administrator subscribes a URL to event types;
// the services publish events inside the transaction of the change they
// follow from; one job per subscription per event POSTs the JSON payload,
// signed with HMAC-SHA256 under a secret only the server and the
// subscriber hold.
//
// What leaves follows the same rules as mail: a communication's content
// travels only when it is TLP:CLEAR or TLP:GREEN; a check's tokens never.
// Deliveries go only to public addresses over https, checked after DNS
// resolution, unless the server is configured for development.
package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/store"
)

// JobDeliver is the job kind that POSTs one event to one subscription.
const JobDeliver = "webhook.deliver"

// Config tunes the service.
type Config struct {
	BaseURL string // how users reach this server; events link to its pages
	// Key, 32 bytes, seals the signing secrets at rest with AES-256-GCM.
	// Without it the secrets are stored as they are.
	Key []byte
	// AllowPrivate lets subscriptions reach loopback and private
	// addresses and use plain http: for tests and development only.
	AllowPrivate bool
	Timeout      time.Duration // per delivery; default 10 s
	MaxPerOwner  int           // subscriptions per State (or the secretariat); default 10
}

// Service implements the webhook use cases and delivers events.
type Service struct {
	db     *store.DB
	audit  *audit.Log
	clock  clock.Clock
	log    *slog.Logger
	cfg    Config
	sealer *sealer
	client *http.Client
}

// New returns the service.
func New(db *store.DB, auditLog *audit.Log, c clock.Clock, log *slog.Logger, cfg Config) (*Service, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 10 * time.Second
	}
	if cfg.MaxPerOwner <= 0 {
		cfg.MaxPerOwner = 10
	}
	cfg.BaseURL = strings.TrimRight(cfg.BaseURL, "/")
	sl, err := newSealer(cfg.Key)
	if err != nil {
		return nil, err
	}
	return &Service{db: db, audit: auditLog, clock: c, log: log, cfg: cfg, sealer: sl, client: NewClient(cfg.AllowPrivate, cfg.Timeout)}, nil
}

// Register sets the delivery handler on q.
func (s *Service) Register(q *jobs.Queue) { q.Register(JobDeliver, s.deliver) }

// EncryptsSecrets reports whether signing secrets are sealed at rest.
func (s *Service) EncryptsSecrets() bool { return s.sealer.aead != nil }

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// deliveryJob is the payload of a JobDeliver. The body is fixed when the
// event happens; the signature is computed at each attempt, with the
// subscription's secret of that moment.
type deliveryJob struct {
	DeliveryID string `json:"delivery_id"`
	WebhookID  string `json:"webhook_id"`
	EventID    string `json:"event_id"`
	EventType  string `json:"event_type"`
	Body       string `json:"body"`
}

// Publish tells the subscribers of e, inside tx (the transaction of the
// change the event follows from): for every active subscription of the
// event's audience that chose its type, a delivery log row and a delivery
// job. Nothing is written when nobody subscribed.
func (s *Service) Publish(ctx context.Context, tx *sql.Tx, e Event) error {
	if !knownType(e.Type) {
		return fmt.Errorf("webhook: unknown event type %q", e.Type)
	}
	audience, err := subscribers(ctx, tx, e.States, e.Secretariat)
	if err != nil {
		return fmt.Errorf("webhook subscribers: %w", err)
	}
	var subs []string
	for _, sub := range audience {
		var types []string
		if json.Unmarshal([]byte(sub.events), &types) == nil && slices.Contains(types, e.Type) {
			subs = append(subs, sub.id)
		}
	}
	if len(subs) == 0 {
		return nil
	}
	now := s.clock.Now().UTC()
	at := e.At
	if at.IsZero() {
		at = now
	}
	env := envelope{ID: newID(), Type: e.Type, Version: Version, OccurredAt: at.UTC(), Data: sanitise(e.Data)}
	if e.Path != "" && s.cfg.BaseURL != "" {
		env.URL = s.cfg.BaseURL + e.Path
	}
	body, err := json.Marshal(env)
	if err != nil {
		return fmt.Errorf("webhook payload: %w", err)
	}
	for _, sub := range subs {
		d := deliveryJob{DeliveryID: newID(), WebhookID: sub, EventID: env.ID, EventType: e.Type, Body: string(body)}
		if err := insertDelivery(ctx, tx, d, now); err != nil {
			return fmt.Errorf("webhook delivery log: %w", err)
		}
		if _, err := jobs.Enqueue(ctx, tx, now, jobs.New{Kind: JobDeliver, Payload: d, DedupeKey: JobDeliver + "/" + env.ID + "/" + sub}); err != nil {
			return err
		}
	}
	return nil
}
