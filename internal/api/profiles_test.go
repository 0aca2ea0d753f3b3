package api

import (
	"net/http"
	"testing"
)

// TestProfileBadInput: State codes no database stores, or that are none,
// get field errors or not found on both engines, never a 500.
func TestProfileBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		for _, tc := range []struct {
			name, path string
			status     int
			field      string
		}{
			{"NUL in a compared State", "/profiles/compare?state=K%00", 400, "state"},
			{"invalid UTF-8 in a compared State", "/profiles/compare?state=%FF%FE", 400, "state"},
			{"hidden characters in a compared State", "/profiles/compare?state=K%E2%80%AEE", 422, "state"},
			{"a huge State code", "/profiles/compare?state=KEKEKEKEKEKEKEKEKEKEKEKEKEKEKEKEKEKEKEKE", 422, "state"},
			{"NUL in a profile's State", "/profiles/K%00", 404, ""},
			{"invalid UTF-8 in a profile's State", "/profiles/%FF", 404, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				res := f.with(t).do(anon, req{method: http.MethodGet, path: tc.path})
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				if tc.field != "" {
					if msg, _ := res.errorFields(t)[tc.field].(string); msg == "" {
						t.Errorf("no message for %s: %s", tc.field, res)
					}
				}
			})
		}
	})
}
