package webhook

import (
	"context"
	"database/sql"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/audit"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/store"
)

// Subscription is a URL told of some event types.
type Subscription struct {
	ID              string
	State           string // the owner; empty: the secretariat
	URL             string
	Events          []string
	Active          bool
	CreatedBy       string
	CreatedAt       time.Time
	UpdatedAt       time.Time
	SecretRotatedAt *time.Time
	// Counts of the delivery log, for a glance at the list.
	Delivered int
	Failed    int
	Pending   int
}

// Input is what an administrator fills in.
type Input struct {
	URL    string
	Events []string
}

// Delivery is one line of a subscription's delivery log.
type Delivery struct {
	ID            string
	WebhookID     string
	EventID       string
	EventType     string
	CreatedAt     time.Time
	Attempts      int
	LastStatus    int // HTTP status; 0: no answer
	LastError     string
	LastAttemptAt *time.Time
	DeliveredAt   *time.Time
	FailedAt      *time.Time
	// Status sums it up: delivered, failed (given up), retrying or queued.
	Status string
}

func (d Delivery) status() string {
	switch {
	case d.DeliveredAt != nil:
		return "delivered"
	case d.FailedAt != nil:
		return "failed"
	case d.Attempts > 0:
		return "retrying"
	}
	return "queued"
}

// owner returns whose webhooks a manages: its State's, or "" for the
// secretariat's. Only State administrators and the secretariat manage
// webhooks; each sees and changes its own only.
func owner(a actor.Actor) (string, error) {
	if err := a.RequireSignedIn(); err != nil {
		return "", err
	}
	switch {
	case a.IsSecretariat():
		return "", nil
	case a.Role == actor.StateAdmin && a.State != "":
		return a.State, nil
	}
	return "", errs.E(errs.Forbidden, "only State administrators and the secretariat manage webhooks")
}

func writer(a actor.Actor) (string, error) {
	if err := a.RequireWrite(); err != nil {
		return "", err
	}
	return owner(a)
}

// CanManage reports whether a manages webhooks, for pages deciding what
// to offer; every method checks again.
func (s *Service) CanManage(a actor.Actor) bool { _, err := owner(a); return err == nil }

// EventTypesFor lists the event types a may subscribe to.
func (s *Service) EventTypesFor(a actor.Actor) ([]EventType, error) {
	o, err := owner(a)
	if err != nil {
		return nil, err
	}
	return EventTypesFor(o), nil
}

// load returns a live subscription of owner o. Another owner's, a
// deleted one and a malformed id are all "not found", so existence does
// not leak.
func (s *Service) load(ctx context.Context, q store.Queryer, o, id string) (Subscription, error) {
	notFound := errs.E(errs.NotFound, "no such webhook")
	if _, err := uuid.Parse(id); err != nil {
		return Subscription{}, notFound
	}
	sub, err := selectSub(ctx, q, o, id)
	if store.NoRows(err) {
		return Subscription{}, notFound
	}
	if err != nil {
		return Subscription{}, errs.Internalf(err, "load webhook")
	}
	return sub, nil
}

// checkURL validates where events go, adding what to fix to f.
func (s *Service) checkURL(raw string, f *errs.Fields) string {
	raw = strings.TrimSpace(raw)
	const example = "enter the full address, e.g. https://cert.example.org/detente-events"
	if raw == "" {
		f.Add("url", example)
		return ""
	}
	if len(raw) > 2000 {
		f.Add("url", "use at most 2,000 characters")
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Host == "" || u.Opaque != "" {
		f.Add("url", example)
		return ""
	}
	u.Scheme = strings.ToLower(u.Scheme)
	switch {
	case u.Scheme == "https":
	case u.Scheme == "http" && s.cfg.AllowPrivate:
	case u.Scheme == "http":
		f.Add("url", "use an https:// address: events are sent over TLS only")
		return ""
	default:
		f.Add("url", example)
		return ""
	}
	if u.User != nil {
		f.Add("url", "leave out the user name and password: the signature tells your receiver the events are genuine")
		return ""
	}
	if u.Fragment != "" || strings.Contains(raw, "#") {
		f.Add("url", "remove the #fragment: it is never sent")
		return ""
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			f.Add("url", "use a port between 1 and 65535")
			return ""
		}
	}
	host := strings.ToLower(strings.TrimSuffix(u.Hostname(), "."))
	if !s.cfg.AllowPrivate {
		ip, err := netip.ParseAddr(host)
		if (err == nil && Forbidden(ip)) || host == "localhost" || strings.HasSuffix(host, ".localhost") {
			f.Add("url", "this is a loopback, private or otherwise internal address: events go to public addresses only")
			return ""
		}
	}
	return u.String()
}

func (s *Service) checkEvents(o string, in []string, f *errs.Fields) []string {
	allowed := EventTypesFor(o)
	var out []string
	for _, e := range in {
		e = strings.TrimSpace(e)
		if e == "" || slices.Contains(out, e) {
			continue
		}
		if !slices.ContainsFunc(allowed, func(t EventType) bool { return t.Name == e }) {
			if knownType(e) {
				if o == "" {
					f.Add("events", fmt.Sprintf("%s goes to States, not to the secretariat", e))
				} else {
					f.Add("events", fmt.Sprintf("%s goes to the secretariat only", e))
				}
			} else {
				f.Add("events", fmt.Sprintf("unknown event type %q", e))
			}
			continue
		}
		out = append(out, e)
	}
	if len(out) == 0 {
		f.Add("events", "choose at least one event")
	}
	slices.Sort(out)
	return out
}

