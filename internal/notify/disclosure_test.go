package notify_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/clock"
	"github.com/detente/detente/internal/directory"
	"github.com/detente/detente/internal/gpgtest"
	"github.com/detente/detente/internal/jobs"
	"github.com/detente/detente/internal/messaging"
	"github.com/detente/detente/internal/smtptest"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/tlp"
	"github.com/detente/detente/internal/webhook"
)

// The audiences a communication from FR to KE can meet.
const (
	author         = "the author (FR)"
	senderState    = "another account of the sender State (FR)"
	recipientState = "an account of the recipient State (KE)"
	namedPerson    = "the named person (KE)"
	otherState     = "an account of another State (NG)"
	secretariat    = "the secretariat"
	anonymous      = "anonymous"
)

// What each KE POC gets by mail.
const (
	noMail    = "no mail"
	notice    = "a notice without content"
	clearMail = "the content in clear"
	sealed    = "the content encrypted"
)

// spec is TLP 2.0 as detente applies it, written out by hand: who may open
// or list a communication of each label, what each recipient POC is mailed,
// and what a recipient State's webhook hears.
var spec = map[tlp.Label]struct {
	readers      []string
	plainPOC     string // a KE POC without a key and without a named account
	namedPOC     string // a KE POC without a key, linked to the named person
	keyedPOC     string // a KE POC with an OpenPGP key
	hookContent  bool
	hookAnnounce bool
}{
	tlp.Clear:       {[]string{author, senderState, recipientState, namedPerson, otherState, secretariat}, clearMail, clearMail, sealed, true, true},
	tlp.Green:       {[]string{author, senderState, recipientState, namedPerson, otherState}, clearMail, clearMail, sealed, true, true},
	tlp.Amber:       {[]string{author, senderState, recipientState, namedPerson}, notice, notice, sealed, false, true},
	tlp.AmberStrict: {[]string{author, senderState, recipientState, namedPerson}, notice, notice, sealed, false, true},
	tlp.Red:         {[]string{author, namedPerson}, noMail, notice, noMail, false, true},
}

