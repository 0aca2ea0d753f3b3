package api

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// byRole holds one expected status per caller, in the column order of
// roles: sec, fradmin, frpoc, frviewer, kepoc, nzpoc, ro, anon.
type byRole [8]int

func all(status int) byRole {
	return byRole{status, status, status, status, status, status, status, status}
}

// matrixCase is one route, tried as every role.
type matrixCase struct {
	name   string
	method string
	// path returns the path below /api/v1; it may create a fresh object
	// per role so that one role's write does not change what the next sees.
	path func(f *fixture, role string) string
	body func(f *fixture, role string) any
	// header is sent with the request, e.g. If-Match.
	header map[string]string
	want   byRole
	// hide lists, per role, text that must not appear in the response;
	// show, text that must (so that "hidden" is not just "empty").
	hide map[string][]string
	show map[string][]string
}

func static(p string) func(*fixture, string) string {
	return func(*fixture, string) string { return p }
}

func pocPath(key, suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/pocs/" + f.poc[key].ID + suffix }
}

func freshPOCPath(suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/pocs/" + f.freshPOC().ID + suffix }
}

func freshViewerPath(suffix string) func(*fixture, string) string {
	return func(f *fixture, _ string) string { return "/accounts/" + f.freshViewer().ID + suffix }
}

// validPOC is a complete, valid POC body.
func validPOC(title string) map[string]any {
	return map[string]any{
		"level": "technical", "function_title": title, "organisation": "ANSSI",
		"emails": []string{"soc@anssi.test.invalid"}, "phones": []string{"+33 1 71 75 84 68"},
		"languages": []string{"fr", "en"}, "time_zone": "Europe/Paris", "availability": "hours", "hours": "Mon–Fri 08:00–18:00",
	}
}

// frEmails are addresses only France, the secretariat and participants may see.
var frEmails = []string{frTechEmail, frDipEmail}

