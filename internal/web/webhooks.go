package web

import (
	"net/http"

	"github.com/detente/detente/internal/i18n"
	"github.com/detente/detente/internal/webhook"
)

// webhookFlashes are the fixed messages the webhook pages' redirects show.
var webhookFlashes = map[string]i18n.Message{
	"webhook-disabled": i18n.M("The webhook is disabled: no events are sent to it until you enable it."),
	"webhook-enabled":  i18n.M("The webhook is enabled."),
	"webhook-deleted":  i18n.M("The webhook was deleted. Events are no longer sent to its address."),
}

// webhookEvent is an event type as the form offers it: its name, a code,
// and what it means in the reader's language.
type webhookEvent struct {
	Name        string
	Description string
}

// webhookEventTexts say what each event means, as the webhook package's
// descriptions do, in the reader's language; the TLP markings stay in
// English, so they are arguments.
var webhookEventTexts = map[string]i18n.Message{
	webhook.MessageReceived: i18n.MC("webhook event", "A communication addressed to your State arrived (content only for {clear} and {green})",
		"clear", "TLP:CLEAR", "green", "TLP:GREEN"),
	webhook.DeliveryAcknowledged: i18n.MC("webhook event", "A recipient State acknowledged a communication your State sent"),
	webhook.DeliveryResponded:    i18n.MC("webhook event", "A recipient State answered a communication your State sent"),
	webhook.DeliveryEscalated:    i18n.MC("webhook event", "A communication was not acknowledged by its deadline and was escalated"),
	webhook.PingOpened:           i18n.MC("webhook event", "A communication check of your State's points of contact opened"),
	webhook.PingClosed:           i18n.MC("webhook event", "A communication check closed, with its overall figures"),
}

// webhookEvents describes events in p's language; an event without a text
// here keeps the webhook package's English description.
func webhookEvents(p *i18n.Printer, es []webhook.EventType) []webhookEvent {
	out := make([]webhookEvent, len(es))
	for i, e := range es {
		out[i] = webhookEvent{Name: e.Name, Description: e.Description}
		if m, ok := webhookEventTexts[e.Name]; ok {
			out[i].Description = p.Msg(m)
		}
	}
	return out
}

type webhooksData struct {
	Hooks     []webhook.Subscription
	Events    []webhookEvent // what this administrator may subscribe to
	Encrypted bool           // secrets are sealed at rest
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
	return webhooksData{Hooks: hooks, Events: webhookEvents(s.printer(r), events), Encrypted: s.app.Webhooks.EncryptsSecrets()}, nil
}

func (s *Server) webhooks(w http.ResponseWriter, r *http.Request) {
	d, err := s.webhooksData(r)
	if err != nil {
		s.renderError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "webhooks", page{Title: s.printer(r).T("Webhooks"), Nav: "admin", Data: d, Flash: webhookFlashes[r.URL.Query().Get("done")]})
}

func (s *Server) createWebhook(w http.ResponseWriter, r *http.Request) {
	sub, secret, err := s.app.Webhooks.Create(r.Context(), who(r), webhook.Input{URL: r.PostForm.Get("url"), Events: r.PostForm["events"]})
	d, derr := s.webhooksData(r)
	if derr != nil {
		s.renderError(w, r, derr)
		return
	}
	if err != nil {
		s.renderForm(w, r, "webhooks", page{Title: s.printer(r).T("Webhooks"), Nav: "admin", Data: d}, err)
		return
	}
	// The secret is rendered once, in the response to the POST.
	d.Created, d.Secret = &sub, secret
	s.render(w, r, http.StatusOK, "webhooks", page{Title: s.printer(r).T("Webhooks"), Nav: "admin", Data: d, Form: map[string][]string{}})
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
	s.render(w, r, http.StatusOK, "webhook", page{Title: s.printer(r).T("Webhook"), Nav: "admin", Data: d})
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
	s.render(w, r, http.StatusOK, "webhook", page{Title: s.printer(r).T("Webhook"), Nav: "admin", Data: d})
}
