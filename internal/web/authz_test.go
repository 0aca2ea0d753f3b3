package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/detente/detente/internal/access"
	"github.com/detente/detente/internal/actor"
	"github.com/detente/detente/internal/store"
	"github.com/detente/detente/internal/store/storetest"
	"github.com/detente/detente/internal/webhook"
)

// roles in the order the matrix lists them; "anon" is the public visitor.
var roles = []string{"anon", "sec", "fradmin", "frpoc", "frviewer", "kepoc", "nzpoc"}

// expect maps a role to the status it must get; roles not listed get def.
type expect struct {
	def    int
	status map[string]int
	// absent lists text that must not appear in the role's response.
	absent map[string][]string
	// present lists text that must appear.
	present map[string][]string
}

func (e expect) want(role string) int {
	if s, ok := e.status[role]; ok {
		return s
	}
	return e.def
}

const (
	ok        = http.StatusOK
	see       = http.StatusSeeOther
	forbidden = http.StatusForbidden
	notFound  = http.StatusNotFound
	unauth    = http.StatusUnauthorized
)

// Emails of entries and accounts each State must not see of the others.
const (
	frEntry   = "cert@fr-cert.test.invalid"
	keEntry   = "duty@ke-cirt.test.invalid"
	nzEntry   = "duty@nz-cert.test.invalid"
	frAdmin   = "admin@fr.test.invalid"
	keAdmin   = "admin@ke.test.invalid"
	keAccount = "poc@ke.test.invalid"
)

