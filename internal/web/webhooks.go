package web

import (
	"net/http"

	"github.com/detente/detente/internal/webhook"
)

// webhookFlashes are the fixed messages the webhook pages' redirects show.
var webhookFlashes = map[string]string{
	"webhook-disabled": "The webhook is disabled: no events are sent to it until you enable it.",
	"webhook-enabled":  "The webhook is enabled.",
	"webhook-deleted":  "The webhook was deleted. Events are no longer sent to its address.",
}

type webhooksData struct {
	Hooks     []webhook.Subscription
	Events    []webhook.EventType // what this administrator may subscribe to
	Encrypted bool                // secrets are sealed at rest
	Created   *webhook.Subscription
	Secret    string // the new signing secret, shown once
}

func (s *Server) webhooksData(r *http.Request) (webhooksData, error) {
	a := who(r)
	hooks, err := s.app.Webhooks.List(r.Context(), a)
	if err != nil {
		return webhooksData{}, err
	}
	events, err := s.app.Webhooks.EventTypesFor(a)
	if err != nil {
		return webhooksData{}, err
	}
	return webhooksData{Hooks: hooks, Events: events, Encrypted: s.app.Webhooks.EncryptsSecrets()}, nil
}

func (s *Server) webhooks(w http.ResponseWriter, r *http.Request) {
	d, err := s.webhooksData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "webhooks", page{Title: "Webhooks", Nav: "admin", Data: d, Flash: webhookFlashes[r.URL.Query().Get("done")]})
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	sub, secret, err := s.app.Webhooks.Create(r.Context(), who(r), webhook.Input{URL: r.PostForm.Get("url"), Events: r.PostForm["events"]})
	d, derr := s.webhooksData(r)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	if err != nil {
		s.renderForm(w, r, "webhooks", page{Title: "Webhooks", Nav: "admin", Data: d}, err)
		return
	}
	// The secret is rendered once, in the response to the POST.
	d.Created, d.Secret = &sub, secret
	s.render(w, r, http.StatusOK, "webhooks", page{Title: "Webhooks", Nav: "admin", Data: d, Form: map[string][]string{}})
}

type webhookData struct {
	Hook       webhook.Subscription
	Deliveries []webhook.Delivery
	Secret     string // a rotated secret, shown once
}

func (s *Server) webhookData(r *http.Request) (webhookData, error) {
	a := who(r)
	id := r.PathValue("id")
	sub, err := s.app.Webhooks.Get(r.Context(), a, id)
	if err != nil {
		return webhookData{}, err
	}
	ds, err := s.app.Webhooks.Deliveries(r.Context(), a, id, 100)
	if err != nil {
		return webhookData{}, err
	}
	return webhookData{Hook: sub, Deliveries: ds}, nil
}

func (s *Server) webhookPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.webhookData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "webhook", page{Title: "Webhook", Nav: "admin", Data: d})
}

func (s *Server) disableWebhook(w http.ResponseWriter, r *http.Request) {
	s.setWebhookActive(w, r, false)
}
func (s *Server) enableWebhook(w http.ResponseWriter, r *http.Request) {
	s.setWebhookActive(w, r, true)
}

func (s *Server) setWebhookActive(w http.ResponseWriter, r *http.Request, active bool) {
	if err := s.app.Webhooks.SetActive(r.Context(), who(r), r.PathValue("id"), active); err != nil {
		s.renderError(w, r, err)
		return
	}
	done := "webhook-enabled"
	if !active {
		done = "webhook-disabled"
	}
	redirect(w, r, "/admin/webhooks?done="+done)
}

func (s *Server) deleteWebhook(w http.ResponseWriter, r *http.Request) {
	if err := s.app.Webhooks.Delete(r.Context(), who(r), r.PathValue("id")); err != nil {
		s.renderError(w, r, err)
		return
	}
	redirect(w, r, "/admin/webhooks?done=webhook-deleted")
}

func (s *Server) rotateWebhook(w http.ResponseWriter, r *http.Request) {
	secret, err := s.app.Webhooks.RotateSecret(r.Context(), who(r), r.PathValue("id"))
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d, err := s.webhookData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	d.Secret = secret
	s.render(w, r, http.StatusOK, "webhook", page{Title: "Webhook", Nav: "admin", Data: d})
}
