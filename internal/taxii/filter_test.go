package taxii

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzParseFilter: no query string panics the filter reader; what it
// accepts stays within the limits the SQL is built for.
func FuzzParseFilter(f *testing.F) {
	for _, q := range []string{
		"match[id]=indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f&match[version]=all",
		"match[type]=x-mitre-tactic,relationship&limit=10&added_after=2026-03-02T09:00:00.000Z",
		"match[version]=first,last,2016-04-06T20:03:48.123456Z&match[spec_version]=2.1",
		"next=WyIxNzcyNDQyMDAwMDAwMDAxIl0&limit=1000000",
		"match[name]=x&limit=-1&added_after=%00",
	} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		flt, err := ParseFilter(q)
		if err != nil {
			return
		}
		if flt.Limit < 1 || flt.Limit > MaxLimit || flt.After < 0 {
			t.Fatalf("limit %d after %d", flt.Limit, flt.After)
		}
		for _, list := range [][]string{flt.IDs, flt.Types, flt.SpecVersions, flt.Versions} {
			if len(list) > maxMatch {
				t.Fatalf("%d values", len(list))
			}
			for _, v := range list {
				if !utf8.ValidString(v) || strings.ContainsAny(v, "\x00,'\"") {
					t.Fatalf("value %q let through", v)
				}
			}
		}
		cond, args := where(flt, []any{"c", int64(0)})
		if strings.Contains(cond, "'") || len(args) > 2+4*maxMatch {
			t.Fatalf("condition %q with %d arguments", cond, len(args))
		}
	})
}

func TestParseFilterDefaults(t *testing.T) {
	f, err := ParseFilter(url.Values{})
	if err != nil || f.Limit != DefaultLimit || f.Versions != nil || f.AddedAfter != nil || f.After != 0 {
		t.Fatalf("%+v %v", f, err)
	}
	f, err = ParseFilter(url.Values{"limit": {"5000"}, "match[version]": {"last,last"}})
	if err != nil || f.Limit != MaxLimit || len(f.Versions) != 1 {
		t.Fatalf("%+v %v", f, err)
	}
}