// TestDisclosurePolicy walks label × channel × audience: a communication
// of each label goes from FR to KE, and every channel — the page and the
// API, lists and search, mail to each kind of POC, webhooks to the
// recipient State and another State — must carry exactly
// what the specification above allows. The channels all ask the one table
// in messaging/disclosure.go; if one decided on its own, or the table
// changed, this fails.
func TestDisclosurePolicy(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		clk := clock.NewFixed(time.Now().UTC().Truncate(time.Second)) // gpg dates its key by the wall clock
		srv := smtptest.Start(t, smtptest.Options{})
		key := gpgtest.NewKey(t, "KE duty <keyed@ke.test.invalid>")
		a := openAppLogging(t, storetest.DSN(t, db.Engine), clk, srv, jobs.Options{}, quiet, "-webhook-allow-private")

		since := clk.Now().AddDate(-1, 0, 0)
		for _, st := range []string{"FR", "KE", "NG"} {
			if err := a.Directory.SetParticipation(ctx, actor.Operator, st, &since); err != nil {
				t.Fatal(err)
			}
		}
		mk := func(email string, role actor.Role, state string) actor.Actor {
			acc, _, err := a.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: email, DisplayName: email, Role: role, State: state, Password: "long enough password"})
			if err != nil {
				t.Fatal(err)
			}
			return acc.Actor()
		}
		who := map[string]actor.Actor{
			author:         mk("poc@fr.test.invalid", actor.POC, "FR"),
			senderState:    mk("viewer@fr.test.invalid", actor.Viewer, "FR"),
			recipientState: mk("poc@ke.test.invalid", actor.POC, "KE"),
			namedPerson:    mk("named@ke.test.invalid", actor.POC, "KE"),
			otherState:     mk("poc@ng.test.invalid", actor.POC, "NG"),
			secretariat:    mk("sec@un.test.invalid", actor.Secretariat, ""),
			anonymous:      actor.Anonymous,
		}
		admins := map[string]actor.Actor{"KE": mk("admin@ke.test.invalid", actor.StateAdmin, "KE"), "NG": mk("admin@ng.test.invalid", actor.StateAdmin, "NG")}
		poc := func(email, pgp, account string) {
			_, err := a.Directory.Nominate(ctx, admins["KE"], "KE", directory.POCInput{Level: directory.Technical, FunctionTitle: "Duty " + email, Organisation: "KE CIRT",
				Emails: []string{email}, Phones: []string{"+254 20 000 0000"}, Languages: []string{"en"}, TimeZone: "Africa/Nairobi", Availability: directory.Always,
				PGPKey: pgp, AccountID: account})
			if err != nil {
				t.Fatal(err)
			}
		}
		const plainAddr, namedAddr, keyedAddr = "plain@ke.test.invalid", "namedpoc@ke.test.invalid", "keyed@ke.test.invalid"
		poc(plainAddr, "", "")
		poc(namedAddr, "", who[namedPerson].AccountID)
		poc(keyedAddr, key.Armored, "")

		// The secretariat, not party to State-to-State traffic, may not
		// even subscribe to it.
		if _, _, err := a.Webhooks.Create(ctx, who[secretariat], webhook.Input{URL: "http://127.0.0.1:9/hook", Events: []string{webhook.MessageReceived}}); err == nil {
			t.Fatal("the secretariat subscribed to communications between States")
		}
		hooks := map[string]string{} // audience → subscription id
		for aud, owner := range map[string]actor.Actor{recipientState: admins["KE"], otherState: admins["NG"]} {
			sub, _, err := a.Webhooks.Create(ctx, owner, webhook.Input{URL: "http://127.0.0.1:9/hook", Events: []string{webhook.MessageReceived}})
			if err != nil {
				t.Fatalf("webhook for %s: %v", aud, err)
			}
			hooks[aud] = sub.ID
		}

		for _, label := range tlp.Labels() {
			t.Run(string(label), func(t *testing.T) {
				want := spec[label]
				subject, body := "Subject "+string(label)+" xyzzy", "Body "+string(label)+" plugh"
				mailsBefore := len(srv.Messages())
				d := messaging.Draft{Type: messaging.IncidentNotification, Recipients: []string{"KE"}, Level: messaging.Technical,
					Urgency: messaging.Routine, TLP: label, Subject: subject, Body: body,
					Fields: map[string]string{"impact": "Impact frobozz", "status": "ongoing"}}
				if label == tlp.Red {
					d.Named = []string{who[namedPerson].AccountID}
				}
				m, err := a.Messaging.Send(ctx, who[author], d)
				if err != nil {
					t.Fatal(err)
				}
				payloads := hookPayloads(t, a, m.ID)
				if _, err := a.Jobs.RunDue(ctx, 100); err != nil {
					t.Fatal(err)
				}

				for _, aud := range []string{author, senderState, recipientState, namedPerson, otherState, secretariat, anonymous} {
					may := contains(want.readers, aud)
					_, err := a.Messaging.Message(ctx, who[aud], m.ID)
					if (err == nil) != may {
						t.Errorf("read, %s: opened = %v, want %v (%v)", aud, err == nil, may, err)
					}
					if aud == anonymous {
						continue // lists need a signed-in caller
					}
					list, err := a.Messaging.List(ctx, who[aud], messaging.ListFilter{Query: "xyzzy " + string(label)})
					if err != nil {
						t.Fatal(err)
					}
					listed := false
					for _, x := range list {
						listed = listed || x.ID == m.ID
					}
					if listed != may {
						t.Errorf("list and search, %s: listed = %v, want %v", aud, listed, may)
					}
				}

				got := map[string]string{plainAddr: noMail, namedAddr: noMail, keyedAddr: noMail}
				for _, sm := range srv.Messages()[mailsBefore:] {
					for _, to := range sm.To {
						got[to] = classify(t, sm.Data, key, subject, body)
					}
				}
				for addr, w := range map[string]string{plainAddr: want.plainPOC, namedAddr: want.namedPOC, keyedAddr: want.keyedPOC} {
					if got[addr] != w {
						t.Errorf("mail to %s: %s, want %s", addr, got[addr], w)
					}
				}

				for aud, id := range hooks {
					p, heard := payloads[id]
					if heard != (want.hookAnnounce && aud == recipientState) {
						t.Errorf("webhook of %s: announced = %v", aud, heard)
						continue
					}
					if !heard {
						continue
					}
					hasContent := strings.Contains(p, subject) || strings.Contains(p, body) || strings.Contains(p, "frobozz")
					if hasContent != want.hookContent {
						t.Errorf("webhook of %s: carries content = %v, want %v", aud, hasContent, want.hookContent)
					}
				}
			})
		}
	})
}

