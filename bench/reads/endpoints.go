package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/checks"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/page"
)

// person is someone signed in, with a browser session and an API token.
type person struct {
	label   string
	actor   actor.Actor
	session string
	token   string
}

func (p person) cookie(r *http.Request) {
	r.AddCookie(&http.Cookie{Name: "__Host-detente", Value: p.session})
}

func (p person) bearer(r *http.Request) {
	r.Header.Set("Authorization", "Bearer "+p.token)
}

// signIn opens a session for email through the access service, passing
// the second factor where the account needs one (enrolling it first
// unless totpSecret says it is enrolled), and creates a read-only API
// token.
func signIn(ctx context.Context, a *app.App, label, email, totpSecret string) (person, error) {
	tok, sess, err := a.Access.SignIn(ctx, email, password, "127.0.0.1", "bench")
	if err != nil {
		return person{}, fmt.Errorf("sign in %s: %w", email, err)
	}
	if !sess.Complete() {
		if totpSecret == "" {
			enr, err := a.Access.BeginTOTP(ctx, tok)
			if err != nil {
				return person{}, fmt.Errorf("second factor of %s: %w", email, err)
			}
			totpSecret = enr.Secret
		}
		if tok, sess, err = secondFactor(ctx, a, tok, totpSecret); err != nil {
			return person{}, fmt.Errorf("second factor of %s: %w", email, err)
		}
	}
	p := person{label: label, actor: sess.Actor(), session: tok}
	if p.token, _, err = a.Access.CreateToken(ctx, p.actor, "bench", []actor.Scope{actor.ScopeRead}, 24*time.Hour); err != nil {
		return person{}, fmt.Errorf("token for %s: %w", email, err)
	}
	return p, nil
}

// secondFactor passes TOTP. A code is good once: a run that signed the
// same account in moments ago used the current one, so the next step's
// code is tried too, and failing both, the one after a wait.
func secondFactor(ctx context.Context, a *app.App, tok, secret string) (string, access.Session, error) {
	var err error
	for _, ahead := range []time.Duration{0, 30 * time.Second, -1} {
		if ahead < 0 {
			select {
			case <-ctx.Done():
				return "", access.Session{}, ctx.Err()
			case <-time.After(30 * time.Second):
			}
			ahead = 30 * time.Second
		}
		var code string
		if code, err = access.TOTPCode(secret, a.Clock.Now().Add(ahead)); err != nil {
			return "", access.Session{}, err
		}
		var newTok string
		var sess access.Session
		if newTok, sess, err = a.Access.CompleteTOTP(ctx, tok, code); err == nil {
			return newTok, sess, nil
		}
	}
	return "", access.Session{}, err
}

// cast is who reads and what they read: the demo's people and subjects,
// or those a dataset names.
type cast struct {
	poc, secretariat string // emails
	secretariatTOTP  string // the secretariat's enrolled secret, if any
	state            string // the POC's State
	thread, check    string // IDs; found in the data when empty
	search           string // a word many communications hold
	library          string // a word many library documents hold
}

// demoCast is the demo's: France's duty officer and the secretariat.
var demoCast = cast{poc: "cert.duty@fr.demo.invalid", secretariat: "secretariat@un.demo.invalid", state: "FR", search: "phishing", library: "strategy"}

