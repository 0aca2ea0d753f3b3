package api

import (
	"maps"
	"net/http"
	"strings"
	"testing"
)

// invalidCase is a request that must be refused with a field-level (or
// request-level) error and must change nothing.
type invalidCase struct {
	name   string
	role   string
	req    func(f *fixture) req
	status int
	code   string
	fields []string // names that must appear in error.fields
	msg    string   // text the message must contain
}

// unknownID is a well-formed id no object has.
const unknownID = "01900000-0000-7000-8000-000000000000"

func nominateReq(body any) func(*fixture) req {
	return func(*fixture) req { return req{method: http.MethodPost, path: "/states/FR/pocs", body: body} }
}

// withPOC is validPOC with some fields replaced (nil deletes).
func withPOC(changes map[string]any) map[string]any {
	p := validPOC("CERT-FR duty officer")
	for k, v := range changes {
		if v == nil {
			delete(p, k)
		} else {
			p[k] = v
		}
	}
	return p
}

// editReq is an edit of a fresh French entry (at version 1).
func editReq(body any, header map[string]string) func(*fixture) req {
	return func(f *fixture) req {
		return req{method: http.MethodPut, path: "/pocs/" + f.freshPOC().ID, body: body, header: header}
	}
}

func getReq(path string) func(*fixture) req {
	return func(*fixture) req { return req{method: http.MethodGet, path: path} }
}

func postReq(path string, body any) func(*fixture) req {
	return func(*fixture) req { return req{method: http.MethodPost, path: path, body: body} }
}

// withFile is a valid communication to KE carrying one file.
func withFile(name, base64 string) map[string]any {
	return map[string]any{"type": "information_request", "recipients": []string{"KE"}, "level": "technical", "urgency": "routine", "tlp": "amber",
		"subject": "With a file", "body": "See the file.", "fields": map[string]string{"question": "Seen this?"},
		"attachments": []map[string]string{{"name": name, "content_base64": base64}}}
}

