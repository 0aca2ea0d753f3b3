package api

import (
	"net/http"
	"testing"
)

// TestCapacityBadInput: bad text, dates that cannot be read or are out of
// range and unknown values get field errors on both engines and write
// nothing.
func TestCapacityBadInput(t *testing.T) {
	engines(t, func(t *testing.T, f *fixture) {
		f = f.with(t)
		rows := func() int {
			var n int
			if err := f.app.DB.R.QueryRow(`SELECT (SELECT COUNT(*) FROM capacity_needs) + (SELECT COUNT(*) FROM capacity_offers)`).Scan(&n); err != nil {
				t.Fatal(err)
			}
			return n
		}
		offer := func(change map[string]any) map[string]any {
			b := map[string]any{"kind": "training", "title": "Training", "description": "A week.", "topics": []string{"awareness"},
				"languages": []string{"en"}, "visibility": "public"}
			for k, v := range change {
				b[k] = v
			}
			return b
		}
		for _, tc := range []struct {
			name   string
			r      req
			status int
			fields []string
		}{
			{"NUL in a need's title", req{method: http.MethodPost, path: "/capacity/needs", body: `{"title": "Need\u0000"}`}, 400, []string{"title"}},
			{"invalid UTF-8 in an offer's description", req{method: http.MethodPost, path: "/capacity/offers", body: "{\"description\": \"Caf\xe9\"}"}, 400, []string{"description"}},
			{"a need with hidden characters and unknown values", req{method: http.MethodPost, path: "/capacity/needs", body: map[string]any{
				"title": "Need\u202e", "description": "", "topics": []string{"magic"}, "provisions": []string{"norm-zz"}, "languages": []string{"xx-!!"},
				"region": "Atlantis", "visibility": "everyone", "status": "dreaming"}},
				422, []string{"title", "description", "topics", "provisions", "languages", "region", "visibility", "status"}},
			{"an offer with dates that cannot be read", req{method: http.MethodPost, path: "/capacity/offers", body: offer(map[string]any{
				"from": "2027-02-30", "until": "someday", "kind": "gift"})}, 422, []string{"from", "until", "kind"}},
			{"an offer with dates out of range", req{method: http.MethodPost, path: "/capacity/offers", body: offer(map[string]any{
				"from": "9999-01-01", "until": "0001-01-01"})}, 422, []string{"from", "until"}},
			{"an offer ending before it starts", req{method: http.MethodPost, path: "/capacity/offers", body: offer(map[string]any{
				"from": "2027-06-01", "until": "2027-05-01"})}, 422, []string{"until"}},
			{"a huge number for a text", req{method: http.MethodPost, path: "/capacity/offers", body: `{"title": 1e400}`}, 400, nil},
		} {
			t.Run(tc.name, func(t *testing.T) {
				f := f.with(t)
				before := rows()
				res := f.do(frAdmin, tc.r)
				if res.status != tc.status {
					t.Fatalf("status %d, want %d: %s", res.status, tc.status, res)
				}
				got := res.errorFields(t)
				for _, name := range tc.fields {
					if msg, _ := got[name].(string); msg == "" {
						t.Errorf("no message for %s: %s", name, res)
					}
				}
				if after := rows(); after != before {
					t.Errorf("refused request wrote: %d → %d", before, after)
				}
			})
		}
	})
}
