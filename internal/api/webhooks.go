package api

import (
	"net/http"
	"strconv"
	"time"

	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/webhook"
)

type webhookOut struct {
	ID              string     `json:"id"`
	State           string     `json:"state,omitempty"`
	URL             string     `json:"url"`
	Events          []string   `json:"events"`
	Active          bool       `json:"active"`
	CreatedBy       string     `json:"created_by"`
	CreatedAt       time.Time  `json:"created_at"`
	UpdatedAt       time.Time  `json:"updated_at"`
	SecretRotatedAt *time.Time `json:"secret_rotated_at"`
	Delivered       int        `json:"delivered"`
	Failed          int        `json:"failed"`
	Pending         int        `json:"pending"`
}

func webhookFrom(w webhook.Subscription) webhookOut {
	out := webhookOut{ID: w.ID, State: w.State, URL: w.URL, Events: w.Events, Active: w.Active, CreatedBy: w.CreatedBy,
		CreatedAt: utc(w.CreatedAt), UpdatedAt: utc(w.UpdatedAt), SecretRotatedAt: utcPtr(w.SecretRotatedAt),
		Delivered: w.Delivered, Failed: w.Failed, Pending: w.Pending}
	if out.Events == nil {
		out.Events = []string{}
	}
	return out
}

// createdWebhookOut carries the signing secret, shown this once.
type createdWebhookOut struct {
	Webhook webhookOut `json:"webhook"`
	Secret  string     `json:"secret"`
}

type secretOut struct {
	Secret string `json:"secret"`
}

type webhookDeliveryOut struct {
	ID            string     `json:"id"`
	EventID       string     `json:"event_id"`
	EventType     string     `json:"event_type"`
	Status        string     `json:"status"`
	Attempts      int        `json:"attempts"`
	LastStatus    int        `json:"last_status"`
	LastError     string     `json:"last_error,omitempty"`
	CreatedAt     time.Time  `json:"created_at"`
	LastAttemptAt *time.Time `json:"last_attempt_at"`
	DeliveredAt   *time.Time `json:"delivered_at"`
	FailedAt      *time.Time `json:"failed_at"`
}

type eventTypeOut struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type webhookIn struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

func (s *server) listWebhooks(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	subs, err := s.app.Webhooks.List(r.Context(), a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(subs, webhookFrom))
}

func (s *server) webhookEventTypes(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	ts, err := s.app.Webhooks.EventTypesFor(a)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(ts, func(t webhook.EventType) eventTypeOut { return eventTypeOut{Name: t.Name, Description: t.Description} }))
}

func (s *server) createWebhook(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	var in webhookIn
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	sub, secret, err := s.app.Webhooks.Create(r.Context(), a, webhook.Input{URL: in.URL, Events: in.Events})
	if err != nil {
		return err
	}
	w.Header().Set("Location", prefix+"/webhooks/"+sub.ID)
	return writeJSON(w, http.StatusCreated, createdWebhookOut{Webhook: webhookFrom(sub), Secret: secret})
}

func (s *server) getWebhook(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	sub, err := s.app.Webhooks.Get(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, webhookFrom(sub))
}

func (s *server) setWebhookActive(active bool) handler {
	return func(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
		id := r.PathValue("id")
		if err := s.app.Webhooks.SetActive(r.Context(), a, id, active); err != nil {
			return err
		}
		sub, err := s.app.Webhooks.Get(r.Context(), a, id)
		if err != nil {
			return err
		}
		return writeJSON(w, http.StatusOK, webhookFrom(sub))
	}
}

func (s *server) deleteWebhook(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	if err := s.app.Webhooks.Delete(r.Context(), a, r.PathValue("id")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *server) rotateWebhookSecret(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	secret, err := s.app.Webhooks.RotateSecret(r.Context(), a, r.PathValue("id"))
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, secretOut{Secret: secret})
}

func (s *server) webhookDeliveries(w http.ResponseWriter, r *http.Request, a actor.Actor) error {
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 500 {
			return &errs.Error{Code: errs.Invalid, Message: "please correct the query", Fields: map[string]string{"limit": "use a number from 1 to 500"}}
		}
		limit = n
	}
	ds, err := s.app.Webhooks.Deliveries(r.Context(), a, r.PathValue("id"), limit)
	if err != nil {
		return err
	}
	return writeJSON(w, http.StatusOK, listOf(ds, func(d webhook.Delivery) webhookDeliveryOut {
		return webhookDeliveryOut{ID: d.ID, EventID: d.EventID, EventType: d.EventType, Status: d.Status, Attempts: d.Attempts, LastStatus: d.LastStatus,
			LastError: d.LastError, CreatedAt: utc(d.CreatedAt), LastAttemptAt: utcPtr(d.LastAttemptAt), DeliveredAt: utcPtr(d.DeliveredAt), FailedAt: utcPtr(d.FailedAt)}
	}))
}
