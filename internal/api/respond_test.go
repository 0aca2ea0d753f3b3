package api

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/detente/detente/internal/app"
	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/i18n"
)

// TestFail checks the API's side of the one error mapping: the status
// comes from errs.HTTPStatus, the JSON code is the errs.Code (so the
// strings the OpenAPI document lists stay what clients already see), and
// the invalid_token challenge follows the sentinel, even when wrapped.
func TestFail(t *testing.T) {
	text, err := i18n.Load()
	if err != nil {
		t.Fatal(err)
	}
	s := &server{app: app.Services{Log: slog.New(slog.DiscardHandler), Text: text}}
	invalidToken := &errs.Error{Code: errs.Unauthenticated, Message: "bad token", Err: errInvalidToken}
	tests := []struct {
		name      string
		err       error
		status    int
		code      string
		fields    bool
		challenge string // WWW-Authenticate; "" for none
	}{
		{"malformed body", badJSON("x", map[string]string{"name": "expected a string"}), 400, "bad_request", true, ""},
		{"body too large", &errs.Error{Code: errs.TooLarge, Message: "x"}, 413, "too_large", false, ""},
		{"not JSON", &errs.Error{Code: errs.UnsupportedMedia, Message: "x"}, 415, "unsupported_media_type", false, ""},
		{"no If-Match", &errs.Error{Code: errs.PreconditionRequired, Message: "x"}, 428, "precondition_required", false, ""},
		{"wrong method", &errs.Error{Code: errs.MethodNotAllowed, Message: "x"}, 405, "method_not_allowed", false, ""},
		{"invalid input", (errs.Fields{"email": "x"}).Err(), 422, "invalid", true, ""},
		{"no token sent", errs.E(errs.Unauthenticated, "please sign in"), 401, "unauthenticated", false, `Bearer realm="detente"`},
		{"token refused", invalidToken, 401, "unauthenticated", false, `Bearer realm="detente", error="invalid_token"`},
		{"token refused, wrapped", fmt.Errorf("authenticate: %w", invalidToken), 401, "unauthenticated", false, `Bearer realm="detente", error="invalid_token"`},
		{"foreign error", errors.New("pq: boom"), 500, "internal", false, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			w := httptest.NewRecorder()
			s.fail(w, httptest.NewRequest(http.MethodGet, "/api/v1/x", nil), tc.err)
			if w.Code != tc.status {
				t.Errorf("status %d, want %d", w.Code, tc.status)
			}
			var body errorBody
			if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil {
				t.Fatalf("body %q: %v", w.Body, err)
			}
			if body.Error.Code != tc.code {
				t.Errorf("code %q, want %q", body.Error.Code, tc.code)
			}
			if (len(body.Error.Fields) > 0) != tc.fields {
				t.Errorf("fields %v, want some: %v", body.Error.Fields, tc.fields)
			}
			if got := w.Header().Get("WWW-Authenticate"); got != tc.challenge {
				t.Errorf("WWW-Authenticate %q, want %q", got, tc.challenge)
			}
		})
	}
}