func TestWebAuthorizationMatrix(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, engine *store.DB) {
		f := newFixture(t, engine.Engine)
		clients := map[string]*client{"anon": f.anon()}
		for _, r := range roles[1:] {
			clients[r] = f.signIn(r)
		}
		fr, nz := f.poc["frtech"].ID, f.poc["nztech"].ID
		msg, thread := f.msg.ID, f.msg.ThreadID
		ctx := context.Background()
		_, frToken, err := f.app.Access.CreateToken(ctx, f.acc["frpoc"].Actor(), "script", []actor.Scope{actor.ScopeRead}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		spare, _, err := f.app.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "spare@fr.test.invalid", DisplayName: "spare", Role: actor.Viewer, State: "FR", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		// Accounts to reset: one of FR, one of KE that FR's admin must not reach.
		frLost, _, err := f.app.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "lost@fr.test.invalid", DisplayName: "lost", Role: actor.POC, State: "FR", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		keLost, _, err := f.app.Access.CreateAccount(ctx, actor.Operator, access.NewAccount{Email: "lost@ke.test.invalid", DisplayName: "lost", Role: actor.Viewer, State: "KE", Password: password})
		if err != nil {
			t.Fatal(err)
		}
		editForm := url.Values{"version": {"1"}, "level": {"technical"}, "function_title": {"Duty"}, "organisation": {"CERT"}, "emails": {"a@fr.test.invalid"},
			"phones": {"+33 1 23 45 67 89"}, "languages": {"fr"}, "time_zone": {"Europe/Paris"}, "availability": {"24x7"}}
		const subject = "Scanning of the KE grid from FR space"
		sendForm := url.Values{"type": {"information_request"}, "recipients": {"KE"}, "level": {"technical"}, "urgency": {"routine"}, "tlp": {"amber"},
			"subject": {"Question"}, "body": {"Do you see this too?"}, "f_question": {"Indicators?"}}
		chk, earlier := f.check.ID, f.earlier.ID
		pending, err := f.app.Checks.Pending(ctx, f.acc["kepoc"].Actor())
		if err != nil || len(pending) != 1 {
			t.Fatalf("KE's pending checks: %v %v", pending, err)
		}
		keChallenge := pending[0].Challenge.ID
		frPing := f.pingToken(frEntry)
		const checkName, earlierName = "Semi-annual check", "Spring check"
		// Webhooks of FR and of KE: each State's administrators see and
		// change their own only; the secretariat sees neither.
		const frHook, keHook = "https://hooks.fr-cert.test.invalid/detente", "https://hooks.ke-cirt.test.invalid/detente"
		frSub, _, err := f.app.Webhooks.Create(ctx, f.acc["fradmin"].Actor(), webhook.Input{URL: frHook, Events: []string{webhook.MessageReceived}})
		if err != nil {
			t.Fatal(err)
		}
		keSub, _, err := f.app.Webhooks.Create(ctx, f.acc["keadmin"].Actor(), webhook.Input{URL: keHook, Events: []string{webhook.MessageReceived, webhook.PingOpened}})
		if err != nil {
			t.Fatal(err)
		}
		// Files on communications from FR to KE: they are read exactly as
		// their message is; the RED one names KE's POC only.
		const clearFile, amberFile, redFile = "CLEAR-FILE-4b1e", "AMBER-FILE-7f3a", "RED-FILE-91c2"
		clearAtt, amberAtt, redAtt := f.attached("clear", clearFile), f.attached("amber", amberFile), f.attached("red", redFile, f.acc["kepoc"].ID)
		tests := []struct {
			name   string
			method string
			path   string
			form   url.Values
			expect expect
		}{
			{"start page", "GET", "/", nil, expect{def: ok}},
			{"sign-in page", "GET", "/login", nil, expect{def: see, status: map[string]int{"anon": ok}}},
			{"second factor page", "GET", "/login/totp", nil, expect{def: ok, status: map[string]int{"anon": see, "sec": see, "fradmin": see}}},
			{"framework index", "GET", "/framework", nil, expect{def: ok, present: map[string][]string{"anon": {"norm-h"}}}},
			{"framework search", "GET", "/framework?q=requests+for+assistance", nil, expect{def: ok, present: map[string][]string{"anon": {"/framework/norm-h"}}}},
			{"provision", "GET", "/framework/norm-h", nil, expect{def: ok, present: map[string][]string{"anon": {"States should respond to appropriate requests for assistance"}}}},
			{"unknown provision", "GET", "/framework/norm-z", nil, expect{def: notFound}},
			{"unknown page", "GET", "/no/such/page", nil, expect{def: notFound}},
			{"directory", "GET", "/directory", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent:  map[string][]string{"anon": {frEntry}, "frpoc": {nzEntry}, "kepoc": {nzEntry}, "nzpoc": {frEntry, keEntry}},
				present: map[string][]string{"sec": {frEntry, keEntry, nzEntry}, "frpoc": {frEntry, keEntry}, "kepoc": {frEntry}, "nzpoc": {nzEntry}}}},
			// A search finds only what the list shows, a page at a time.
			{"directory search", "GET", "/directory?q=cert&level=technical&limit=1", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent:  map[string][]string{"frpoc": {nzEntry}, "kepoc": {nzEntry}, "nzpoc": {frEntry, keEntry}},
				present: map[string][]string{"sec": {"Next page"}, "nzpoc": {nzEntry}}}},
			{"directory csv", "GET", "/directory/export.csv", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent: map[string][]string{"nzpoc": {frEntry}, "frpoc": {nzEntry}}, present: map[string][]string{"frpoc": {frEntry, keEntry}}}},
			{"directory json", "GET", "/directory/export.json", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent: map[string][]string{"nzpoc": {frEntry}, "kepoc": {nzEntry, "account_id"}, "frpoc": {"account_id"}, "sec": {"account_id"}}}},
			{"directory vcard", "GET", "/directory/export.vcf", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent: map[string][]string{"nzpoc": {frEntry}}, present: map[string][]string{"kepoc": {"BEGIN:VCARD"}}}},
			{"state page", "GET", "/directory/states/FR", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent:  map[string][]string{"kepoc": {"/nominate"}, "sec": {"/nominate"}, "frpoc": {"/nominate"}, "nzpoc": {frEntry}},
				present: map[string][]string{"fradmin": {"/nominate"}}}},
			{"nominate form", "GET", "/directory/states/FR/nominate", nil, expect{def: forbidden, status: map[string]int{"anon": see, "fradmin": ok}}},
			{"poc page", "GET", "/directory/pocs/" + fr, nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
				absent:  map[string][]string{"kepoc": {frAdmin, "History"}, "nzpoc": {frEntry}},
				present: map[string][]string{"fradmin": {"History", frAdmin}, "frviewer": {"History"}, "sec": {"History"}}}},
			{"poc of a non-participating State", "GET", "/directory/pocs/" + nz, nil, expect{def: notFound, status: map[string]int{"anon": see, "sec": ok, "nzpoc": ok},
				absent: map[string][]string{"frpoc": {nzEntry}, "kepoc": {nzEntry}}}},
			{"unknown poc", "GET", "/directory/pocs/not-a-uuid", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
			{"edit form", "GET", "/directory/pocs/" + fr + "/edit", nil, expect{def: forbidden, status: map[string]int{"anon": see, "fradmin": ok, "nzpoc": notFound},
				absent: map[string][]string{"kepoc": {"pgp_key"}}}},
			{"account", "GET", "/account", nil, expect{def: ok, status: map[string]int{"anon": see}}},
			{"accounts admin", "GET", "/admin/accounts", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
				absent: map[string][]string{"fradmin": {keAdmin, keAccount}, "frpoc": {keAdmin}, "kepoc": {frAdmin}}, present: map[string][]string{"sec": {keAdmin, frAdmin}}}},
			{"accounts search", "GET", "/admin/accounts?q=admin&state=KE&role=state_admin&status=active", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
				absent: map[string][]string{"fradmin": {keAdmin}, "sec": {frAdmin}}, present: map[string][]string{"sec": {keAdmin}}}},
			{"templates", "GET", "/admin/templates", nil, expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"frpoc": {"/admin/templates/vulnerability_report"}, "sec": {"Templates"}}}},
			{"template", "GET", "/admin/templates/vulnerability_report", nil, expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"sec": {"Publish as version 2"}, "kepoc": {"CVE identifier"}},
				absent:  map[string][]string{"fradmin": {"Publish as version"}, "kepoc": {"Publish as version"}, "nzpoc": {"Publish as version"}}}},
			{"unknown template", "GET", "/admin/templates/gossip", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
			{"publish a template", "POST", "/admin/templates/closure", url.Values{"title": {"Closure"}, "rows": {"2"},
				"f0_name": {"outcome"}, "f0_label": {"Outcome"}, "f0_kind": {"longtext"}, "f0_required": {"yes"},
				"f1_name": {"lessons"}, "f1_label": {"Lessons learnt"}, "f1_kind": {"longtext"}, "provisions": {"cbm-1"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": see}}},
			{"publish a broken template", "POST", "/admin/templates/closure", url.Values{"title": {"Closure"}, "rows": {"1"},
				"f0_name": {"Outcome!"}, "f0_label": {"Outcome"}, "f0_kind": {"text"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity},
					present: map[string][]string{"sec": {"f0-error", "lower-case letters"}}}},
			{"participation admin", "GET", "/admin/states", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok}}},
			{"participation search", "GET", "/admin/states?q=ken&region=African&participating=yes", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok},
				present: map[string][]string{"sec": {"Kenya"}}, absent: map[string][]string{"sec": {"France"}}}},
			{"audit log", "GET", "/admin/audit", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
				absent: map[string][]string{"fradmin": {keAdmin}}, present: map[string][]string{"sec": {keAdmin}}}},
			{"audit search", "GET", "/admin/audit?actor=" + keAdmin + "&from=2000-01-01&limit=1", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
				// FR's administrator sees its own State's entries only: none by KE's.
				absent: map[string][]string{"fradmin": {"<tr><td>"}, "sec": {frAdmin}}, present: map[string][]string{"sec": {keAdmin, "Next page"}, "fradmin": {"No entries match"}}}},
			{"webhooks admin", "GET", "/admin/webhooks", nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": ok, "fradmin": ok},
				absent:  map[string][]string{"sec": {frHook, keHook, "message.received"}, "fradmin": {keHook, "ping.closed"}, "frpoc": {frHook}, "kepoc": {keHook}},
				present: map[string][]string{"fradmin": {frHook, "message.received"}, "sec": {"ping.closed"}}}},
			{"webhook page", "GET", "/admin/webhooks/" + frSub.ID, nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "fradmin": ok},
				absent: map[string][]string{"sec": {frHook}, "frpoc": {frHook}, "kepoc": {frHook}}, present: map[string][]string{"fradmin": {frHook, "Deliveries"}}}},
			{"another State's webhook page", "GET", "/admin/webhooks/" + keSub.ID, nil, expect{def: forbidden, status: map[string]int{"anon": see, "sec": notFound, "fradmin": notFound},
				absent: map[string][]string{"sec": {keHook}, "fradmin": {keHook}, "kepoc": {keHook}}}},

			{"communications", "GET", "/messages", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent: map[string][]string{"sec": {subject, "/messages/new"}, "nzpoc": {subject, "/messages/new"}, "frpoc": {"/checks/challenges/"},
					"frviewer": {"/messages/new"}},
				present: map[string][]string{"kepoc": {subject, "/checks/challenges/", "/messages/new"}, "frpoc": {"/messages/new"}, "fradmin": {"/messages/new"}}}},
			{"sent communications", "GET", "/messages?box=sent", nil, expect{def: ok, status: map[string]int{"anon": see},
				absent: map[string][]string{"sec": {subject}, "nzpoc": {subject}, "kepoc": {subject}}, present: map[string][]string{"frviewer": {subject}}}},
			{"compose", "GET", "/messages/new", nil, expect{def: forbidden, status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "kepoc": ok}}},
			{"thread", "GET", "/threads/" + thread, nil, expect{def: notFound, status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "frviewer": ok, "kepoc": ok},
				absent:  map[string][]string{"sec": {subject}, "nzpoc": {subject}, "frviewer": {"Acknowledge receipt", "/reply"}, "frpoc": {"Acknowledge receipt"}},
				present: map[string][]string{"kepoc": {"Acknowledge receipt", "/reply"}, "frpoc": {"/reply"}}}},
			{"unknown thread", "GET", "/threads/not-a-thread", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
			{"attachment (CLEAR)", "GET", "/attachments/" + clearAtt, nil, expect{def: ok, status: map[string]int{"anon": see},
				absent: map[string][]string{"anon": {clearFile}}, present: map[string][]string{"sec": {clearFile}, "nzpoc": {clearFile}}}},
			{"attachment (AMBER)", "GET", "/attachments/" + amberAtt, nil, expect{def: notFound, status: map[string]int{"anon": see, "fradmin": ok, "frpoc": ok, "frviewer": ok, "kepoc": ok},
				absent:  map[string][]string{"anon": {amberFile}, "sec": {amberFile}, "nzpoc": {amberFile}},
				present: map[string][]string{"frviewer": {amberFile}, "kepoc": {amberFile}}}},
			{"attachment (RED, KE's POC named)", "GET", "/attachments/" + redAtt, nil, expect{def: notFound, status: map[string]int{"anon": see, "frpoc": ok, "kepoc": ok},
				absent:  map[string][]string{"anon": {redFile}, "sec": {redFile}, "fradmin": {redFile}, "frviewer": {redFile}, "nzpoc": {redFile}},
				present: map[string][]string{"frpoc": {redFile}, "kepoc": {redFile}}}},
			{"unknown attachment", "GET", "/attachments/not-an-attachment", nil, expect{def: notFound, status: map[string]int{"anon": see}}},

			// State-changing forms.
			// Everyone may choose the pages' language (English, so the rows
			// after it read as they expect); it comes back to this site only.
			{"choose a language", "POST", "/language", url.Values{"lang": {"en"}, "next": {"https://evil.example/"}},
				expect{def: see}},
			{"send", "POST", "/messages", sendForm, expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "frpoc": see, "kepoc": http.StatusUnprocessableEntity}}},
			{"acknowledge", "POST", "/messages/" + msg + "/acknowledge", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "kepoc": see, "sec": notFound, "nzpoc": notFound}}},
			{"answer", "POST", "/messages/" + msg + "/reply", url.Values{"type": {"update"}, "body": {"noted"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "frpoc": see, "kepoc": see, "sec": notFound, "nzpoc": notFound}}},
			{"confirm poc", "POST", "/directory/pocs/" + fr + "/confirm", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "kepoc": notFound, "nzpoc": notFound}}},
			{"nominate", "POST", "/directory/states/FR/nominate", url.Values{"level": {"policy"}, "function_title": {"Policy lead"}, "organisation": {"Ministry"},
				"emails": {"policy@fr.test.invalid"}, "phones": {"+33 1 23 45 67 89"}, "languages": {"fr, en"}, "time_zone": {"Europe/Paris"}, "availability": {"24x7"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see}}},
			// The secretariat creates it first; FR's admin then meets the duplicate.
			{"create account", "POST", "/admin/accounts", url.Values{"email": {"new@fr.test.invalid"}, "display_name": {"New"}, "role": {"viewer"}, "state": {"FR"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": ok, "fradmin": http.StatusConflict}}},
			{"participation", "POST", "/admin/states/NZ/participation", url.Values{"participating": {"no"}}, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": see}}},
			{"edit poc (stale version)", "POST", "/directory/pocs/" + fr + "/edit", editForm,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": http.StatusConflict, "kepoc": notFound, "nzpoc": notFound}}},
			{"change password (wrong current)", "POST", "/account/password", url.Values{"current_password": {"not it at all"}, "new_password": {"a new long passphrase"}},
				expect{def: http.StatusUnprocessableEntity, status: map[string]int{"anon": unauth}}},
			{"revoke a FR POC's token", "POST", "/account/tokens/" + frToken.ID + "/revoke", nil,
				expect{def: notFound, status: map[string]int{"anon": unauth, "sec": see, "fradmin": see, "frpoc": see}}},
			{"disable an account", "POST", "/admin/accounts/" + spare.ID + "/disable", nil,
				expect{def: notFound, status: map[string]int{"anon": unauth, "sec": see, "fradmin": see, "frviewer": forbidden}}},
			{"enable an account", "POST", "/admin/accounts/" + spare.ID + "/enable", nil,
				expect{def: notFound, status: map[string]int{"anon": unauth, "sec": see, "fradmin": see, "frviewer": forbidden}}},
			{"reset an account", "POST", "/admin/accounts/" + frLost.ID + "/reset", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": ok, "fradmin": ok},
					present: map[string][]string{"fradmin": {"was mailed to lost@fr.test.invalid"}}, absent: map[string][]string{"fradmin": {"/reset/"}}}},
			{"reset another State's account", "POST", "/admin/accounts/" + keLost.ID + "/reset", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": ok, "fradmin": notFound}, absent: map[string][]string{"fradmin": {"lost@ke.test.invalid"}}}},
			{"reset link page (unknown link)", "GET", "/reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, expect{def: notFound}},
			{"set a password by reset link (unknown link)", "POST", "/reset/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
				url.Values{"password": {"a new long passphrase"}, "password2": {"a new long passphrase"}}, expect{def: notFound}},
			{"create token", "POST", "/account/tokens", url.Values{"name": {"script"}, "days": {"30"}}, expect{def: ok, status: map[string]int{"anon": unauth}}},
			// Communication checks: a State sees its own figures and the
			// overall ones, never another State's; the public only what is
			// published, never per State.
			{"checks", "GET", "/checks", nil, expect{def: ok, status: map[string]int{"anon": see},
				present: map[string][]string{"sec": {checkName, earlierName, "Schedule a check"}, "frpoc": {checkName}, "kepoc": {checkName, "/checks/challenges/" + keChallenge + "/acknowledge"}},
				absent:  map[string][]string{"nzpoc": {checkName}, "frpoc": {"Schedule a check", keChallenge}, "fradmin": {"Schedule a check"}, "kepoc": {"Schedule a check"}}}},
			{"check report", "GET", "/checks/" + earlier, nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
				present: map[string][]string{"sec": {"Kenya", "France", frEntry, "/publish", `data-code="KE"`}, "fradmin": {"France", frEntry}, "kepoc": {"Kenya"}},
				absent:  map[string][]string{"fradmin": {"Kenya", keEntry, "/publish", "data-code"}, "frpoc": {"Kenya"}, "kepoc": {"France", frEntry, "/publish"}, "nzpoc": {earlierName}}}},
			{"check csv", "GET", "/checks/" + earlier + "/export.csv", nil, expect{def: ok, status: map[string]int{"anon": see, "nzpoc": notFound},
				present: map[string][]string{"sec": {"state,KE", "state,FR", frEntry}, "frpoc": {"state,FR"}},
				absent:  map[string][]string{"frpoc": {"state,KE", keEntry}, "kepoc": {"state,FR", frEntry}}}},
			{"unknown check", "GET", "/checks/not-a-check", nil, expect{def: notFound, status: map[string]int{"anon": see}}},
			{"check link page", "GET", "/ping/" + frPing, nil, expect{def: ok, present: map[string][]string{"anon": {"FR CERT duty", "Confirm that we received"}}}},
			{"unknown check link", "GET", "/ping/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", nil, expect{def: notFound}},
			{"confirm by link", "POST", "/ping/" + frPing, nil, expect{def: ok, present: map[string][]string{"anon": {"Thank you"}}}},
			{"confirm from the inbox", "POST", "/checks/challenges/" + keChallenge + "/acknowledge", nil,
				expect{def: notFound, status: map[string]int{"anon": unauth, "frviewer": forbidden, "kepoc": see}}},
			{"schedule a check", "POST", "/checks", url.Values{"name": {"Ad hoc"}, "scope_kind": {"all"}, "levels": {"technical"}, "window_hours": {"24"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": see}}},
			{"publish an open check", "POST", "/checks/" + chk + "/publish", url.Values{"published": {"yes"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": http.StatusConflict}}},
			{"publish", "POST", "/checks/" + earlier + "/publish", url.Values{"published": {"yes"}}, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": see}}},
			{"start page after publishing", "GET", "/", nil, expect{def: ok,
				present: map[string][]string{"anon": {earlierName, "50%"}, "kepoc": {"unread communication", "/messages/new"}},
				absent: map[string][]string{"anon": {"Kenya", "France", "/messages/new"}, "sec": {"/messages/new"}, "frviewer": {"/messages/new"},
					"nzpoc": {"/messages/new"}}}},
			{"published results", "GET", "/results", nil, expect{def: ok,
				present: map[string][]string{"anon": {earlierName, "50%"}, "nzpoc": {earlierName}},
				absent:  map[string][]string{"anon": {checkName, "Kenya", "France", frEntry, keEntry}}}},

			// Webhooks: FR's administrator manages FR's and cannot touch KE's.
			{"create webhook", "POST", "/admin/webhooks", url.Values{"url": {"https://soc.fr-cert.test.invalid/events"}, "events": {"message.received", "delivery.acknowledged"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity, "fradmin": ok},
					present: map[string][]string{"fradmin": {"shown only now"}}, absent: map[string][]string{"sec": {"shown only now"}}}},
			{"create webhook (bad input)", "POST", "/admin/webhooks", url.Values{"url": {"http://10.0.0.1/x"}},
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": http.StatusUnprocessableEntity, "fradmin": http.StatusUnprocessableEntity},
					present: map[string][]string{"fradmin": {`aria-invalid="true" aria-describedby="url-error"`, `id="events-error"`}}}},
			{"disable another State's webhook", "POST", "/admin/webhooks/" + keSub.ID + "/disable", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": notFound}}},
			{"rotate another State's webhook secret", "POST", "/admin/webhooks/" + keSub.ID + "/rotate", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": notFound}, absent: map[string][]string{"fradmin": {keHook, "shown only now"}}}},
			{"delete another State's webhook", "POST", "/admin/webhooks/" + keSub.ID + "/delete", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": notFound}}},
			{"disable a webhook", "POST", "/admin/webhooks/" + frSub.ID + "/disable", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
			{"enable a webhook", "POST", "/admin/webhooks/" + frSub.ID + "/enable", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},
			{"rotate a webhook secret", "POST", "/admin/webhooks/" + frSub.ID + "/rotate", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": ok}, present: map[string][]string{"fradmin": {"shown only now"}}}},
			{"delete a webhook", "POST", "/admin/webhooks/" + frSub.ID + "/delete", nil, expect{def: forbidden, status: map[string]int{"anon": unauth, "sec": notFound, "fradmin": see}}},

			{"retire confirmation", "GET", "/directory/pocs/" + fr + "/retire", nil,
				expect{def: forbidden, status: map[string]int{"anon": see, "fradmin": ok, "nzpoc": notFound},
					present: map[string][]string{"fradmin": {"no more mail"}}, absent: map[string][]string{"kepoc": {"no more mail"}, "frpoc": {"no more mail"}}}},
			// Last: it takes the entry out of the directory, and back.
			{"retire poc", "POST", "/directory/pocs/" + fr + "/retire", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "kepoc": notFound, "nzpoc": notFound}}},
			{"reinstate poc", "POST", "/directory/pocs/" + fr + "/reinstate", nil,
				expect{def: forbidden, status: map[string]int{"anon": unauth, "fradmin": see, "kepoc": notFound, "nzpoc": notFound}}},
		}
		tests = append(tests, incidentRows(f)...)
		tests = append(tests, incidentSTIXRows(f)...)
		tests = append(tests, meetingRows(f)...)
		tests = append(tests, profileRows(f)...)
		tests = append(tests, meetingRecordRows(f)...)
		tests = append(tests, capacityRows(f)...)
		tests = append(tests, surveyRows(f)...)
		tests = append(tests, libraryRows(f)...)
		tests = append(tests, scenarioRows(f)...)
		tests = append(tests, exerciseRows(f)...)
		checkRoutesCovered(t, func(yield func(method, path string)) {
			for _, tc := range tests {
				yield(tc.method, tc.path)
			}
		})
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				order := roles
				if tc.method == "GET" {
					// Pages are kept once rendered: ask again in the
					// opposite order, so that each role is also answered
					// after every other role has left its pages behind.
					order = append(slices.Clone(roles), roles...)
					slices.Reverse(order[len(roles):])
				}
				for _, role := range order {
					c := clients[role].on(t)
					var r response
					if tc.method == "GET" {
						r = c.get(tc.path)
					} else {
						form := url.Values{}
						for k, v := range tc.form {
							form[k] = v
						}
						r = c.post(tc.path, form)
					}
					if want := tc.expect.want(role); r.status != want {
						t.Errorf("%s %s as %s: status %d, want %d\n%s", tc.method, tc.path, role, r.status, want, snippet(r.body))
					}
					for _, s := range tc.expect.absent[role] {
						if strings.Contains(r.body, s) {
							t.Errorf("%s %s as %s: response shows %q, which it must not", tc.method, tc.path, role, s)
						}
					}
					for _, s := range tc.expect.present[role] {
						if !strings.Contains(r.body, s) {
							t.Errorf("%s %s as %s: response lacks %q", tc.method, tc.path, role, s)
						}
					}
				}
			})
		}
	})
}

func snippet(s string) string {
	if len(s) > 600 {
		return s[:600] + "…"
	}
	return s
}

// exempt lists the routes the matrix does not walk, and the test that
// covers each instead.
var exempt = map[string]string{
	"GET /assets/":     "TestSecurityHeadersAndCookies",
	"POST /login":      "TestSignInFailuresAreThrottledAndAudited and every signIn",
	"POST /login/totp": "every signIn of a secretariat or State admin",
	"POST /logout":     "TestSignOutEndsTheSession",
}

// checkRoutesCovered fails for any route in routes.go that no matrix row
// reaches, so a new page cannot ship without its authorization row.
func checkRoutesCovered(t *testing.T, rows func(yield func(method, path string))) {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	var patterns []string
	for _, m := range regexp.MustCompile(`HandleFunc\("([^"]+)"`).FindAllStringSubmatch(string(src), -1) {
		patterns = append(patterns, m[1])
		mux.HandleFunc(m[1], func(http.ResponseWriter, *http.Request) {})
	}
	covered := map[string]bool{}
	rows(func(method, path string) {
		req := httptest.NewRequest(method, path, nil)
		_, pattern := mux.Handler(req)
		covered[pattern] = true
	})
	for _, p := range patterns {
		if !covered[p] && exempt[p] == "" && p != "/" {
			t.Errorf("route %q has no row in the authorization matrix", p)
		}
	}
}