// TestDisclosureTableMatchesTheSpecification reads the table itself for
// every label and channel, so a change to it that no channel test covers
// still shows here.
func TestDisclosureTableMatchesTheSpecification(t *testing.T) {
	reachOf := func(readers []string) messaging.Reach {
		switch {
		case contains(readers, secretariat):
			return messaging.SignedIn
		case contains(readers, otherState):
			return messaging.StateAccounts
		case contains(readers, recipientState):
			return messaging.Parties
		case contains(readers, namedPerson):
			return messaging.Named
		}
		return messaging.Nobody
	}
	mailReach := func(mail string, named bool) messaging.Reach {
		if mail == noMail {
			return messaging.Nobody
		}
		if named {
			return messaging.Named
		}
		return messaging.Parties
	}
	for label, want := range spec {
		red := want.plainPOC == noMail
		for _, ch := range messaging.Channels() {
			var expect messaging.Reach
			switch ch {
			case messaging.ChanRead, messaging.ChanList:
				expect = reachOf(want.readers)
			case messaging.ChanMailNotice, messaging.ChanMailSealed:
				expect = mailReach(want.namedPOC, red)
			case messaging.ChanMailClear:
				expect = messaging.Nobody
				if want.plainPOC == clearMail {
					expect = messaging.Parties
				}
			case messaging.ChanHookContent:
				expect = messaging.Nobody
				if want.hookContent {
					expect = messaging.Parties
				}
			case messaging.ChanHookNotice:
				expect = messaging.Nobody
				if want.hookAnnounce {
					expect = messaging.Parties
				}
			}
			if got := messaging.Disclosure(label, ch); got != expect {
				t.Errorf("%s on %s: the table says %s, the specification %s", label, ch, got, expect)
			}
		}
	}
	if got := messaging.Disclosure(tlp.Label("purple"), messaging.ChanRead); got != messaging.Nobody {
		t.Errorf("an unknown label reaches %s", got)
	}
}

// hookPayloads returns the body of each webhook delivery queued for the
// message, by subscription.
func hookPayloads(t *testing.T, a *app.App, messageID string) map[string]string {
	t.Helper()
	rows, err := a.DB.R.Query(`SELECT payload FROM jobs WHERE kind = $1`, webhook.JobDeliver)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var raw string
		if err := rows.Scan(&raw); err != nil {
			t.Fatal(err)
		}
		var job struct {
			WebhookID string `json:"webhook_id"`
			Body      string `json:"body"`
		}
		if err := json.Unmarshal([]byte(raw), &job); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(job.Body, messageID) {
			out[job.WebhookID] = job.Body
		}
	}
	return out
}

// classify says what a mail carries of a communication.
func classify(t *testing.T, raw []byte, key *gpgtest.Home, subject, body string) string {
	t.Helper()
	if bytes.Contains(raw, []byte("multipart/encrypted")) {
		if bytes.Contains(raw, []byte(body)) || bytes.Contains(raw, []byte(subject)) {
			t.Error("an encrypted mail shows the content on the wire")
		}
		plain := string(key.Decrypt(encryptedPart(t, raw)))
		if !strings.Contains(plain, body) {
			t.Errorf("decrypted mail lacks the body:\n%s", plain)
		}
		return sealed
	}
	text := bodyText(t, raw)
	if strings.Contains(text, body) {
		return clearMail
	}
	if strings.Contains(string(raw), subject) || strings.Contains(text, "frobozz") {
		t.Error("a notice carries content")
	}
	return notice
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
