package page

import (
	"encoding/base64"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/detente/detente/internal/errs"
)

func TestParse(t *testing.T) {
	good := Encode([]string{"2026-12-01T10:00:00Z", "0193a"})
	tests := []struct {
		name      string
		query     string
		wantLimit int
		wantAfter []string
		wantField string
	}{
		{"defaults", "", DefaultLimit, nil, ""},
		{"limit", "limit=10", 10, nil, ""},
		{"largest limit", "limit=200", 200, nil, ""},
		{"cursor", "cursor=" + good, DefaultLimit, []string{"2026-12-01T10:00:00Z", "0193a"}, ""},
		{"zero limit", "limit=0", 0, nil, "limit"},
		{"negative limit", "limit=-1", 0, nil, "limit"},
		{"limit too large", "limit=201", 0, nil, "limit"},
		{"huge limit", "limit=99999999999999999999999", 0, nil, "limit"},
		{"limit not a number", "limit=ten", 0, nil, "limit"},
		{"cursor not base64", "cursor=%%%", 0, nil, "cursor"},
		{"cursor not a list", "cursor=" + b64(`{"a":1}`), 0, nil, "cursor"},
		{"cursor empty list", "cursor=" + b64(`[]`), 0, nil, "cursor"},
		{"cursor with NUL", "cursor=" + b64(`["a\u0000b"]`), 0, nil, "cursor"},
		{"cursor invalid UTF-8", "cursor=" + b64("[\"\xff\"]"), 0, nil, "cursor"},
		{"cursor too long", "cursor=" + strings.Repeat("A", 2000), 0, nil, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q, err := url.ParseQuery(tt.query)
			if err != nil {
				q = url.Values{"cursor": {strings.TrimPrefix(tt.query, "cursor=")}}
			}
			r, err := Parse(q)
			if tt.wantField != "" {
				if !errs.Is(err, errs.Invalid) {
					t.Fatalf("err = %v, want invalid", err)
				}
				if _, ok := errs.FieldsOf(err)[tt.wantField]; !ok {
					t.Fatalf("fields = %v, want %q", errs.FieldsOf(err), tt.wantField)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if r.Limit != tt.wantLimit || !reflect.DeepEqual(r.After, tt.wantAfter) {
				t.Fatalf("got %+v, want limit %d after %v", r, tt.wantLimit, tt.wantAfter)
			}
		})
	}
}

func b64(s string) string { return rawB64(s) }

func TestCut(t *testing.T) {
	key := func(n int) []string { return []string{string(rune('a' + n))} }
	tests := []struct {
		name     string
		rows     []int
		limit    int
		want     []int
		wantNext []string
	}{
		{"no rows", nil, 2, []int{}, nil},
		{"fewer than the limit", []int{0}, 2, []int{0}, nil},
		{"exactly the limit", []int{0, 1}, 2, []int{0, 1}, nil},
		{"one more than the limit", []int{0, 1, 2}, 2, []int{0, 1}, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Cut(tt.rows, tt.limit, key)
			if !reflect.DeepEqual(p.Items, tt.want) {
				t.Fatalf("items = %v, want %v", p.Items, tt.want)
			}
			if tt.wantNext == nil {
				if p.Next != "" {
					t.Fatalf("next = %q on the last page", p.Next)
				}
				return
			}
			got, err := Decode(p.Next)
			if err != nil || !reflect.DeepEqual(got, tt.wantNext) {
				t.Fatalf("next decodes to %v (%v), want %v", got, err, tt.wantNext)
			}
		})
	}
}

func TestNextURLKeepsFilters(t *testing.T) {
	u, _ := url.Parse("/directory?level=technical&q=Kenya&cursor=old&limit=20")
	got, _ := url.Parse(NextURL(u, "new"))
	q := got.Query()
	if got.Path != "/directory" || q.Get("level") != "technical" || q.Get("q") != "Kenya" || q.Get("limit") != "20" || q.Get("cursor") != "new" {
		t.Fatalf("NextURL = %s", got)
	}
}

func FuzzDecode(f *testing.F) {
	f.Add(Encode([]string{"x", "y"}))
	f.Add("")
	f.Add("W10")
	f.Fuzz(func(t *testing.T, s string) {
		key, err := Decode(s)
		if err != nil {
			return
		}
		// Whatever decodes must encode back to a cursor that decodes the same.
		again, err := Decode(Encode(key))
		if err != nil || !reflect.DeepEqual(again, key) {
			t.Fatalf("round trip of %q: %v, %v", s, again, err)
		}
	})
}

func rawB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