// Create subscribes a URL for a's State (or the secretariat). It returns
// the signing secret, which is shown this once.
func (s *Service) Create(ctx context.Context, a actor.Actor, in Input) (Subscription, string, error) {
	o, err := writer(a)
	if err != nil {
		return Subscription{}, "", err
	}
	var f errs.Fields
	now := s.clock.Now().UTC()
	sub := Subscription{ID: newID(), State: o, Active: true, CreatedBy: a.Label(), CreatedAt: now, UpdatedAt: now}
	sub.URL = s.checkURL(in.URL, &f)
	sub.Events = s.checkEvents(o, in.Events, &f)
	if err := f.Err(); err != nil {
		return Subscription{}, "", err
	}
	secret := newSecret()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		n, err := countSubs(ctx, tx, o)
		if err != nil {
			return errs.Internalf(err, "count webhooks")
		}
		if n >= s.cfg.MaxPerOwner {
			return errs.E(errs.Conflict, "you have %d webhooks, the most allowed; delete one first", n)
		}
		err = insertSub(ctx, tx, sub, s.sealer.seal(sub.ID, secret))
		if store.IsUnique(err) {
			return &errs.Error{Code: errs.Invalid, Message: "please correct the highlighted fields", Fields: map[string]string{"url": "this address already has a webhook; change that one instead"}}
		}
		if err != nil {
			return errs.Internalf(err, "insert webhook")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "webhook.create", ObjectType: "webhook", ObjectID: sub.ID, State: o,
			Details: map[string]any{"url": sub.URL, "events": sub.Events}})
	})
	if err != nil {
		return Subscription{}, "", err
	}
	return sub, secret, nil
}

// List returns a's own subscriptions (its State's, or the secretariat's),
// oldest first, with counts from their delivery logs.
func (s *Service) List(ctx context.Context, a actor.Actor) ([]Subscription, error) {
	o, err := owner(a)
	if err != nil {
		return nil, err
	}
	out, err := listSubs(ctx, s.db.R, o)
	if err != nil {
		return nil, errs.Internalf(err, "list webhooks")
	}
	return out, nil
}

// Get returns one of a's own subscriptions.
func (s *Service) Get(ctx context.Context, a actor.Actor, id string) (Subscription, error) {
	o, err := owner(a)
	if err != nil {
		return Subscription{}, err
	}
	return s.load(ctx, s.db.R, o, id)
}

// SetActive disables a subscription (no events are published to it, and
// the deliveries waiting are dropped) or enables it again.
func (s *Service) SetActive(ctx context.Context, a actor.Actor, id string, active bool) error {
	o, err := writer(a)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		sub, err := s.load(ctx, tx, o, id)
		if err != nil {
			return err
		}
		if sub.Active == active {
			return nil
		}
		now := s.clock.Now().UTC()
		if err := setActive(ctx, tx, id, active, now); err != nil {
			return errs.Internalf(err, "update webhook")
		}
		action := "webhook.enable"
		if !active {
			action = "webhook.disable"
			if err := dropPending(ctx, tx, id, now, "not sent: the webhook was disabled"); err != nil {
				return err
			}
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: action, ObjectType: "webhook", ObjectID: id, State: o, Details: map[string]any{"url": sub.URL}})
	})
}

// Delete removes a subscription. Its delivery log stays (for the audit
// trail), its secret is erased and the deliveries waiting are dropped.
func (s *Service) Delete(ctx context.Context, a actor.Actor, id string) error {
	o, err := writer(a)
	if err != nil {
		return err
	}
	return s.db.Tx(ctx, func(tx *sql.Tx) error {
		sub, err := s.load(ctx, tx, o, id)
		if err != nil {
			return err
		}
		now := s.clock.Now().UTC()
		if err := markDeleted(ctx, tx, id, now); err != nil {
			return errs.Internalf(err, "delete webhook")
		}
		if err := dropPending(ctx, tx, id, now, "not sent: the webhook was deleted"); err != nil {
			return err
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "webhook.delete", ObjectType: "webhook", ObjectID: id, State: o, Details: map[string]any{"url": sub.URL}})
	})
}

func dropPending(ctx context.Context, tx *sql.Tx, id string, now time.Time, why string) error {
	if err := failPending(ctx, tx, id, now, why); err != nil {
		return errs.Internalf(err, "drop pending deliveries")
	}
	return nil
}

// RotateSecret replaces a subscription's signing secret and returns the
// new one, shown this once. Deliveries from now on, retries included, are
// signed with it.
func (s *Service) RotateSecret(ctx context.Context, a actor.Actor, id string) (string, error) {
	o, err := writer(a)
	if err != nil {
		return "", err
	}
	secret := newSecret()
	err = s.db.Tx(ctx, func(tx *sql.Tx) error {
		if _, err := s.load(ctx, tx, o, id); err != nil {
			return err
		}
		now := s.clock.Now().UTC()
		if err := setSecret(ctx, tx, id, s.sealer.seal(id, secret), now); err != nil {
			return errs.Internalf(err, "rotate webhook secret")
		}
		return s.audit.Append(ctx, tx, a, audit.Change{Action: "webhook.rotate_secret", ObjectType: "webhook", ObjectID: id, State: o})
	})
	if err != nil {
		return "", err
	}
	return secret, nil
}

// Deliveries returns the newest lines of one of a's subscriptions'
// delivery log (at most limit; 100 if limit is not positive).
func (s *Service) Deliveries(ctx context.Context, a actor.Actor, id string, limit int) ([]Delivery, error) {
	o, err := owner(a)
	if err != nil {
		return nil, err
	}
	if _, err := s.load(ctx, s.db.R, o, id); err != nil {
		return nil, err
	}
	if limit <= 0 || limit > 500 {
		limit = 100
	}
	out, err := deliveryLog(ctx, s.db.R, id, limit)
	if err != nil {
		return nil, errs.Internalf(err, "list deliveries")
	}
	return out, nil
}
