package api

import (
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
	{name: "states", method: http.MethodGet, path: static("/states"), want: all(200),
		// Who participates is for signed-in callers.
		hide: map[string][]string{anon: {"participating"}},
		show: map[string][]string{kePOC: {"participating_since"}}},
	{name: "state", method: http.MethodGet, path: static("/states/ke"), want: all(200), hide: map[string][]string{anon: {"participating"}}},
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
			kePOC: {nzTechEmail},
			nzPOC: append([]string{keTechEmail}, frEmails...),
			anon:  append([]string{keTechEmail, nzTechEmail, "FR CERT duty"}, frEmails...),
		},
		show: map[string][]string{sec: {nzTechEmail, frTechEmail}, kePOC: {frTechEmail, keTechEmail}, nzPOC: {nzTechEmail}}},
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

	// The audit log: the secretariat reads all, a State admin its State's.
	{name: "audit", method: http.MethodGet, path: static("/audit?limit=500"),
		want: byRole{200, 200, 403, 403, 403, 403, 200, 401},
		hide: map[string][]string{frAdmin: {keAdminEmail, "admin@nz.test.invalid"}, kePOC: {frAdminEmail}},
		show: map[string][]string{sec: {keAdminEmail, frAdminEmail}, frAdmin: {frAdminEmail}}},
}

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
			for i, role := range roles {
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