var matrix = []matrixCase{
	// The public surface answers everyone the same way.
	{name: "openapi", method: http.MethodGet, path: static("/openapi.json"), want: all(200)},
	{name: "documents", method: http.MethodGet, path: static("/framework/documents"), want: all(200), show: map[string][]string{anon: {"A/70/174"}}},
	{name: "provisions", method: http.MethodGet, path: static("/framework/provisions?kind=norm"), want: all(200), show: map[string][]string{anon: {"norm-h"}}},
	{name: "provision", method: http.MethodGet, path: static("/framework/provisions/norm-h"), want: all(200)},
	{name: "topics", method: http.MethodGet, path: static("/framework/topics"), want: all(200)},
	{name: "states", method: http.MethodGet, path: static("/states?limit=200"), want: all(200),
		// Who participates is for signed-in callers.
		hide: map[string][]string{anon: {"participating"}},
		show: map[string][]string{kePOC: {"participating_since"}}},
	{name: "state", method: http.MethodGet, path: static("/states/ke"), want: all(200), hide: map[string][]string{anon: {"participating"}}},
	{name: "search states", method: http.MethodGet, path: static("/states?q=keny"), want: all(200),
		hide: map[string][]string{anon: {"participating", `"FR"`}}, show: map[string][]string{anon: {`"KE"`}, kePOC: {"participating_since"}}},
	// Filtering on participation would tell the public who participates.
	{name: "participating states", method: http.MethodGet, path: static("/states?participating=true"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 422},
		hide: map[string][]string{kePOC: {`"NZ"`}, anon: {`"KE"`}}, show: map[string][]string{kePOC: {`"KE"`, `"FR"`}}},
	{name: "unknown route", method: http.MethodGet, path: static("/nope"), want: all(404)},

	// Participation is the secretariat's record.
	{name: "set participation", method: http.MethodPut, path: static("/states/DE/participation"),
		body: func(*fixture, string) any { return map[string]any{"participating_since": "2025-01-31"} },
		//          sec  fradm frpoc frvw kepoc nzpoc  ro  anon
		want: byRole{200, 403, 403, 403, 403, 403, 403, 401}},

	// The directory: participants see participants; a State outside sees
	// only itself; the public sees nothing.
	{name: "list pocs", method: http.MethodGet, path: static("/pocs"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{
			kePOC: {nzTechEmail, "account_id"},
			nzPOC: append([]string{keTechEmail}, frEmails...),
			anon:  append([]string{keTechEmail, nzTechEmail, "FR CERT duty"}, frEmails...),
			// The account link is for the entry's State's administrators.
			sec: {"account_id"}, frPOC: {"account_id"}, frViewer: {"account_id"},
		},
		show: map[string][]string{sec: {nzTechEmail, frTechEmail}, kePOC: {frTechEmail, keTechEmail}, nzPOC: {nzTechEmail}, frAdmin: {"account_id"}}},
	// Searching finds only what the list would show.
	{name: "search pocs", method: http.MethodGet, path: static("/pocs?q=cert+duty"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{
			kePOC: {nzTechEmail},
			nzPOC: append([]string{keTechEmail}, frEmails...),
			anon:  append([]string{keTechEmail, nzTechEmail}, frEmails...),
		},
		show: map[string][]string{sec: {nzTechEmail, frTechEmail}, kePOC: {frTechEmail}, nzPOC: {nzTechEmail}}},
	{name: "get fr poc", method: http.MethodGet, path: pocPath("frtech", ""),
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{nzPOC: {frTechEmail}, anon: {frTechEmail}}},
	{name: "get nz poc", method: http.MethodGet, path: pocPath("nztech", ""),
		want: byRole{200, 404, 404, 404, 404, 200, 404, 401},
		hide: map[string][]string{kePOC: {nzTechEmail}, frAdmin: {nzTechEmail}}},
	{name: "poc history", method: http.MethodGet, path: pocPath("frtech", "/history"),
		want: byRole{200, 200, 200, 200, 403, 404, 200, 401},
		// Who edited an entry is internal to its State.
		hide: map[string][]string{kePOC: {frAdminEmail}, nzPOC: {frAdminEmail}, anon: {frAdminEmail}},
		show: map[string][]string{frViewer: {frAdminEmail}}},
	{name: "nominate", method: http.MethodPost, path: static("/states/FR/pocs"),
		body: func(f *fixture, role string) any { return validPOC("CERT-FR duty officer " + role) },
		want: byRole{403, 201, 403, 403, 403, 403, 403, 401}},
	{name: "edit", method: http.MethodPut, path: freshPOCPath(""), header: map[string]string{"If-Match": `"1"`},
		body: func(f *fixture, role string) any { return validPOC("Edited by " + role) },
		// Another State's callers are told the entry does not exist.
		want: byRole{403, 200, 403, 403, 404, 404, 403, 401}},
	{name: "confirm", method: http.MethodPost, path: freshPOCPath("/confirm"),
		want: byRole{403, 200, 403, 403, 404, 404, 403, 401}},
	{name: "retire", method: http.MethodPost, path: freshPOCPath("/retire"),
		want: byRole{403, 200, 403, 403, 404, 404, 403, 401}},
	{name: "reinstate", method: http.MethodPost, path: func(f *fixture, _ string) string {
		p := f.freshPOC()
		if _, err := f.app.Directory.Retire(context.Background(), f.acc[frAdmin].Actor(), p.ID); err != nil {
			f.t.Fatal(err)
		}
		return "/pocs/" + p.ID + "/reinstate"
	}, want: byRole{403, 200, 403, 403, 404, 404, 403, 401}},

	// Accounts: the secretariat manages all, a State admin its own State's.
	{name: "list accounts", method: http.MethodGet, path: static("/accounts"),
		want: byRole{200, 200, 403, 403, 403, 403, 200, 401},
		hide: map[string][]string{
			frAdmin:  {"@ke.test.invalid", "@nz.test.invalid", "sec@un.test.invalid"},
			readOnly: {"@ke.test.invalid", "@nz.test.invalid"},
			kePOC:    {"@fr.test.invalid"},
			frPOC:    {"viewer@fr.test.invalid"},
			anon:     {"@fr.test.invalid"},
		},
		show: map[string][]string{sec: {keAdminEmail, frAdminEmail}, frAdmin: {"viewer@fr.test.invalid"}}},
	// A filter naming another State finds nothing of it.
	{name: "filter accounts", method: http.MethodGet, path: static("/accounts?q=admin&role=state_admin&state=KE&status=active"),
		want: byRole{200, 200, 403, 403, 403, 403, 200, 401},
		hide: map[string][]string{frAdmin: {keAdminEmail}, readOnly: {keAdminEmail}, kePOC: {keAdminEmail}},
		show: map[string][]string{sec: {keAdminEmail}}},
	{name: "create account", method: http.MethodPost, path: static("/accounts"),
		body: func(f *fixture, role string) any {
			return map[string]any{"email": "new-" + role + "@fr.test.invalid", "display_name": "New viewer", "role": "viewer", "state": "FR"}
		},
		want: byRole{201, 201, 403, 403, 403, 403, 403, 401}},
	{name: "get account", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/accounts/" + f.acc[frViewer].ID },
		// The viewer sees itself; other non-administrators see nothing.
		want: byRole{200, 200, 404, 200, 404, 404, 200, 401},
		hide: map[string][]string{kePOC: {"viewer@fr.test.invalid"}, frPOC: {"viewer@fr.test.invalid"}}},
	{name: "disable account", method: http.MethodPost, path: freshViewerPath("/disable"),
		want: byRole{200, 200, 404, 403, 404, 404, 403, 401}},
	{name: "enable account", method: http.MethodPost, path: freshViewerPath("/enable"),
		want: byRole{200, 200, 404, 403, 404, 404, 403, 401}},
	// Getting back in: administrators reset their own State's accounts;
	// everybody else is refused before anything is looked up.
	{name: "reset account", method: http.MethodPost, path: freshViewerPath("/reset"),
		want: byRole{200, 200, 403, 403, 403, 403, 403, 401},
		hide: map[string][]string{frPOC: {"viewer@fr.test.invalid"}, kePOC: {"@fr.test.invalid"}, readOnly: {"link"}}},

	// The caller's own account and tokens.
	{name: "me", method: http.MethodGet, path: static("/me"), want: byRole{200, 200, 200, 200, 200, 200, 200, 401}},
	{name: "list tokens", method: http.MethodGet, path: static("/me/tokens"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		// Secrets are shown once, at creation, never listed.
		hide: map[string][]string{sec: {"dtt_"}, frAdmin: {"dtt_"}, frPOC: {"dtt_"}, readOnly: {"dtt_"}}},
	{name: "revoke own token", method: http.MethodDelete,
		path: func(f *fixture, role string) string {
			if role == anon {
				return "/me/tokens/" + f.tokenID(frPOC)
			}
			return "/me/tokens/" + f.tokenID(roleKey(role))
		},
		// A read-only token (every viewer token is one) changes nothing.
		want: byRole{204, 204, 204, 403, 204, 204, 403, 401}},
	{name: "revoke a french poc's token", method: http.MethodDelete,
		path: func(f *fixture, _ string) string { return "/me/tokens/" + f.tokenID(frPOC) },
		want: byRole{204, 204, 204, 403, 404, 404, 403, 401}},

	// Communications: TLP decides. The secretariat is party to no
	// State-to-State message; TLP:RED reaches the author and the named only.
	{name: "message templates", method: http.MethodGet, path: static("/message-templates"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401}, show: map[string][]string{frPOC: {"incident_notification", "critical_infrastructure"}}},
	{name: "adapt a template", method: http.MethodPut, path: static("/message-templates/closure"),
		body: func(*fixture, string) any {
			return map[string]any{"title": "Closure", "description": "Close the exchange and record the outcome.",
				"fields": []map[string]any{{"name": "outcome", "label": "Outcome", "kind": "longtext", "required": true},
					{"name": "lessons", "label": "Lessons learnt", "kind": "longtext"}}, "provisions": []string{"cbm-1"}}
		},
		want: byRole{200, 403, 403, 403, 403, 403, 403, 401}, show: map[string][]string{sec: {`"version":2`, "lessons"}}},
	{name: "inbox", method: http.MethodGet, path: static("/messages"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {frSubject, redSubject}, nzPOC: {frSubject, redSubject}, frAdmin: {redSubject}, readOnly: {redSubject}},
		show: map[string][]string{kePOC: {frSubject, redSubject}}},
	{name: "sent box", method: http.MethodGet, path: static("/messages?box=sent"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {frSubject}, kePOC: {frSubject, redSubject}, frAdmin: {redSubject}, frViewer: {redSubject}, readOnly: {redSubject}},
		show: map[string][]string{frViewer: {frSubject}, frPOC: {frSubject, redSubject}}},
	{name: "read amber message", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/messages/" + f.msg.ID },
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {frSubject}, nzPOC: {frSubject}, anon: {frSubject}}, show: map[string][]string{kePOC: {frSubject}}},
	{name: "read red message", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/messages/" + f.red.ID },
		want: byRole{404, 404, 200, 404, 200, 404, 404, 401},
		hide: map[string][]string{sec: {redSubject}, frAdmin: {redSubject, "eyes only"}, frViewer: {redSubject}, readOnly: {redSubject}, nzPOC: {redSubject}},
		show: map[string][]string{kePOC: {"eyes only"}}},
	// A vulnerability report (norm 13(j)) as STIX: as readable as the
	// communication; another communication is no report, and says so only
	// to those who read it.
	{name: "amber vulnerability report as stix", method: http.MethodGet, path: vulnReportPath,
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {vulnSubject, vulnCVE, vulnProduct, "vulnerability--"}, nzPOC: {vulnSubject, vulnCVE, vulnProduct, "vulnerability--"},
			anon: {vulnSubject, vulnCVE, vulnProduct}},
		show: map[string][]string{kePOC: {vulnCVE, vulnProduct, `"type":"vulnerability"`, `"external_id":"norm-j"`}, frViewer: {vulnCVE}}},
	{name: "information request as stix", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/messages/" + f.msg.ID + "/stix" },
		want: byRole{404, 404, 404, 404, 404, 404, 404, 401},
		hide: map[string][]string{sec: {frSubject, "vulnerability report"}, nzPOC: {frSubject, "vulnerability report"}, anon: {frSubject}},
		show: map[string][]string{kePOC: {"not a vulnerability report"}, frPOC: {"not a vulnerability report"}}},
	{name: "amber attachment", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/attachments/" + f.msg.Attachments[0].ID },
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {amberFile}, nzPOC: {amberFile}, anon: {amberFile}}, show: map[string][]string{kePOC: {amberFile}}},
	{name: "red attachment", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/attachments/" + f.red.Attachments[0].ID },
		want: byRole{404, 404, 200, 404, 200, 404, 404, 401},
		hide: map[string][]string{sec: {redFile}, frAdmin: {redFile}, frViewer: {redFile}, readOnly: {redFile}, nzPOC: {redFile}}, show: map[string][]string{kePOC: {redFile}}},
	{name: "thread", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/threads/" + f.msg.ThreadID },
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {frSubject}, nzPOC: {frSubject}}, show: map[string][]string{kePOC: {frSubject, "deliver"}}},
	{name: "send", method: http.MethodPost, path: static("/messages"),
		body: func(_ *fixture, role string) any {
			to := "KE"
			if role == kePOC {
				to = "FR"
			}
			return map[string]any{"type": "information_request", "recipients": []string{to}, "level": "technical", "urgency": "routine",
				"tlp": "TLP:AMBER", "subject": "Question from " + role, "body": "Do you see this too?", "fields": map[string]string{"question": "Indicators?"},
				"attachments": []map[string]string{{"name": "log.txt", "media_type": "text/plain", "content_base64": "c2NhbiBsb2c="}}}
		},
		show: map[string][]string{frPOC: {`"name":"log.txt"`, `"size":8`}},
		want: byRole{403, 201, 201, 403, 201, 403, 403, 401}},
	{name: "reply", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/messages/" + f.msg.ID + "/replies" },
		body: func(*fixture, string) any { return map[string]any{"type": "update", "body": "Noted, looking into it."} },
		// The secretariat and a State outside the directory are refused
		// before the message is looked up, so nothing is learnt of it.
		want: byRole{403, 201, 201, 403, 201, 403, 403, 401}},
	{name: "acknowledge message", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/messages/" + f.msg.ID + "/acknowledge" },
		want: byRole{403, 403, 403, 403, 200, 403, 403, 401}, show: map[string][]string{kePOC: {`"acknowledged_at":"2`}}},
	// Marking read changes the inbox: a read-only token (every viewer's
	// token is one) may not.
	{name: "mark read", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/messages/" + f.msg.ID + "/read" },
		want: byRole{404, 204, 204, 403, 204, 404, 403, 401}},

	// Communication checks: a State sees its own figures, and figures over
	// all States only once published; the public only published
	// aggregates, never per State.
	{name: "list checks", method: http.MethodGet, path: static("/checks"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{nzPOC: {"Spring check", "Autumn check"}}, show: map[string][]string{sec: {"Spring check", "Autumn check"}, frViewer: {"Spring check"}}},
	{name: "schedule check", method: http.MethodPost, path: static("/checks"),
		body: func(*fixture, string) any {
			return map[string]any{"name": "Ad hoc check", "scope_kind": "all", "levels": []string{"technical"}, "window_hours": 24}
		},
		want: byRole{201, 403, 403, 403, 403, 403, 403, 401}},
	{name: "pending checks", method: http.MethodGet, path: static("/checks/pending"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{frPOC: {"Autumn check"}, sec: {"Autumn check"}}, show: map[string][]string{kePOC: {"Autumn check"}}},
	{name: "check results", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/checks/" + f.spring.ID },
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{frAdmin: {`"key":"KE"`, `"state":"KE"`}, kePOC: {`"key":"FR"`, `"state":"FR"`}, nzPOC: {"Spring check"}},
		show: map[string][]string{sec: {`"key":"KE"`, `"key":"FR"`}, frAdmin: {`"key":"FR"`}, kePOC: {`"key":"KE"`}}},
	{name: "check follow-up", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/checks/" + f.spring.ID + "/follow-up" },
		want: byRole{200, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{kePOC: {`"state":"FR"`, frTechEmail}, nzPOC: {frTechEmail}},
		show: map[string][]string{sec: {`"state":"FR"`, frTechEmail}, frAdmin: {`"state":"FR"`, frTechEmail, `"reason":"no-answer"`}}},
	{name: "publish check", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/checks/" + f.spring.ID + "/publish" },
		body: func(*fixture, string) any { return map[string]any{"published": true} },
		want: byRole{200, 403, 403, 403, 403, 403, 403, 401}},
	{name: "confirm check", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/checks/challenges/" + f.pendingFor(kePOC) + "/acknowledge" },
		want: byRole{404, 404, 404, 403, 204, 404, 403, 401}},
	{name: "published check results", method: http.MethodGet, path: static("/check-results"), want: all(200),
		hide: map[string][]string{anon: {"Autumn check", `"key":"KE"`, `"key":"FR"`, `"state":`}}, show: map[string][]string{anon: {"Spring check", "African"}}},

	// Webhooks: each owner sees and changes only its own; POCs and viewers
	// manage none; the signing secret is never listed.
	{name: "webhook event types", method: http.MethodGet, path: static("/webhook-event-types"),
		want: byRole{200, 200, 403, 403, 403, 403, 200, 401},
		show: map[string][]string{sec: {"ping.closed"}, frAdmin: {"message.received"}}, hide: map[string][]string{sec: {"message.received"}}},
	{name: "list webhooks", method: http.MethodGet, path: static("/webhooks"),
		want: byRole{200, 200, 403, 403, 403, 403, 200, 401},
		hide: map[string][]string{sec: {frHookURL}, kePOC: {frHookURL}, frAdmin: {`"secret"`}, readOnly: {`"secret"`}},
		show: map[string][]string{frAdmin: {frHookURL}, readOnly: {frHookURL}}},
	{name: "create webhook", method: http.MethodPost, path: static("/webhooks"),
		body: func(_ *fixture, role string) any {
			events := []string{"message.received", "ping.opened"}
			if role == sec {
				events = []string{"ping.closed"}
			}
			return map[string]any{"url": "https://soc.example.test.invalid/" + role, "events": events}
		},
		want: byRole{201, 201, 403, 403, 403, 403, 403, 401}, show: map[string][]string{sec: {`"secret":"`}, frAdmin: {`"secret":"`}}},
	{name: "get webhook", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/webhooks/" + f.frHook },
		want: byRole{404, 200, 403, 403, 403, 403, 200, 401}, hide: map[string][]string{sec: {frHookURL}}, show: map[string][]string{frAdmin: {frHookURL}}},
	{name: "disable webhook", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/webhooks/" + f.frHook + "/disable" },
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"active":false`}}},
	{name: "enable webhook", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/webhooks/" + f.frHook + "/enable" },
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"active":true`}}},
	{name: "rotate webhook secret", method: http.MethodPost, path: func(f *fixture, _ string) string { return "/webhooks/" + f.frHook + "/rotate" },
		want: byRole{404, 200, 403, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"secret":"`}}},
	{name: "webhook deliveries", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/webhooks/" + f.frHook + "/deliveries" },
		want: byRole{404, 200, 403, 403, 403, 403, 200, 401}},
	{name: "delete webhook", method: http.MethodDelete,
		// Only the one role that may delete gets a hook of its own to lose.
		path: func(f *fixture, role string) string {
			if role == frAdmin {
				return "/webhooks/" + f.freshHook()
			}
			return "/webhooks/" + f.frHook
		},
		want: byRole{404, 204, 403, 403, 403, 403, 403, 401}},

	// The audit log: the secretariat reads all, a State admin its State's.
	{name: "audit", method: http.MethodGet, path: static("/audit?limit=200"),
		want: byRole{200, 200, 403, 403, 403, 403, 200, 401},
		hide: map[string][]string{frAdmin: {keAdminEmail, "admin@nz.test.invalid"}, kePOC: {frAdminEmail}},
		show: map[string][]string{sec: {keAdminEmail, frAdminEmail}, frAdmin: {frAdminEmail}}},
	{name: "filter audit", method: http.MethodGet, path: static("/audit?actor=" + keAdminEmail + "&action=poc.nominate&from=2000-01-01&to=2100-12-31"),
		want: byRole{200, 200, 403, 403, 403, 403, 200, 401},
		hide: map[string][]string{frAdmin: {keAdminEmail}, readOnly: {keAdminEmail}},
		show: map[string][]string{sec: {keAdminEmail, "POC nominated"}}},

	// Incidents: TLP decides who reads, as for communications; the
	// secretariat reads CLEAR only, RED reaches the reporting State and the
	// named; counts count only what the caller may read; only the
	// reporting State changes its record.
	{name: "list incidents", method: http.MethodGet, path: func(f *fixture, _ string) string { f.incidents(); return "/incidents?limit=200" },
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {amberIncident, redIncident, greenIncident}, nzPOC: {amberIncident, redIncident},
			anon: {amberIncident, redIncident, greenIncident, clearIncident}},
		show: map[string][]string{sec: {clearIncident}, nzPOC: {greenIncident, clearIncident}, frViewer: {amberIncident, redIncident},
			kePOC: {amberIncident, redIncident, greenIncident, clearIncident}}},
	{name: "filter incidents", method: http.MethodGet,
		path: func(f *fixture, _ string) string {
			f.incidents()
			return "/incidents?status=open&sector=elections&provision=norm-c&state=fr&from=2026-01-01&to=2026-12-31"
		},
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {amberIncident}, nzPOC: {amberIncident}, kePOC: {clearIncident, redIncident}},
		show: map[string][]string{kePOC: {amberIncident}, frViewer: {amberIncident}}},
	{name: "incident counts", method: http.MethodGet, path: func(f *fixture, _ string) string { f.incidents(); return "/incidents/counts" },
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {`"norm-c"`}, nzPOC: {`"norm-c"`}},
		show: map[string][]string{
			sec:      {sectorCount("elections", 0), sectorCount("health", 0), sectorCount("finance", 0), sectorCount("transport", 1)},
			nzPOC:    {sectorCount("elections", 0), sectorCount("health", 0), sectorCount("finance", 1), sectorCount("transport", 1)},
			kePOC:    {sectorCount("elections", 1), sectorCount("health", 1), sectorCount("finance", 1), `{"provision":"norm-c","count":1}`},
			frViewer: {sectorCount("elections", 1), sectorCount("health", 1), `{"provision":"norm-c","count":1}`}}},
	{name: "get amber incident", method: http.MethodGet, path: incidentPath(amberOf, ""),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {amberIncident}, nzPOC: {amberIncident}, anon: {amberIncident}},
		show: map[string][]string{kePOC: {amberIncident}, frViewer: {amberIncident}}},
	{name: "get red incident", method: http.MethodGet, path: incidentPath(redOf, ""),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {redIncident}, nzPOC: {redIncident}, anon: {redIncident}},
		show: map[string][]string{kePOC: {redIncident}}},
	{name: "get clear incident", method: http.MethodGet, path: incidentPath(clearOf, ""),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401}, show: map[string][]string{sec: {clearIncident}, nzPOC: {clearIncident}}},
	{name: "incident versions", method: http.MethodGet, path: incidentPath(amberOf, "/versions"),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {amberIncident}, nzPOC: {amberIncident}}, show: map[string][]string{kePOC: {`"action":"create"`, amberIncident}}},
	{name: "incidents by provision", method: http.MethodGet, path: func(f *fixture, _ string) string { f.incidents(); return "/framework/provisions/norm-c/incidents" },
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {amberIncident}, nzPOC: {amberIncident}, kePOC: {clearIncident}}, show: map[string][]string{kePOC: {amberIncident}}},
	// Incidents as STIX 2.1: a bundle holds exactly what the caller may
	// read; only a participating State's writers import, into their own
	// State's records and collection.
	{name: "amber incident as stix", method: http.MethodGet, path: incidentPath(amberOf, "/stix"),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {amberIncident, amberOrg}, nzPOC: {amberIncident, amberOrg}, anon: {amberIncident}},
		show: map[string][]string{kePOC: {amberIncident, amberOrg, `"x_detente_provision":"norm-c"`}, frViewer: {amberIncident}}},
	{name: "red incident as stix", method: http.MethodGet, path: incidentPath(redOf, "/stix"),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {redIncident}, nzPOC: {redIncident}, anon: {redIncident}},
		show: map[string][]string{kePOC: {redIncident}}},
	{name: "clear incident as stix", method: http.MethodGet, path: incidentPath(clearOf, "/stix"),
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401}, show: map[string][]string{sec: {clearIncident}, nzPOC: {clearIncident}}},
	{name: "incidents as stix", method: http.MethodGet, path: func(f *fixture, _ string) string { f.incidents(); return "/incidents.stix?limit=200" },
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {amberIncident, redIncident, greenIncident, amberOrg, "norm-c"}, nzPOC: {amberIncident, redIncident, amberOrg},
			anon: {amberIncident, redIncident, greenIncident, clearIncident}},
		show: map[string][]string{sec: {clearIncident}, nzPOC: {greenIncident, clearIncident}, frViewer: {amberIncident, redIncident},
			kePOC: {amberIncident, redIncident, greenIncident, clearIncident, amberOrg}}},
	{name: "filtered incidents as stix", method: http.MethodGet,
		path: func(f *fixture, _ string) string { f.incidents(); return "/incidents.stix?sector=elections&state=FR" },
		want: byRole{200, 200, 200, 200, 200, 200, 200, 401},
		hide: map[string][]string{sec: {amberIncident}, nzPOC: {amberIncident}, kePOC: {clearIncident, redIncident}},
		show: map[string][]string{kePOC: {amberIncident}, frViewer: {amberIncident}}},
	{name: "import stix", method: http.MethodPost, path: static("/incidents/import"),
		body: func(f *fixture, _ string) any { return f.stixBundleOf(clearOf) },
		// As for recording an incident: the secretariat reports for no
		// State, viewers and read-only tokens write nothing, a State
		// outside the directory is not a participant.
		want: byRole{403, 200, 200, 403, 200, 403, 403, 401},
		hide: map[string][]string{sec: {clearIncident, `"stored"`}, frViewer: {clearIncident, `"stored"`}, nzPOC: {clearIncident, `"stored"`},
			readOnly: {clearIncident, `"stored"`}, anon: {clearIncident}},
		show: map[string][]string{kePOC: {`"incidents":[{"object":"incident--`, clearIncident, `"collection":"`}, frAdmin: {clearIncident}}},
	{name: "record incident", method: http.MethodPost, path: static("/incidents"),
		body: func(_ *fixture, role string) any {
			return incidentBody("Water utility controllers encrypted, by "+role, recipientFor(role))
		},
		// Only a participating State's writers record; the secretariat
		// reports for no State.
		want: byRole{403, 201, 201, 403, 201, 403, 403, 401}},
	{name: "edit incident", method: http.MethodPut, path: freshIncidentPath(""), header: map[string]string{"If-Match": `"1"`},
		body: func(_ *fixture, role string) any { return incidentBody("Edited by "+role, "KE") },
		// Kenya reads the incident but does not change France's record.
		want: byRole{403, 200, 200, 403, 403, 403, 403, 401}, show: map[string][]string{frPOC: {`"version":2`}}},
	{name: "incident status", method: http.MethodPost, path: freshIncidentPath("/status"),
		body: func(*fixture, string) any { return map[string]any{"status": "assessed", "version": 1} },
		want: byRole{403, 200, 200, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"status":"assessed"`}}},
	{name: "link communication", method: http.MethodPost, path: freshIncidentPath("/messages"),
		body: func(f *fixture, _ string) any { return map[string]any{"message_id": f.msg.ID} },
		want: byRole{403, 200, 200, 403, 403, 403, 403, 401},
		show: map[string][]string{frAdmin: {`"messages":["`}}},
	{name: "list attributions", method: http.MethodGet, path: incidentPath(amberOf, "/attributions"),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {amberOrg}, nzPOC: {amberOrg}, anon: {amberOrg}},
		show: map[string][]string{kePOC: {amberOrg, `"likelihood":"likely"`, `"confidence":"low"`}}},
	{name: "add attribution", method: http.MethodPost, path: incidentPath(amberOf, "/attributions"),
		body: func(_ *fixture, role string) any { return attributionBody("Lab asked by " + role) },
		// Any State that reads the incident may add its own assessment,
		// beside the others.
		want: byRole{403, 201, 201, 403, 201, 403, 403, 401}, show: map[string][]string{kePOC: {`"recorded_by_state":"KE"`, `"cites":["law-28f"]`}}},
	{name: "get attribution", method: http.MethodGet, path: func(f *fixture, _ string) string { return "/attributions/" + f.incidents().attribution.ID },
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {amberOrg}, nzPOC: {amberOrg}}, show: map[string][]string{kePOC: {amberOrg}}},
	{name: "edit attribution", method: http.MethodPut, path: func(f *fixture, _ string) string { return "/attributions/" + f.freshAttribution().ID },
		header: map[string]string{"If-Match": `"1"`},
		body:   func(_ *fixture, role string) any { return attributionBody("Revised by " + role) },
		// Only the State that recorded an assessment changes it.
		want: byRole{403, 200, 200, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"version":2`}}},
	{name: "list findings", method: http.MethodGet, path: incidentPath(amberOf, "/findings"),
		want: byRole{404, 200, 200, 200, 200, 404, 200, 401},
		hide: map[string][]string{sec: {"norm-c"}, nzPOC: {"norm-c"}}, show: map[string][]string{kePOC: {`"provision":"norm-c"`, `"outcome":"possible-inconsistency"`}}},
	{name: "set finding", method: http.MethodPut, path: freshIncidentPath("/findings/norm-f"),
		body: func(*fixture, string) any {
			return map[string]any{"engaged": true, "outcome": "consistent", "rationale": "No State conduct involved.", "version": 0}
		},
		want: byRole{403, 200, 200, 403, 403, 403, 403, 401}, show: map[string][]string{frPOC: {`"version":1`}}},
	{name: "open incident from a request for assistance", method: http.MethodPost,
		path: func(f *fixture, _ string) string { return "/messages/" + f.freshAssistance().ID + "/incident" },
		// Kenya, which asked, may open its own incident from it too.
		want: byRole{403, 201, 201, 403, 201, 403, 403, 401},
		show: map[string][]string{frPOC: {`"recipients":["KE"]`, `"sectors":["water"]`}, kePOC: {`"recipients":["FR"]`}}},
	{name: "join incident from a request for assistance", method: http.MethodPost,
		path: func(f *fixture, _ string) string { return "/messages/" + f.freshAssistance().ID + "/incident" },
		body: func(f *fixture, _ string) any { return map[string]any{"join": f.freshIncident().ID} },
		want: byRole{403, 200, 200, 403, 403, 403, 403, 401}, show: map[string][]string{frAdmin: {`"version":2`}}},
}

func init() { matrix = append(matrix, meetingMatrix...) }

// roleKey is the fixture account key that acts for role.
func roleKey(role string) string {
	if role == readOnly {
		return frAdmin
	}
	return role
}

// runMatrix sends every matrix case as every role.
func runMatrix(t *testing.T, f *fixture) {
	f = f.with(t)
	for _, c := range matrix {
		t.Run(c.name, func(t *testing.T) {
			f := f.with(t)
			var order []int
			for i := range roles {
				order = append(order, i)
			}
			if c.method == http.MethodGet {
				// Answers are kept once built: ask again in the opposite
				// order, so that each role is also answered after every
				// other role has left its answers behind.
				for i := len(roles) - 1; i >= 0; i-- {
					order = append(order, i)
				}
			}
			for _, i := range order {
				role := roles[i]
				path := c.path(f, role)
				var body any
				if c.body != nil {
					body = c.body(f, role)
				}
				res := f.do(role, req{method: c.method, path: path, body: body, header: c.header})
				what := fmt.Sprintf("%s %s %s", role, c.method, path)
				if res.status != c.want[i] {
					t.Errorf("%s: status %d, want %d: %s", what, res.status, c.want[i], res.body)
				}
				for _, s := range c.hide[role] {
					if strings.Contains(string(res.body), s) {
						t.Errorf("%s: response reveals %q: %s", what, s, res.body)
					}
				}
				for _, s := range c.show[role] {
					if !strings.Contains(string(res.body), s) {
						t.Errorf("%s: response lacks %q: %s", what, s, res.body)
					}
				}
				if res.status == http.StatusUnauthorized && !strings.HasPrefix(res.header.Get("WWW-Authenticate"), "Bearer") {
					t.Errorf("%s: 401 without a Bearer challenge", what)
				}
			}
		})
	}
}

func TestAuthorizationMatrix(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) { runMatrix(t, f) })
}
