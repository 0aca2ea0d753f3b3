package taxii

import (
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/detente/detente/internal/errs"
	"github.com/detente/detente/internal/page"
	"github.com/detente/detente/internal/stix"
)

// Paging bounds: a page of objects is at most MaxLimit objects, and
// DefaultLimit when the client does not say.
const (
	DefaultLimit = 100
	MaxLimit     = 1000
	// maxMatch bounds the values of one match[...] parameter, which
	// become one SQL parameter each.
	maxMatch = 100
)

// Filter is what a client asks of a collection's objects: TAXII 2.1's
// match[id|type|version|spec_version], added_after, limit and next.
type Filter struct {
	IDs          []string
	Types        []string
	SpecVersions []string
	// Versions holds "first", "last", "all" and timestamps; none means
	// "last".
	Versions   []string
	AddedAfter *time.Time
	Limit      int
	After      int64 // the date_added (µs) a "next" cursor resumes after; 0 for the first page
}

// known is every query parameter a TAXII request may carry.
var known = []string{"match[id]", "match[type]", "match[version]", "match[spec_version]", "added_after", "limit", "next"}

// ParseFilter reads a TAXII query string. Any problem is a field error
// naming the parameter; unknown parameters are refused rather than
// ignored, so a misspelt filter does not silently return everything.
func ParseFilter(q url.Values) (Filter, error) {
	f := Filter{Limit: DefaultLimit}
	var fields errs.Fields
	for k := range q {
		if !slices.Contains(known, k) {
			fields.Add(clipName(k), "this is not a TAXII 2.1 filter; use match[id], match[type], match[version], match[spec_version], added_after, limit or next")
		}
	}
	list := func(name string, check func(string) string) []string {
		var out []string
		for _, v := range q[name] {
			for _, x := range strings.Split(v, ",") {
				if msg := check(x); msg != "" {
					fields.Add(name, msg)
					return nil
				}
				if !slices.Contains(out, x) {
					out = append(out, x)
				}
			}
		}
		if len(out) > maxMatch {
			fields.Add(name, "ask for at most "+strconv.Itoa(maxMatch)+" values at once")
			return nil
		}
		return out
	}
	f.IDs = list("match[id]", func(x string) string {
		if err := stix.CheckID(x, ""); err != nil {
			return "use STIX identifiers such as indicator--8e2e2d2b-17d4-4cbf-938f-98ee46b3cd3f"
		}
		return ""
	})
	f.Types = list("match[type]", func(x string) string {
		if err := stix.CheckID(x+"--00000000-0000-0000-0000-000000000000", x); err != nil {
			return "use STIX types such as indicator or x-mitre-tactic"
		}
		return ""
	})
	f.SpecVersions = list("match[spec_version]", func(x string) string {
		if x != "2.0" && x != "2.1" {
			return "use a STIX version such as 2.1"
		}
		return ""
	})
	f.Versions = list("match[version]", func(x string) string {
		switch x {
		case "first", "last", "all":
			return ""
		}
		if _, err := stix.ParseTime(x); err != nil {
			return "use first, last, all or a timestamp such as 2026-03-02T09:00:00.000Z"
		}
		return ""
	})
	if v := q.Get("added_after"); v != "" || q.Has("added_after") {
		t, err := stix.ParseTime(v)
		if err != nil {
			fields.Add("added_after", "use a timestamp such as 2026-03-02T09:00:00.000Z")
		} else {
			f.AddedAfter = &t
		}
	}
	if q.Has("limit") {
		n, err := strconv.Atoi(q.Get("limit"))
		if err != nil || n < 1 {
			fields.Add("limit", "use a whole number from 1")
		} else {
			f.Limit = min(n, MaxLimit)
		}
	}
	if q.Has("next") {
		key, err := page.Decode(q.Get("next"))
		var n int64
		if err == nil && len(key) == 1 {
			n, err = strconv.ParseInt(key[0], 10, 64)
		}
		if err != nil || len(key) != 1 || n <= 0 {
			fields.Add("next", "this link to the next page is damaged; start again from the first page")
		} else {
			f.After = n
		}
	}
	if err := fields.Err(); err != nil {
		return Filter{}, err
	}
	return f, nil
}

// nextOf is the cursor resuming after date_added.
func nextOf(dateAdded int64) string { return page.Encode([]string{strconv.FormatInt(dateAdded, 10)}) }

func clipName(k string) string {
	if len(k) > 40 || !utf8Printable(k) {
		return "query"
	}
	return k
}

func utf8Printable(s string) bool {
	for _, r := range s {
		if r < 0x20 || r == 0x7f || r == 0xfffd {
			return false
		}
	}
	return true
}

// micros is t as stored: microseconds since 1970.
func micros(t time.Time) int64 { return t.UnixMicro() }

// fromMicros is the time of a stored date_added.
func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