// endpoints signs in the people who read each page and finds the pages'
// subjects (a thread, a check) in the data where the cast does not name
// them.
func endpoints(ctx context.Context, a *app.App, c cast) ([]Endpoint, error) {
	poc, err := signIn(ctx, a, c.state+" POC", c.poc, "")
	if err != nil {
		return nil, err
	}
	sec, err := signIn(ctx, a, "secretariat", c.secretariat, c.secretariatTOTP)
	if err != nil {
		return nil, err
	}
	if c.thread == "" {
		if c.thread, err = richestThread(ctx, a, poc.actor); err != nil {
			return nil, err
		}
	}
	if c.check == "" {
		if c.check, err = closedCheck(ctx, a, sec.actor); err != nil {
			return nil, err
		}
	}
	cycle, err := fullestCycle(ctx, a, poc.actor)
	if err != nil {
		return nil, err
	}
	page := func(name, path string, p person, goal bool) Endpoint {
		return Endpoint{Name: name, Path: path, As: p.label + " (cookie)", Goal: goal, auth: p.cookie, html: true}
	}
	api := func(name, path string, p person, goal bool) Endpoint {
		return Endpoint{Name: name, Path: path, As: p.label + " (token)", Goal: goal, auth: p.bearer}
	}
	return []Endpoint{
		page("directory", "/directory", poc, true),
		api("api pocs", "/api/v1/pocs", poc, true),
		page("State page", "/directory/states/"+c.state, poc, true),
		page("catalogue", "/framework", poc, true),
		api("api states", "/api/v1/states", poc, true),
		page("inbox", "/messages", poc, false),
		page("message search", "/messages?q="+url.QueryEscape(c.search), poc, false),
		page("thread", "/threads/"+c.thread, poc, false),
		page("checks", "/checks", sec, false),
		page("check report", "/checks/"+c.check, sec, false),
		page("audit log", "/admin/audit", sec, false),
		page("accounts", "/admin/accounts", sec, false),
		api("api audit", "/api/v1/audit", sec, false),
		api("api accounts", "/api/v1/accounts", sec, false),
		// Transparency, capacity building and exercises: lists paged by
		// key and counts kept as items change, whatever the data holds.
		page("State profile", "/profiles/"+c.state, poc, false),
		page("profiles compared", "/profiles/compare?state="+c.state+"&state=KE&state=JP", poc, false),
		page("policy library", "/library", poc, false),
		page("library search", "/library?q="+url.QueryEscape(c.library), poc, false),
		api("api library", "/api/v1/library/documents", poc, false),
		page("survey cycles", "/survey", poc, false),
		page("survey cycle", "/survey/cycles/"+cycle, poc, false),
		page("capacity needs", "/capacity", poc, false),
		api("api capacity offers", "/api/v1/capacity/offers", poc, false),
		page("exercise runs", "/exercises", sec, false),
		page("scenarios", "/exercises/scenarios", sec, false),
		page("meetings", "/meetings", poc, false),
	}, nil
}

// richestThread is the thread with the most messages that p reads in the
// inbox or among what p's State sent.
func richestThread(ctx context.Context, a *app.App, p actor.Actor) (string, error) {
	count := map[string]int{}
	best := ""
	for _, box := range []messaging.Box{messaging.Inbox, messaging.Sent} {
		msgs, err := a.Messaging.List(ctx, p, messaging.ListFilter{Box: box})
		if err != nil {
			return "", err
		}
		for _, m := range msgs {
			count[m.ThreadID]++
			if best == "" || count[m.ThreadID] > count[best] {
				best = m.ThreadID
			}
		}
	}
	if best == "" {
		return "", errors.New("no communication to read: the data holds no thread for " + p.Email)
	}
	return best, nil
}

// fullestCycle is the survey cycle with the most reports p reads: the
// earliest, which every State had a year to answer.
func fullestCycle(ctx context.Context, a *app.App, p actor.Actor) (string, error) {
	cycles, err := a.Survey.Cycles(ctx, p, page.Request{Limit: page.MaxLimit})
	if err != nil {
		return "", err
	}
	best, most := "", -1
	for _, c := range cycles.Items {
		reports, err := a.Survey.Reports(ctx, p, c.ID, page.Request{Limit: page.MaxLimit})
		if err != nil {
			return "", err
		}
		if len(reports.Items) > most {
			best, most = c.ID, len(reports.Items)
		}
	}
	if best == "" {
		return "", errors.New("no survey cycle in the data")
	}
	return best, nil
}

// closedCheck is the newest closed check, whose report has every figure.
func closedCheck(ctx context.Context, a *app.App, p actor.Actor) (string, error) {
	all, err := a.Checks.Checks(ctx, p)
	if err != nil {
		return "", err
	}
	for _, c := range all {
		if c.Status == checks.Closed {
			return c.ID, nil
		}
	}
	var names []string
	for _, c := range all {
		names = append(names, c.Name+" ("+c.Status+")")
	}
	return "", fmt.Errorf("no closed check in the data: %s", strings.Join(names, ", "))
}