func invalidCases(t *testing.T) []invalidCase {
	huge := `{"function_title": "` + strings.Repeat("a", 1<<20) + `"}`
	return []invalidCase{
		// Nominations: every missing or malformed field is named.
		{name: "nominate with no fields", role: frAdmin, req: nominateReq(map[string]any{}), status: 422, code: "invalid",
			fields: []string{"level", "function_title", "organisation", "emails", "phones", "languages", "time_zone", "availability"}},
		{name: "malformed email", role: frAdmin, req: nominateReq(withPOC(map[string]any{"emails": []string{"soc at anssi"}})), status: 422, code: "invalid", fields: []string{"emails"}},
		{name: "malformed phone", role: frAdmin, req: nominateReq(withPOC(map[string]any{"phones": []string{"12345"}})), status: 422, code: "invalid", fields: []string{"phones"}},
		{name: "unknown time zone", role: frAdmin, req: nominateReq(withPOC(map[string]any{"time_zone": "Mars/Olympus_Mons"})), status: 422, code: "invalid", fields: []string{"time_zone"}},
		{name: "malformed language", role: frAdmin, req: nominateReq(withPOC(map[string]any{"languages": []string{"french!"}})), status: 422, code: "invalid", fields: []string{"languages"}},
		{name: "unknown level", role: frAdmin, req: nominateReq(withPOC(map[string]any{"level": "military"})), status: 422, code: "invalid", fields: []string{"level"}},
		{name: "office hours without hours", role: frAdmin, req: nominateReq(withPOC(map[string]any{"hours": nil})), status: 422, code: "invalid", fields: []string{"hours"}},
		{name: "not an OpenPGP key", role: frAdmin, req: nominateReq(withPOC(map[string]any{"pgp_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 soc@anssi"})), status: 422, code: "invalid", fields: []string{"pgp_key"}},
		{name: "private OpenPGP key", role: frAdmin, req: nominateReq(withPOC(map[string]any{"pgp_key": testKey(t, true)})), status: 422, code: "invalid", fields: []string{"pgp_key"}, msg: ""},

		// Bodies the API cannot read.
		{name: "unknown field", role: frAdmin, req: nominateReq(withPOC(map[string]any{"levle": "technical"})), status: 400, code: "bad_request", fields: []string{"levle"}, msg: "levle"},
		{name: "wrong type", role: frAdmin, req: nominateReq(withPOC(map[string]any{"emails": "soc@anssi.test.invalid"})), status: 400, code: "bad_request", fields: []string{"emails"}, msg: "array"},
		{name: "malformed JSON", role: frAdmin, req: nominateReq(`{"level": "technical",}`), status: 400, code: "bad_request", msg: "line 1, column 23"},
		{name: "malformed JSON on line 3", role: frAdmin, req: nominateReq("{\n  \"level\": \"technical\",\n  \"emails\": [oops]\n}"), status: 400, code: "bad_request", msg: "line 3, column 14"},
		{name: "truncated JSON", role: frAdmin, req: nominateReq(`{"level": "technical"`), status: 400, code: "bad_request", msg: "ends too early"},
		{name: "array instead of object", role: frAdmin, req: nominateReq(`["technical"]`), status: 400, code: "bad_request", msg: "JSON object"},
		{name: "two objects", role: frAdmin, req: nominateReq(`{} {}`), status: 400, code: "bad_request", msg: "after the JSON object"},
		{name: "empty body", role: frAdmin, req: nominateReq(""), status: 400, code: "bad_request", msg: "empty"},
		{name: "form instead of JSON", role: frAdmin, req: func(*fixture) req {
			return req{method: http.MethodPost, path: "/states/FR/pocs", body: "level=technical", header: map[string]string{"Content-Type": "application/x-www-form-urlencoded"}}
		}, status: 415, code: "unsupported_media_type"},
		{name: "oversized body", role: frAdmin, req: nominateReq(huge), status: 413, code: "too_large", msg: "1048576 bytes"},

		// Edits must say which version they replace.
		{name: "edit without If-Match", role: frAdmin, req: editReq(validPOC("x"), nil), status: 428, code: "precondition_required", msg: "If-Match"},
		{name: "edit with If-Match *", role: frAdmin, req: editReq(validPOC("x"), map[string]string{"If-Match": "*"}), status: 428, code: "precondition_required"},
		{name: "edit with unquoted If-Match", role: frAdmin, req: editReq(validPOC("x"), map[string]string{"If-Match": "1"}), status: 400, code: "bad_request", msg: "If-Match"},
		{name: "edit of a stale version", role: frAdmin, req: editReq(validPOC("x"), map[string]string{"If-Match": `"7"`}), status: 409, code: "conflict", msg: "version 1"},
		{name: "edit with a stale version field", role: frAdmin, req: editReq(withPOC(map[string]any{"version": 2}), nil), status: 409, code: "conflict"},
		{name: "edit with version 0", role: frAdmin, req: editReq(withPOC(map[string]any{"version": 0}), nil), status: 422, code: "invalid", fields: []string{"version"}},
		{name: "edit with disagreeing versions", role: frAdmin, req: editReq(withPOC(map[string]any{"version": 2}), map[string]string{"If-Match": `"1"`}), status: 422, code: "invalid", fields: []string{"version"}},
		{name: "edit with a bad field", role: frAdmin, req: editReq(withPOC(map[string]any{"phones": []string{"0033 1 23"}}), map[string]string{"If-Match": `"1"`}), status: 422, code: "invalid", fields: []string{"phones"}},
		{name: "confirm a retired entry", role: frAdmin, req: func(f *fixture) req {
			p := f.freshPOC()
			if res := f.do(frAdmin, req{method: http.MethodPost, path: "/pocs/" + p.ID + "/retire"}); res.status != 200 {
				t.Fatalf("retire: %s", res)
			}
			return req{method: http.MethodPost, path: "/pocs/" + p.ID + "/confirm"}
		}, status: 409, code: "conflict", msg: "retired"},

		// Unknown ids.
		{name: "unknown poc", role: frAdmin, req: getReq("/pocs/" + unknownID), status: 404, code: "not_found"},
		{name: "malformed poc id", role: frAdmin, req: getReq("/pocs/not-an-id"), status: 404, code: "not_found"},
		{name: "history of unknown poc", role: sec, req: getReq("/pocs/" + unknownID + "/history"), status: 404, code: "not_found"},
		{name: "edit unknown poc", role: frAdmin, req: func(*fixture) req {
			return req{method: http.MethodPut, path: "/pocs/" + unknownID, body: validPOC("x"), header: map[string]string{"If-Match": `"1"`}}
		}, status: 404, code: "not_found"},
		{name: "confirm unknown poc", role: frAdmin, req: postReq("/pocs/"+unknownID+"/confirm", nil), status: 404, code: "not_found"},
		{name: "retire unknown poc", role: frAdmin, req: postReq("/pocs/"+unknownID+"/retire", nil), status: 404, code: "not_found"},
		{name: "unknown account", role: sec, req: getReq("/accounts/" + unknownID), status: 404, code: "not_found"},
		{name: "disable unknown account", role: sec, req: postReq("/accounts/"+unknownID+"/disable", nil), status: 404, code: "not_found"},
		{name: "enable unknown account", role: sec, req: postReq("/accounts/"+unknownID+"/enable", nil), status: 404, code: "not_found"},
		{name: "revoke unknown token", role: frPOC, req: func(*fixture) req { return req{method: http.MethodDelete, path: "/me/tokens/" + unknownID} }, status: 404, code: "not_found"},
		{name: "unknown provision", role: anon, req: getReq("/framework/provisions/norm-z"), status: 404, code: "not_found"},
		{name: "unknown state", role: anon, req: getReq("/states/XX"), status: 404, code: "not_found"},
		{name: "participation of unknown state", role: sec, req: func(*fixture) req {
			return req{method: http.MethodPut, path: "/states/XX/participation", body: map[string]any{"participating_since": "2025-01-31"}}
		}, status: 404, code: "not_found"},

		// Accounts.
		{name: "account with malformed email", role: frAdmin, req: postReq("/accounts", map[string]any{"email": "viewer.fr", "display_name": "V", "role": "viewer", "state": "FR"}), status: 422, code: "invalid", fields: []string{"email"}},
		{name: "account with nothing", role: sec, req: postReq("/accounts", map[string]any{}), status: 422, code: "invalid", fields: []string{"email", "display_name", "role"}},
		{name: "account without a State", role: sec, req: postReq("/accounts", map[string]any{"email": "x@fr.test.invalid", "display_name": "X", "role": "poc"}), status: 422, code: "invalid", fields: []string{"state"}},
		{name: "account with a short password", role: frAdmin, req: postReq("/accounts", map[string]any{"email": "x@fr.test.invalid", "display_name": "X", "role": "poc", "state": "FR", "password": "short"}), status: 422, code: "invalid", fields: []string{"password"}},
		{name: "account that exists", role: frAdmin, req: postReq("/accounts", map[string]any{"email": "POC@fr.test.invalid", "display_name": "X", "role": "poc", "state": "FR"}), status: 409, code: "conflict", fields: []string{"email"}},
		{name: "account with unknown field", role: sec, req: postReq("/accounts", map[string]any{"email": "x@fr.test.invalid", "display_name": "X", "role": "poc", "state": "FR", "totp_secret": "AAAA"}), status: 400, code: "bad_request", fields: []string{"totp_secret"}},
		{name: "account for another State", role: frAdmin, req: postReq("/accounts", map[string]any{"email": "x@ke.test.invalid", "display_name": "X", "role": "poc", "state": "KE"}), status: 403, code: "forbidden"},
		{name: "disable own account", role: frAdmin, req: func(f *fixture) req {
			return req{method: http.MethodPost, path: "/accounts/" + f.acc[frAdmin].ID + "/disable"}
		}, status: 409, code: "conflict"},

		// Tokens.

		// Participation.
		{name: "participation without a date", role: sec, req: func(*fixture) req {
			return req{method: http.MethodPut, path: "/states/DE/participation", body: map[string]any{}}
		}, status: 422, code: "invalid", fields: []string{"participating_since"}},
		{name: "participation with a malformed date", role: sec, req: func(*fixture) req {
			return req{method: http.MethodPut, path: "/states/DE/participation", body: map[string]any{"participating_since": "31/01/2025"}}
		}, status: 422, code: "invalid", fields: []string{"participating_since"}},
		{name: "participation in the future", role: sec, req: func(*fixture) req {
			return req{method: http.MethodPut, path: "/states/DE/participation", body: map[string]any{"participating_since": "2099-01-01"}}
		}, status: 422, code: "invalid", fields: []string{"participating_since"}},
		{name: "participation as a number", role: sec, req: func(*fixture) req {
			return req{method: http.MethodPut, path: "/states/DE/participation", body: map[string]any{"participating_since": 2025}}
		}, status: 400, code: "bad_request", fields: []string{"participating_since"}},

		// Query parameters.
		{name: "pocs of unknown level", role: frPOC, req: getReq("/pocs?level=military"), status: 422, code: "invalid", fields: []string{"level"}},
		{name: "pocs with unknown region", role: frPOC, req: getReq("/pocs?region=Atlantis"), status: 422, code: "invalid", fields: []string{"region"}},
		{name: "pocs with stale=maybe", role: frPOC, req: getReq("/pocs?stale=maybe&retired=perhaps"), status: 422, code: "invalid", fields: []string{"stale", "retired"}},
		{name: "provisions of unknown kind", role: anon, req: getReq("/framework/provisions?kind=treaty&document=A/1/1&topic=nope"), status: 422, code: "invalid", fields: []string{"kind", "document", "topic"}},
		{name: "audit with limit 0", role: sec, req: getReq("/audit?limit=0"), status: 422, code: "invalid", fields: []string{"limit"}},

		// Communications, checks and webhooks: every problem named, nothing stored.
		{name: "empty communication", role: frPOC, req: postReq("/messages", map[string]any{"type": "incident_notification"}), status: 422, code: "invalid",
			fields: []string{"recipients", "subject"}},
		{name: "attachment not base64", role: frPOC, req: postReq("/messages", withFile("notes.txt", "not base64!")), status: 422, code: "invalid",
			fields: []string{"attachments[0].content_base64"}},
		{name: "executable attachment", role: frPOC, req: postReq("/messages", withFile("tool.exe", "TVqQAAMAAAAEAAAA//8AALgAAAAAAAAAQAAAAAAAAAA=")), status: 422, code: "invalid",
			fields: []string{"attachments"}},
		{name: "unknown box", role: frPOC, req: getReq("/messages?box=outbox&unread=perhaps"), status: 422, code: "invalid", fields: []string{"box", "unread"}},
		{name: "reply with recipients", role: kePOC, req: func(f *fixture) req {
			return req{method: http.MethodPost, path: "/messages/" + f.msg.ID + "/replies", body: map[string]any{"type": "update", "body": "x", "recipients": []string{"NZ"}}}
		}, status: 422, code: "invalid", fields: []string{"recipients"}},
		{name: "broken template", role: sec, req: func(*fixture) req {
			return req{method: http.MethodPut, path: "/message-templates/closure", body: map[string]any{"title": " ",
				"fields": []map[string]any{{"name": "Outcome!", "label": "Outcome", "kind": "text"}}, "provisions": []string{"norm-z"}}}
		}, status: 422, code: "invalid", fields: []string{"title", "fields[0]", "provisions"}},
		{name: "empty check", role: sec, req: postReq("/checks", map[string]any{"name": ""}), status: 422, code: "invalid",
			fields: []string{"name", "scope_kind", "levels", "window_hours"}},
		{name: "webhook over http to an unknown event", role: frAdmin, req: postReq("/webhooks", map[string]any{"url": "http://soc.fr.test.invalid/", "events": []string{"message.sent"}}),
			status: 422, code: "invalid", fields: []string{"url", "events"}},

		// The survey and the library: every problem named, nothing stored.
		{name: "empty survey cycle", role: sec, req: postReq("/survey/cycles", map[string]any{"name": " "}), status: 422, code: "invalid",
			fields: []string{"name", "opens", "deadline"}},
		{name: "library document with a file not in base64", role: frPOC, req: postReq("/library/documents", map[string]any{"type": "law",
			"file": map[string]string{"name": "law.txt", "content_base64": "not base64!"}}), status: 422, code: "invalid",
			fields: []string{"file.content_base64", "title", "status", "visibility"}},
		{name: "library documents of an unknown type", role: anon, req: getReq("/library/documents?type=novel&limit=0"), status: 422, code: "invalid",
			fields: []string{"type", "limit"}},
	}
}

