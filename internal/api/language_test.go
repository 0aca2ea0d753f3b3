package api

import (
	"strings"
	"testing"
)

// TestErrorsInTheRequestedLanguage: an error keeps its code in every
// language; its message and field messages are in the language
// Accept-Language asks for where the catalogue has them, else English, and
// Content-Language says which.
func TestErrorsInTheRequestedLanguage(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		tests := []struct {
			name           string
			acceptLanguage string // "" sends no header
			wantLanguage   string
			message, field string // the message, and the field message under function_title
		}{
			{"no header", "", "en", "please correct the highlighted fields", "use a single line"},
			{"French", "fr", "fr", "veuillez corriger les champs signalés", "utilisez une seule ligne"},
			{"Canadian French before English", "fr-CA, en;q=0.8", "fr", "veuillez corriger les champs signalés", "utilisez une seule ligne"},
			{"Spanish", "es", "es", "corrija los campos señalados", "utilice una sola línea"},
			{"a language the catalogue lacks", "de", "en", "please correct the highlighted fields", "use a single line"},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				r := nominateReq(withPOC(map[string]any{"function_title": "Duty\nofficer"}))(f)
				if tc.acceptLanguage != "" {
					r.header = map[string]string{"Accept-Language": tc.acceptLanguage}
				}
				res := f.do(frAdmin, r)
				if res.status != 422 {
					t.Fatalf("status %d, want 422: %s", res.status, res.body)
				}
				e, _ := res.json(t)["error"].(map[string]any)
				if e["code"] != "invalid" {
					t.Errorf("code %v, want invalid", e["code"])
				}
				if e["message"] != tc.message {
					t.Errorf("message %q, want %q", e["message"], tc.message)
				}
				if got := res.errorFields(t)["function_title"]; got != tc.field {
					t.Errorf("function_title: %q, want %q", got, tc.field)
				}
				if got := res.header.Get("Content-Language"); got != tc.wantLanguage {
					t.Errorf("Content-Language %q, want %q", got, tc.wantLanguage)
				}
				if vary := res.header.Values("Vary"); !containsToken(vary, "Accept-Language") {
					t.Errorf("Vary %q does not name Accept-Language", vary)
				}
			})
		}
	})
}

func containsToken(values []string, token string) bool {
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(t), token) {
				return true
			}
		}
	}
	return false
}