// runValidation sends every invalid request and checks that it is refused
// with the right error and leaves the database as it was.
func runValidation(t *testing.T, f *fixture) {
	f = f.with(t)
	for _, c := range invalidCases(t) {
		t.Run(c.name, func(t *testing.T) {
			f := f.with(t)
			r := c.req(f) // may create the object it targets
			before := f.counts()
			res := f.do(c.role, r)
			if res.status != c.status {
				t.Fatalf("status %d, want %d: %s", res.status, c.status, res.body)
			}
			e, _ := res.json(t)["error"].(map[string]any)
			if got := e["code"]; got != c.code {
				t.Errorf("code %v, want %s", got, c.code)
			}
			if msg, _ := e["message"].(string); !strings.Contains(msg, c.msg) || msg == "" {
				t.Errorf("message %q, want one containing %q", msg, c.msg)
			}
			fields := res.errorFields(t)
			for _, name := range c.fields {
				if msg, _ := fields[name].(string); msg == "" {
					t.Errorf("no message for field %s in %s", name, res.body)
				}
			}
			if after := f.counts(); !maps.Equal(before, after) {
				t.Errorf("a refused request changed the database:\nbefore %v\nafter  %v", before, after)
			}
		})
	}
}

func TestValidation(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) { runValidation(t, f) })
}
